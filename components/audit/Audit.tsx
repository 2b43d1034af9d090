// The harness audit on the pages: an evaluation's figures per task and its tool table (the
// candidate page), two evaluations side by side with what grew and shrank (the diff page), and
// one task run's figures in a line (the trace viewer). Figures come from lib/audit.
import { AUDIT_FIGURES, type AuditComparison, type AuditSummary } from "@/lib/audit/summary";
import type { TaskRunAudit } from "@/lib/audit/compute";
import { formatTokens } from "@/lib/format";
import { formatCalls, formatChange, formatFigure, formatShare } from "./format";
import styles from "./audit.module.css";

/** What the prompt repeat means, as the figure's title. */
const REPEAT_TITLE =
  "Of all prompt characters sent (each request's tools, system and messages as JSON), the share that repeats the previous call's prompt from its start";
/** Figures where less is cheaper: their growth is shown in the failing colour. */
const COSTS = new Set(["inputTokens", "outputTokens", "modelCalls", "wallMs"]);

export function AuditSummaryView({ summary }: { summary: AuditSummary }) {
  return (
    <div className={styles.audit} data-testid="audit">
      <table className={styles.table} aria-label="Audit figures per task">
        <thead>
          <tr>
            <th>Per task · {summary.taskRuns} task runs</th>
            <th className={styles.num}>mean</th>
          </tr>
        </thead>
        <tbody>
          {AUDIT_FIGURES.map(({ key, label, pick }) => (
            <tr key={key} data-figure={key}>
              <td className={key === "cachedInputTokens" ? styles.sub : undefined}>
                {key === "repeatShare" ? <span title={REPEAT_TITLE}>{label}</span> : label}
              </td>
              <td className={styles.num}>{formatFigure(key, pick(summary))}</td>
            </tr>
          ))}
          {summary.perTask.execs > 0 && (
            <tr data-figure="execs">
              <td>Commands run / task</td>
              <td className={styles.num}>
                {formatCalls(summary.perTask.execs)}
                {summary.failedExecs > 0 && <span className={styles.bad}> · {summary.failedExecs} failed</span>}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <ToolTable summary={summary} />
      {summary.unreadCalls > 0 && (
        <p className={styles.note}>
          {summary.unreadCalls} model calls were too large to store whole: their tokens, tools and prompt are not
          counted.
        </p>
      )}
    </div>
  );
}

function ToolTable({ summary }: { summary: AuditSummary }) {
  if (summary.tools.length === 0) return <p className={styles.note}>No tools were offered to the model.</p>;
  return (
    <table className={styles.table} aria-label="Tools">
      <thead>
        <tr>
          <th>Tool</th>
          <th className={styles.num} title="Requests that listed it in tools">
            offered
          </th>
          <th className={styles.num} title="tool_use blocks in responses">
            called
          </th>
          <th className={styles.num} title="tool_result blocks with is_error">
            errored
          </th>
          <th className={styles.num} title="Task runs that called it">
            tasks
          </th>
        </tr>
      </thead>
      <tbody>
        {summary.tools.map((tool) => (
          <tr key={tool.name} data-tool={tool.name}>
            <td>
              <code>{tool.name}</code>
              {tool.offered > 0 && tool.called === 0 && <span className={styles.hint}> never called</span>}
            </td>
            <td className={styles.num}>{tool.offered.toLocaleString("en-US")}</td>
            <td className={styles.num}>{tool.called.toLocaleString("en-US")}</td>
            <td className={`${styles.num} ${tool.errored ? styles.bad : ""}`}>
              {tool.errored.toLocaleString("en-US")}
            </td>
            <td className={styles.num}>
              {tool.tasksCalling} / {summary.taskRuns}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function AuditComparisonView(props: { comparison: AuditComparison; a: number; b: number }) {
  const { comparison } = props;
  return (
    <div className={styles.audit} data-testid="audit-diff">
      <table className={styles.table} aria-label="Audit figures, A and B">
        <thead>
          <tr>
            <th>Per task</th>
            <th className={styles.num}>A · #{props.a}</th>
            <th className={styles.num}>B · #{props.b}</th>
            <th className={styles.num}>change</th>
          </tr>
        </thead>
        <tbody>
          {comparison.figures.map((figure) => (
            <tr key={figure.key} data-figure={figure.key}>
              <td className={figure.key === "cachedInputTokens" ? styles.sub : undefined}>
                {figure.key === "repeatShare" ? <span title={REPEAT_TITLE}>{figure.label}</span> : figure.label}
              </td>
              <td className={styles.num}>{formatFigure(figure.key, figure.a)}</td>
              <td className={styles.num}>{formatFigure(figure.key, figure.b)}</td>
              <td className={styles.num}>
                <Change figureKey={figure.key} change={figure.change} base={figure.a} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className={styles.table} aria-label="Tools, A and B">
        <thead>
          <tr>
            <th>Tool</th>
            <th className={styles.num} title="offered / called / errored in A">
              A off · call · err
            </th>
            <th className={styles.num} title="offered / called / errored in B">
              B off · call · err
            </th>
          </tr>
        </thead>
        <tbody>
          {comparison.tools.length === 0 && (
            <tr>
              <td colSpan={3} className={styles.hint}>
                Neither offered the model any tool.
              </td>
            </tr>
          )}
          {comparison.tools.map(({ name, a, b }) => {
            const appeared = comparison.toolsAppeared.includes(name);
            const gone = comparison.toolsDisappeared.includes(name);
            return (
              <tr key={name} data-tool={name} data-change={appeared ? "appeared" : gone ? "disappeared" : undefined}>
                <td>
                  <code>{name}</code>
                  {appeared && <span className={styles.up}> new in B</span>}
                  {gone && <span className={styles.down}> gone in B</span>}
                </td>
                <td className={styles.num}>{gone || !appeared ? `${a.offered} · ${a.called} · ${a.errored}` : "—"}</td>
                <td className={styles.num}>{appeared || !gone ? `${b.offered} · ${b.called} · ${b.errored}` : "—"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Change({ figureKey, change, base }: { figureKey: string; change: number | null; base: number | null }) {
  if (change == null) return <span className="faint">—</span>;
  // Below half a percent of A (or exactly nothing) reads as unchanged.
  if (change === 0 || (base && Math.abs(change / base) < 0.005)) return <span className="faint">=</span>;
  const up = change > 0;
  const tone = COSTS.has(figureKey) ? (up ? styles.worse : styles.better) : styles.neutral;
  const relative = base ? ` (${up ? "+" : "−"}${Math.round(Math.abs(change / base) * 100)}%)` : "";
  return (
    <span className={tone} data-direction={up ? "up" : "down"}>
      {up ? "▲" : "▼"} {formatChange(figureKey, change)}
      {figureKey === "repeatShare" ? "" : relative}
    </span>
  );
}

/** One task run's audit in a line of facts (the trace viewer's header). */
export function RunAuditLine({ audit }: { audit: TaskRunAudit }) {
  const tools = Object.entries(audit.tools).sort(([x], [y]) => x.localeCompare(y));
  return (
    <div className={styles.line} data-testid="run-audit">
      <span>
        <span className={styles.label}>Model calls</span> {audit.modelCalls}
      </span>
      <span>
        <span className={styles.label}>Input</span> {formatTokens(audit.inputTokens)}
        <span className="faint"> ({formatTokens(audit.cachedInputTokens)} cached)</span>
      </span>
      <span>
        <span className={styles.label}>Output</span> {formatTokens(audit.outputTokens)}
      </span>
      <span title={REPEAT_TITLE}>
        <span className={styles.label}>Prompt repeated</span>{" "}
        {formatShare(audit.promptChars ? audit.repeatedChars / audit.promptChars : null)}
      </span>
      {audit.execs > 0 && (
        <span>
          <span className={styles.label}>Commands</span> {audit.execs}
          {audit.failedExecs > 0 && <span className={styles.bad}> ({audit.failedExecs} failed)</span>}
        </span>
      )}
      <span>
        <span className={styles.label}>Tools called/offered</span>{" "}
        {tools.length === 0 ? (
          <span className="faint">none offered</span>
        ) : (
          tools.map(([name, tool], index) => (
            <span
              key={name}
              data-tool={name}
              title={`offered ${tool.offered}, called ${tool.called}, errored ${tool.errored}`}
            >
              {index > 0 ? ", " : ""}
              <code>{name}</code> {tool.called}/{tool.offered}
              {tool.errored > 0 && <span className={styles.bad}> ({tool.errored} errored)</span>}
            </span>
          ))
        )}
      </span>
    </div>
  );
}
