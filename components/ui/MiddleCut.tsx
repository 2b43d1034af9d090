// A path that fits its box by losing the middle: the head ends in "…" when the box is narrow,
// the last segment (the file name) always shows. For monospace text: the tail's width is its
// length in `ch`. The spans are inline, so the copied text (and innerText) is the whole path.
import type { CSSProperties } from "react";
import { splitPathTail } from "@/lib/middle-cut";
import styles from "./middle-cut.module.css";

export function MiddleCut({ path, className, title }: { path: string; className?: string; title?: string }) {
  const { head, tail } = splitPathTail(path);
  const width = { "--tail": `${Array.from(tail).length}ch` } as CSSProperties;
  return (
    <span className={`${styles.cut} ${className ?? ""}`} title={title ?? path} data-path={path} style={width}>
      {head && <span className={styles.head}>{head}</span>}
      {tail}
    </span>
  );
}
