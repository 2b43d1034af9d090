// The search's filters as a plain GET form: submitting puts them in the URL, so every search is
// a link (and works before the page's scripts load). Empty fields mean "no filter".
import Link from "next/link";
import { ui } from "@/components/ui";
import { RUN_STATUSES, TEXT_FIELDS } from "@/lib/search/filters";
import styles from "./search.module.css";

type Raw = Record<string, string>;

function Range(props: { label: string; name: string; raw: Raw; step: string; unit: string }) {
  return (
    <div className={styles.field}>
      <span>
        {props.label} ({props.unit})
      </span>
      <span className={styles.range}>
        <input
          className={ui.input}
          type="number"
          min={0}
          step={props.step}
          name={`${props.name}Min`}
          defaultValue={props.raw[`${props.name}Min`]}
          placeholder="min"
          aria-label={`${props.label} at least`}
        />
        –
        <input
          className={ui.input}
          type="number"
          min={0}
          step={props.step}
          name={`${props.name}Max`}
          defaultValue={props.raw[`${props.name}Max`]}
          placeholder="max"
          aria-label={`${props.label} at most`}
        />
      </span>
    </div>
  );
}

function Checks(props: { name: string; values: readonly string[]; raw: Raw; label: string }) {
  const chosen = new Set((props.raw[props.name] ?? "").split(","));
  return (
    <fieldset className={styles.field} style={{ border: 0, padding: 0, margin: 0 }}>
      <legend>{props.label}</legend>
      <span className={styles.checks}>
        {props.values.map((value) => (
          <label key={value}>
            <input type="checkbox" name={props.name} value={value} defaultChecked={chosen.has(value)} />
            {value}
          </label>
        ))}
      </span>
    </fieldset>
  );
}

export function SearchForm(props: { action: string; raw: Raw; errorKinds: string[] }) {
  const { raw } = props;
  return (
    <form className={styles.form} method="get" action={props.action} role="search" data-testid="search-form">
      <div className={styles.row}>
        <label className={`${styles.field} ${styles.query}`}>
          <span>Text</span>
          <input
            className={ui.input}
            type="search"
            name="q"
            defaultValue={raw.q}
            placeholder="Words in the output, the expected answer or the input"
            maxLength={200}
            autoFocus={!raw.q}
          />
        </label>
        <Checks name="in" label="Look in (none: all)" values={TEXT_FIELDS} raw={raw} />
        <div className={styles.actions}>
          <button className={`${ui.button} ${ui.buttonPrimary}`} type="submit">
            Search
          </button>
          <Link className={ui.button} href={props.action}>
            Clear
          </Link>
        </div>
      </div>
      <div className={styles.row}>
        <Checks name="status" label="Outcome" values={RUN_STATUSES.slice(0, 3)} raw={raw} />
        <label className={styles.field}>
          <span>Error kind</span>
          <select className={ui.input} name="errorKind" defaultValue={raw.errorKind ?? ""}>
            <option value="">any</option>
            {props.errorKinds.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </label>
        <Range label="Score" name="score" raw={raw} step="0.01" unit="0–1" />
        <Range label="Tokens" name="tokens" raw={raw} step="1" unit="in + out" />
        <Range label="Latency" name="latency" raw={raw} step="1" unit="ms" />
        <Range label="Cost" name="cost" raw={raw} step="0.0001" unit="USD" />
      </div>
      <div className={styles.row}>
        <label className={styles.field}>
          <span>Tool called</span>
          <input className={ui.input} type="text" name="tool" defaultValue={raw.tool} placeholder="tool name" />
        </label>
        <label className={styles.field}>
          <span>Candidates</span>
          <input className={ui.input} type="text" name="candidate" defaultValue={raw.candidate} placeholder="#3, 7" />
        </label>
        <label className={styles.field}>
          <span>Split</span>
          <select className={ui.input} name="split" defaultValue={raw.split ?? ""}>
            <option value="">both</option>
            <option value="search">search</option>
            <option value="test">test</option>
          </select>
        </label>
        {raw.sort && <input type="hidden" name="sort" value={raw.sort} />}
      </div>
    </form>
  );
}
