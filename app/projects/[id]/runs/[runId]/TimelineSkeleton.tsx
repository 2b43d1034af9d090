import styles from "./page.module.css";

/** Stands in for the timeline and the detail panel while the first page of events is read. */
export function TimelineSkeleton() {
  return (
    <div className={styles.skeletonViewer} aria-busy="true" aria-label="Loading the trace">
      <div className={styles.skeletonBlock}>
        <p className="faint">Loading the trace…</p>
      </div>
      <div className={styles.skeletonBlock} />
    </div>
  );
}
