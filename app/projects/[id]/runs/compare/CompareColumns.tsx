"use client";

// The two viewers of the side-by-side page. Only one has the keyboard at a time (j/k would
// otherwise move both): the side last clicked, or the one picked with a / b.
import { useEffect, useState } from "react";
import { TraceViewer, type TraceViewerProps } from "@/components/trace/TraceViewer";
import styles from "./compare.module.css";

export interface CompareSide {
  key: "a" | "b";
  viewer: Omit<TraceViewerProps, "urlParams" | "layout" | "keys">;
}

export function CompareColumns(props: { sides: CompareSide[] }) {
  const [active, setActive] = useState<"a" | "b">("a");
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (
        event.metaKey ||
        event.ctrlKey ||
        event.altKey ||
        (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)))
      )
        return;
      if (event.key === "a" || event.key === "b") setActive(event.key);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div className={styles.columns}>
      {props.sides.map((side) => (
        <section
          key={side.key}
          className={`${styles.column} ${active === side.key ? styles.columnActive : ""}`}
          data-side={side.key}
          data-active={active === side.key}
          onPointerDownCapture={() => setActive(side.key)}
          aria-label={`Trace ${side.key.toUpperCase()}`}
        >
          <div className={styles.columnLabel}>
            <span className={styles.sideKey}>{side.key.toUpperCase()}</span>
            {active === side.key ? "has the keyboard (j / k)" : `press ${side.key} or click to use the keyboard here`}
          </div>
          <TraceViewer
            {...side.viewer}
            urlParams={{ event: `${side.key}Event`, kind: `${side.key}Kind` }}
            layout="stacked"
            keys={active === side.key}
          />
        </section>
      ))}
    </div>
  );
}
