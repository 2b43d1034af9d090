// The lineage tree's legend: the score scale over the project's own range, and the marks.
import { formatScore } from "@/lib/format";
import { SCORE_GRADIENT } from "./score-colour";
import styles from "./tree.module.css";

export function TreeLegend({ low, high }: { low: number; high: number }) {
  return (
    <div className={styles.legend} aria-label="Legend">
      <span>
        Search score <span className="num">{formatScore(low)}</span>
        <span className={styles.gradient} style={{ background: SCORE_GRADIENT }} />
        <span className="num">{formatScore(high)}</span>
      </span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchFrontier}`} /> frontier
      </span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchBest}`} />★ best
      </span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchNone}`} /> no score yet
      </span>
      <span>
        <span className={`${styles.swatch} ${styles.swatchRejected}`} /> rejected proposal (hover for why)
      </span>
    </div>
  );
}
