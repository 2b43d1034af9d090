import styles from "./trace.module.css";

/** Stands in for the timeline and the detail panel while the first page of events is read. */
export function TimelineSkeleton({ label = "Loading the trace…" }: { label?: string }) {
  return (
    <div className={`${styles.viewer} ${styles.skeletonViewer}`} aria-busy="true" aria-label={label}>
      <div className={styles.skeletonBlock}>
        <p className="faint">{label}</p>
      </div>
      <div className={styles.skeletonBlock} />
    </div>
  );
}
