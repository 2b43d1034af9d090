"use client";

// The two viewers of the side-by-side page. By default one has the keyboard at a time: the side
// last clicked, or the one picked with a / b. "j / k move both" (or t) gives it to both, to walk
// two traces of the same shape in step; it is off by default because once a harness changes,
// the two traces rarely line up event for event. The choice is kept in the URL (?together=1).
import { useEffect, useState } from "react";
import { TraceViewer, type TraceViewerProps } from "@/components/trace/TraceViewer";
import styles from "./compare.module.css";

export interface CompareSide {
  key: "a" | "b";
  viewer: Omit<TraceViewerProps, "urlParams" | "layout" | "keys" | "sharedKeys">;
}

export function CompareColumns(props: { sides: CompareSide[]; together: boolean }) {
  const [active, setActive] = useState<"a" | "b">("a");
  const [together, setTogether] = useState(props.together);
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
      if (event.key === "t") setTogether((value) => !value);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  useEffect(() => {
    const url = new URL(window.location.href);
    if (together) url.searchParams.set("together", "1");
    else url.searchParams.delete("together");
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [together]);
  return (
    <>
      <label className={styles.together}>
        <input
          type="checkbox"
          checked={together}
          onChange={(event) => setTogether(event.target.checked)}
          data-together-toggle
        />
        j / k move both sides together <span className="faint">(t)</span>
      </label>
      <div className={styles.columns}>
        {props.sides.map((side) => {
          const keys = together || active === side.key;
          return (
            <section
              key={side.key}
              className={`${styles.column} ${keys ? styles.columnActive : ""}`}
              data-side={side.key}
              data-active={keys}
              onPointerDownCapture={() => setActive(side.key)}
              aria-label={`Trace ${side.key.toUpperCase()}`}
            >
              <div className={styles.columnLabel}>
                <span className={styles.sideKey}>{side.key.toUpperCase()}</span>
                {together
                  ? "moves with the other side (j / k)"
                  : keys
                    ? "has the keyboard (j / k)"
                    : `press ${side.key} or click to use the keyboard here`}
              </div>
              <TraceViewer
                {...side.viewer}
                urlParams={{ event: `${side.key}Event`, kind: `${side.key}Kind` }}
                layout="stacked"
                keys={keys}
                sharedKeys={together}
              />
            </section>
          );
        })}
      </div>
    </>
  );
}
