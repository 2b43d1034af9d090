"use client";

// The overview's lineage tree: a column per iteration, every candidate as a node coloured by its
// search score, edges from its parents, the frontier ringed and the best starred; rejected
// proposals faded, their reason in the tooltip. A click opens the candidate; shift-click (or
// Compare mode) picks two, and a link opens their diff. The tree loads after the page
// (treeQuery) and is read again when the page re-renders with a new project revision.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { ui } from "@/components/ui";
import { treeQuery } from "@/components/data/queries";
import { unpackRows } from "@/lib/candidates/packed";
import type { TreeNode } from "@/lib/candidates/tree";
import { TREE_SIZE, edgePath, layoutTree, type Placed } from "@/lib/candidates/tree-layout";
import { candidateHref } from "./format";
import { scoreColour, scorePosition } from "./score-colour";
import { TreeLegend } from "./TreeLegend";
import { TreeTooltip, spokenName } from "./TreeTooltip";
import styles from "./tree.module.css";

const { nodeWidth: W, nodeHeight: H } = TREE_SIZE;

export function CandidateTree({ projectId, revision }: { projectId: string; revision: string }) {
  const router = useRouter();
  const query = useQuery({ ...treeQuery(projectId, revision), placeholderData: keepPreviousData });
  const nodes = useMemo(() => (query.data ? unpackRows(query.data) : []), [query.data]);
  const layout = useMemo(() => layoutTree(nodes), [nodes]);
  const byNumber = useMemo(() => new Map(layout.nodes.map((node) => [node.number, node])), [layout]);
  const [low, high] = useMemo(() => {
    const scores = nodes.flatMap((node) => (node.status === "rejected" || node.score == null ? [] : [node.score]));
    return scores.length ? [Math.min(...scores), Math.max(...scores)] : [0, 1];
  }, [nodes]);

  const [compare, setCompare] = useState(false);
  /** Candidate numbers, in the order picked: the first is A. */
  const [picked, setPicked] = useState<number[]>([]);
  /** The node under the pointer or focus, and where its tooltip goes (fixed: the panel scrolls and clips). */
  const [tip, setTip] = useState<{ number: number; left: number; top: number; above: boolean } | null>(null);
  const hovered = tip?.number ?? null;

  // The newest iterations are where the work is: show them first.
  const scroller = useRef<HTMLDivElement>(null);
  const scrolled = useRef(false);
  useEffect(() => {
    if (scrolled.current || !scroller.current || layout.nodes.length === 0) return;
    scrolled.current = true;
    scroller.current.scrollLeft = scroller.current.scrollWidth;
  }, [layout]);

  const nodeAt = (target: EventTarget): Placed<TreeNode> | undefined => {
    const number = (target as Element).closest?.("[data-candidate]")?.getAttribute("data-candidate");
    return number ? byNumber.get(Number(number)) : undefined;
  };

  const showTip = (target: EventTarget) => {
    const node = nodeAt(target);
    const element = (target as Element).closest?.("[data-candidate]");
    if (!node || !element) return setTip(null);
    if (node.number === hovered) return;
    const box = element.getBoundingClientRect();
    const above = box.bottom + 120 > window.innerHeight;
    setTip({
      number: node.number,
      left: Math.max(8, Math.min(box.left, window.innerWidth - 340)),
      top: above ? window.innerHeight - box.top + 6 : box.bottom + 6,
      above,
    });
  };

  const onClick = (event: MouseEvent<SVGSVGElement>) => {
    const node = nodeAt(event.target);
    // A new tab or window (ctrl, meta, middle click) is the browser's own.
    if (!node || event.ctrlKey || event.metaKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    if (compare || event.shiftKey) {
      setPicked((before) =>
        before.includes(node.number)
          ? before.filter((number) => number !== node.number)
          : [...before, node.number].slice(-2),
      );
    } else router.push(candidateHref(projectId, node.id));
  };

  if (query.isError) return <p className={ui.error}>Could not read the lineage tree: {query.error.message}</p>;
  if (!query.data) return <p className="faint">Loading the lineage tree…</p>;

  const [a, b] = picked.map((number) => byNumber.get(number)).filter((node) => node != null);
  const tipNode = hovered == null ? undefined : byNumber.get(hovered);

  return (
    <div className={styles.tree}>
      <div className={styles.toolbar}>
        <p className="muted">
          Columns are iterations (0: the seed). Click a candidate to open it; <strong>shift-click two</strong>, or turn
          on Compare, to diff them.
        </p>
        <div className={styles.actions}>
          <button
            type="button"
            className={`${ui.button} ${compare ? styles.on : ""}`}
            aria-pressed={compare}
            onClick={() => setCompare((on) => !on)}
          >
            Compare{compare ? ": pick two" : ""}
          </button>
          {picked.length > 0 && (
            <span className={styles.picked} data-testid="tree-picked">
              {a && b ? (
                <Link
                  className={`${ui.button} ${ui.buttonPrimary}`}
                  href={`/projects/${projectId}/diff?a=${a.id}&b=${b.id}`}
                >
                  Diff #{a.number} → #{b.number}
                </Link>
              ) : (
                <span className="muted">A: #{a?.number}; pick one more</span>
              )}
              <button type="button" className={ui.button} onClick={() => setPicked([])}>
                Clear
              </button>
            </span>
          )}
        </div>
      </div>

      <div className={styles.scroller} ref={scroller} onScroll={() => setTip(null)}>
        <div className={styles.canvas} style={{ width: layout.width, height: layout.height }}>
          <svg
            width={layout.width}
            height={layout.height}
            role="group"
            aria-label="Lineage tree"
            data-tree="lineage"
            onClick={onClick}
            onMouseOver={(event) => showTip(event.target)}
            onMouseLeave={() => setTip(null)}
            onFocus={(event) => showTip(event.target)}
            onBlur={() => setTip(null)}
          >
            {layout.columns.map((column) => (
              <text key={column.iteration} x={column.x + W / 2} y={TREE_SIZE.padding + 10} className={styles.column}>
                {column.iteration === 0 ? "0 · seed" : column.iteration}
              </text>
            ))}
            <g className={styles.edges}>
              {layout.edges.map((edge) => {
                const rejected = byNumber.get(edge.to)?.status === "rejected";
                const lit = hovered != null && (edge.from === hovered || edge.to === hovered);
                return (
                  <path
                    key={`${edge.from}-${edge.to}`}
                    d={edgePath(edge)}
                    className={`${rejected ? styles.rejectedEdge : ""} ${lit ? styles.litEdge : ""}`}
                  />
                );
              })}
            </g>
            {layout.nodes.map((node) => {
              const rejected = node.status === "rejected";
              const colour = rejected || node.score == null ? null : scoreColour(scorePosition(node.score, low, high));
              const pick = picked.indexOf(node.number);
              return (
                <a
                  key={node.id}
                  href={candidateHref(projectId, node.id)}
                  data-candidate={node.number}
                  data-status={node.status}
                  data-frontier={node.frontier || undefined}
                  data-best={node.best || undefined}
                  data-picked={pick >= 0 ? (pick === 0 ? "a" : "b") : undefined}
                  aria-label={spokenName(node)}
                  className={`${styles.node} ${rejected ? styles.rejected : ""}`}
                >
                  {(node.frontier || node.best) && (
                    <rect
                      x={node.x - 3}
                      y={node.y - 3}
                      width={W + 6}
                      height={H + 6}
                      rx={7}
                      className={node.best ? styles.bestRing : styles.frontierRing}
                    />
                  )}
                  {pick >= 0 && (
                    <rect
                      x={node.x - 5}
                      y={node.y - 5}
                      width={W + 10}
                      height={H + 10}
                      rx={9}
                      className={styles.pickRing}
                    />
                  )}
                  <rect
                    x={node.x}
                    y={node.y}
                    width={W}
                    height={H}
                    rx={5}
                    data-box
                    className={styles.box}
                    style={colour ? { fill: colour.fill } : undefined}
                  />
                  <text
                    x={node.x + W / 2}
                    y={node.y + H / 2}
                    className={styles.label}
                    style={colour ? { fill: colour.text } : undefined}
                  >
                    #{node.number}
                  </text>
                  {node.best && (
                    <text x={node.x + W + 2} y={node.y + 1} className={styles.star} aria-hidden>
                      ★
                    </text>
                  )}
                  {pick >= 0 && (
                    <text x={node.x - 6} y={node.y - 3} className={styles.pickLabel} aria-hidden>
                      {pick === 0 ? "A" : "B"}
                    </text>
                  )}
                </a>
              );
            })}
          </svg>
          {tip && tipNode && (
            <TreeTooltip
              node={tipNode}
              style={tip.above ? { left: tip.left, bottom: tip.top } : { left: tip.left, top: tip.top }}
            />
          )}
        </div>
      </div>

      <TreeLegend low={low} high={high} />
    </div>
  );
}
