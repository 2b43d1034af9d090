// The proposer's instructions on the settings page. The URL says what is shown, so a link
// shows the same view: no query → the current version, editable; `?version=N` → version N,
// read-only; `?version=N&compare=M` → Monaco's diff of the two, older on the left.
import Link from "next/link";
import { SourceDiff, SourceEditor } from "@/components/editor";
import { Badge, ui } from "@/components/ui";
import { formatRelative } from "@/lib/format";
import { getInstructionText, listInstructionVersions, type InstructionVersionRow } from "@/lib/instructions/queries";
import { InstructionsEditor } from "./InstructionsEditor";
import styles from "./settings.module.css";

/** Editors keep one height, so switching views does not make the page jump. */
const EDITOR_HEIGHT = 560;
/** Iteration links listed per version before "and N more". */
const ITERATION_LINKS = 12;

type Raw = string | string[] | undefined;

function parseVersion(raw: Raw): number | null | "invalid" {
  if (raw === undefined || raw === "") return null;
  return typeof raw === "string" && /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : "invalid";
}

export async function InstructionsSection(props: { projectId: string; query: Record<string, Raw> }) {
  const versions = await listInstructionVersions(props.projectId);
  const current = versions[0];
  const base = `/projects/${props.projectId}/settings`;
  const exists = (version: number | null | "invalid"): version is number =>
    typeof version === "number" && versions.some((row) => row.version === version);
  const range = versions.length === 1 ? "only version 1" : `versions 1 to ${current.version}`;

  const problems: string[] = [];
  const asked = parseVersion(props.query.version);
  const askedCompare = parseVersion(props.query.compare);
  if (asked !== null && !exists(asked))
    problems.push(
      `There is no version “${String(props.query.version)}” of the instructions: this project has ${range}.`,
    );
  if (askedCompare !== null && !exists(askedCompare))
    problems.push(`There is no version “${String(props.query.compare)}” to compare with: this project has ${range}.`);
  const selected = exists(asked) ? asked : null;
  const compare = selected !== null && exists(askedCompare) && askedCompare !== selected ? askedCompare : null;
  if (selected !== null && askedCompare === selected)
    problems.push(`Version ${selected} compared with itself shows no change: choose another version.`);

  const saved = parseVersion(props.query.saved);
  const savedNotice = saved === current.version && selected === null;

  let main: React.ReactNode;
  if (selected !== null && compare !== null) {
    const [older, newer] = compare < selected ? [compare, selected] : [selected, compare];
    const [olderText, newerText] = await Promise.all([
      getInstructionText(props.projectId, older),
      getInstructionText(props.projectId, newer),
    ]);
    main = (
      <div data-view="diff">
        <div className={styles.paneBar}>
          <span>
            <strong>
              Changes from version {older} to version {newer}
            </strong>{" "}
            <span className="faint">· version {older} on the left · read-only</span>
          </span>
          <span className={styles.paneActions}>
            <Link className={ui.button} href={`${base}?version=${selected}#instructions`}>
              Show version {selected} alone
            </Link>
            <Link className={ui.button} href={`${base}#instructions`}>
              Edit the current version
            </Link>
          </span>
        </div>
        <SourceDiff
          original={olderText ?? ""}
          modified={newerText ?? ""}
          originalPath={`instructions-diff/${props.projectId}/v${older}.md`}
          modifiedPath={`instructions-diff/${props.projectId}/v${newer}.md`}
          language="markdown"
          wrap
          height={EDITOR_HEIGHT}
        />
        {olderText === newerText && <p className={styles.paneNote}>The two versions have the same text.</p>}
        <ComparePicker base={base} selected={selected} compare={compare} versions={versions} />
      </div>
    );
  } else if (selected !== null) {
    const text = (await getInstructionText(props.projectId, selected)) ?? "";
    const row = versions.find((version) => version.version === selected)!;
    main = (
      <div data-view="version">
        <div className={styles.paneBar}>
          <span>
            <strong>Version {selected}</strong>
            {selected === current.version && (
              <>
                {" "}
                <Badge tone="accent">current</Badge>
              </>
            )}{" "}
            <span className="faint">· read-only · saved {formatRelative(row.createdAt)}</span>
          </span>
          <span className={styles.paneActions}>
            {selected > 1 && (
              <Link className={ui.button} href={`${base}?version=${selected}&compare=${selected - 1}#instructions`}>
                Diff with version {selected - 1}
              </Link>
            )}
            <Link className={ui.button} href={`${base}#instructions`}>
              Edit the current version
            </Link>
          </span>
        </div>
        {row.note && <p className={styles.paneNote}>{row.note}</p>}
        <SourceEditor
          value={text}
          path={`instructions/${props.projectId}/v${selected}.md`}
          language="markdown"
          wrap
          readOnly
          height={EDITOR_HEIGHT}
          ariaLabel={`Instructions, version ${selected}`}
        />
        <ComparePicker base={base} selected={selected} compare={null} versions={versions} />
      </div>
    );
  } else {
    const text = (await getInstructionText(props.projectId, current.version)) ?? "";
    main = (
      <InstructionsEditor
        key={current.version}
        projectId={props.projectId}
        version={current.version}
        text={text}
        height={EDITOR_HEIGHT}
      />
    );
  }

  return (
    <section id="instructions" className={`${ui.card} ${ui.section}`} aria-label="Proposer instructions">
      <div className={ui.sectionHeader}>
        <h2>Proposer instructions</h2>
        <p>Markdown · versioned · each iteration records the version it ran with</p>
      </div>
      <div className={ui.sectionBody}>
        {savedNotice && (
          <p className={styles.savedNotice} role="status">
            Saved as version {current.version}. The next iteration uses it; an iteration already running keeps the
            version it started with.
          </p>
        )}
        {problems.map((problem) => (
          <p key={problem} className={`${ui.error} ${styles.problem}`} role="alert">
            {problem}
          </p>
        ))}
        <div className={styles.instructions}>
          <div className={styles.pane}>{main}</div>
          <History base={base} projectId={props.projectId} versions={versions} selected={selected} compare={compare} />
        </div>
      </div>
    </section>
  );
}

