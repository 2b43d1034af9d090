import styles from "./trace.module.css";

/** The viewer's keys, always in sight under the timeline. */
export function ShortcutLegend(props: { previous: boolean; next: boolean }) {
  return (
    <div className={styles.legend} aria-label="Keyboard shortcuts">
      <span>
        <kbd>j</kbd>
        <kbd>↓</kbd> next event
      </span>
      <span>
        <kbd>k</kbd>
        <kbd>↑</kbd> previous event
      </span>
      <span title={props.next ? undefined : "No later failed or error task run in this evaluation"} style={props.next ? undefined : { opacity: 0.55 }}>
        <kbd>n</kbd> next failed run
      </span>
      <span title={props.previous ? undefined : "No earlier failed or error task run in this evaluation"} style={props.previous ? undefined : { opacity: 0.55 }}>
        <kbd>p</kbd> previous failed run
      </span>
      <span>
        <kbd>r</kbd> raw JSON
      </span>
    </div>
  );
}
