// What the lineage tree says about one candidate: on hover or focus (the tooltip), and to a
// screen reader (the node's name), from the same fields.
import type { CSSProperties } from "react";
import { formatScore } from "@/lib/format";
import type { TreeNode } from "@/lib/candidates/tree";
import styles from "./tree.module.css";

const reasonOf = (node: TreeNode) => `Rejected: ${node.reason || "no reason recorded"}`;

/** The tooltip's content in one sentence, for the node's accessible name. */
export function spokenName(node: TreeNode): string {
  const flags = [node.best && "best", node.frontier && "on the frontier"].filter(Boolean).join(", ");
  const score = node.score == null ? (node.status === "pending" ? "pending" : "none yet") : formatScore(node.score);
  const head =
    node.status === "rejected"
      ? `#${node.number}, rejected proposal`
      : `#${node.number}, search score ${score}${flags ? `, ${flags}` : ""}`;
  return [head, node.summary, node.status === "rejected" ? reasonOf(node) : ""].filter(Boolean).join(". ");
}

/** Fixed to the viewport, since the tree's panel scrolls and would clip it. */
export function TreeTooltip({ node, style }: { node: TreeNode; style: CSSProperties }) {
  return (
    <div className={styles.tooltip} role="tooltip" data-testid="tree-tooltip" style={style}>
      <strong>#{node.number}</strong>{" "}
      {node.status === "rejected" ? (
        <span className={styles.reject}>rejected proposal</span>
      ) : (
        <>
          <span className="num">{formatScore(node.score)}</span>
          {node.best && <span className={styles.flag}>best</span>}
          {node.frontier && <span className={styles.flag}>frontier</span>}
          {node.status === "pending" && <span className="faint"> pending</span>}
        </>
      )}
      {node.summary && <div className={styles.summary}>{node.summary}</div>}
      {node.status === "rejected" && <div className={styles.reason}>{reasonOf(node)}</div>}
    </div>
  );
}
