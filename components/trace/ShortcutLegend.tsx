import styles from "./trace.module.css";

/** The viewer's keys, always in sight under the timeline (n and p only where there are neighbours to go to). */
export function ShortcutLegend(props: { previous: boolean; next: boolean; label: string }) {
  const scope = props.label === "failed run" ? " in this evaluation" : "";
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
      {props.label && (
        <>
          <span
            title={props.next ? undefined : `No later ${props.label}${scope}`}
            style={props.next ? undefined : { opacity: 0.55 }}
          >
            <kbd>n</kbd> next {props.label}
          </span>
          <span
            title={props.previous ? undefined : `No earlier ${props.label}${scope}`}
            style={props.previous ? undefined : { opacity: 0.55 }}
          >
            <kbd>p</kbd> previous {props.label}
          </span>
        </>
      )}
      <span>
        <kbd>r</kbd> raw JSON
      </span>
    </div>
  );
}
