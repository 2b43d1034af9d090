import styles from "./trace.module.css";

/** An event kind as a small coloured label, the same in the timeline and the detail panel. */
export function KindLabel({ kind }: { kind: string }) {
  return (
    <span className={`${styles.kind} ${styles[`kind_${kind}`] ?? ""}`} data-kind={kind}>
      {kind}
    </span>
  );
}