function History(props: {
  base: string;
  projectId: string;
  versions: InstructionVersionRow[];
  selected: number | null;
  compare: number | null;
}) {
  const current = props.versions[0].version;
  return (
    <aside className={styles.history} aria-label="Version history">
      <h3>History</h3>
      <ol className={styles.versions}>
        {props.versions.map((row) => {
          const active = row.version === props.selected || (props.selected === null && row.version === current);
          return (
            <li
              key={row.version}
              className={`${styles.version} ${active ? styles.versionActive : ""} ${row.version === props.compare ? styles.versionCompared : ""}`}
              data-version={row.version}
            >
              <div className={styles.versionHead}>
                <Link
                  href={`${props.base}?version=${row.version}#instructions`}
                  aria-current={row.version === props.selected ? "true" : undefined}
                >
                  Version {row.version}
                </Link>
                {row.version === current && <Badge tone="accent">current</Badge>}
                <span className={styles.versionDate} title={row.createdAt.toISOString()}>
                  {formatRelative(row.createdAt)}
                </span>
              </div>
              {row.note ? (
                <div className={styles.versionNote}>{row.note}</div>
              ) : (
                <div className={`${styles.versionNote} faint`}>no note</div>
              )}
              <div className={styles.versionMeta}>
                <Iterations projectId={props.projectId} numbers={row.iterations} />
                {row.version > 1 && (
                  <Link
                    href={`${props.base}?version=${row.version}&compare=${row.version - 1}#instructions`}
                    className={styles.diffLink}
                  >
                    diff with v{row.version - 1}
                  </Link>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    </aside>
  );
}

function Iterations({ projectId, numbers }: { projectId: string; numbers: number[] }) {
  if (!numbers.length) return <span className="faint">no iterations yet</span>;
  const shown = numbers.slice(-ITERATION_LINKS);
  return (
    <span className={styles.iterationLinks}>
      <span>
        {numbers.length} iteration{numbers.length === 1 ? "" : "s"}:
      </span>
      {numbers.length > shown.length && <span className="faint">… {numbers.length - shown.length} earlier,</span>}
      {shown.map((number) => (
        <Link key={number} href={`/projects/${projectId}/iterations/${number}`}>
          #{number}
        </Link>
      ))}
    </span>
  );
}

/** A plain GET form: works before the page's script loads, and the result is a shareable URL. */
function ComparePicker(props: {
  base: string;
  selected: number;
  compare: number | null;
  versions: InstructionVersionRow[];
}) {
  const others = props.versions.filter((row) => row.version !== props.selected);
  if (!others.length)
    return <p className={styles.paneNote}>There is only one version: save an edit to have something to compare.</p>;
  const chosen = props.compare ?? (props.selected > 1 ? props.selected - 1 : others[0].version);
  return (
    <form className={styles.compare} method="get" action={`${props.base}#instructions`}>
      <input type="hidden" name="version" value={props.selected} />
      <label htmlFor="compare-version">Compare version {props.selected} with</label>
      <select id="compare-version" name="compare" defaultValue={chosen} className={`${ui.input} ${styles.select}`}>
        {others.map((row) => (
          <option key={row.version} value={row.version}>
            version {row.version}
            {row.note ? ` · ${row.note.slice(0, 60)}` : ""}
          </option>
        ))}
      </select>
      <button type="submit" className={ui.button}>
        Show the diff
      </button>
    </form>
  );
}
