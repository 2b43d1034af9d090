// A recorded model exchange as a conversation: the request's system prompt and messages,
// then the response's content, with usage, timing, cost, stop reason and retry attempts.
import { Badge } from "@/components/ui";
import { formatCount, formatDuration, formatTokens, formatUsd } from "@/lib/format";
import type { TokenUsage } from "@/lib/runner/proxy/types";
import { isRecord, str } from "../format";
import styles from "../trace.module.css";
import { Message } from "./ContentBlocks";
import { Fact, JsonView } from "./JsonView";
import type { EventViewProps } from "./types";
import { formatBytes } from "@/lib/format";

/** Conversations up to this many messages are shown whole; longer ones keep the last KEEP_OPEN open. */
const FOLD_AFTER = 4;
const KEEP_OPEN = 2;
/** A system prompt longer than this (a proposer's instructions, say) starts folded. */
const LONG_SYSTEM_CHARS = 2000;

function messageView(message: unknown, key: number) {
  return isRecord(message) ? (
    <Message key={key} role={str(message.role) ?? "unknown"} content={message.content} />
  ) : (
    <JsonView key={key} value={message} />
  );
}

/** Characters of text in a system prompt: a string, or text blocks. */
function textLength(system: unknown): number {
  if (typeof system === "string") return system.length;
  if (!Array.isArray(system)) return JSON.stringify(system ?? "").length;
  return system.reduce((sum: number, block) => sum + (isRecord(block) ? (str(block.text)?.length ?? 0) : 0), 0);
}

export function ModelCallEvent({ body: exchange, event }: EventViewProps<"model_call">) {
  // The exchange is the proxy's record (typed); the request and response bodies are whatever the
  // client sent and the API answered, so they are still looked at with care.
  const requestPart = exchange.request;
  const responsePart = exchange.response;
  const request = requestPart.body;
  const response = responsePart.body;
  const req = isRecord(request) ? request : null;
  const res = isRecord(response) ? response : null;
  const usage: Partial<TokenUsage> = exchange.usage ?? (isRecord(res?.usage) ? res.usage : {});
  const attempts = exchange.attempts;
  const messages = Array.isArray(req?.messages) ? req.messages : [];
  // An agent loop sends the whole conversation with every call: fold what earlier calls already
  // showed, so the new turn (usually the tool results) is what the reader sees first.
  const earlier = messages.length > FOLD_AFTER ? messages.slice(0, -KEEP_OPEN) : [];
  const latest = messages.slice(earlier.length);
  const tools = Array.isArray(req?.tools) ? req.tools.filter(isRecord) : [];
  const model = exchange.model ?? event.responseModel ?? str(res?.model) ?? event.requestModel ?? str(req?.model);
  const stopReason = exchange.stopReason ?? str(res?.stop_reason) ?? event.finishReasons[0] ?? null;
  const cacheRead = usage.cache_read_input_tokens;
  const cacheWrite = usage.cache_creation_input_tokens;
  const params = req
    ? Object.entries(req)
        .filter(([key]) => !["messages", "system", "tools", "model"].includes(key))
        .map(([key, value]) => `${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`)
    : [];
  const rawStream = responsePart.rawStream;

  return (
    <>
      <div className={styles.facts}>
        <Fact label="Model" value={model ?? "—"} title={model ?? undefined} wide />
        {exchange.harnessModel !== undefined && (
          <Fact
            label="Harness asked for"
            value={exchange.harnessModel}
            title={`The harness named ${exchange.harnessModel}; the studio pointed the call at the evaluation's model`}
            wide
          />
        )}
        <Fact
          label="Input tokens"
          value={formatTokens(event.inputTokens ?? usage.input_tokens)}
          title="cache reads and writes included"
        />
        <Fact label="Output tokens" value={formatTokens(event.outputTokens ?? usage.output_tokens)} />
        {(cacheRead != null || cacheWrite != null) && (
          <Fact
            label="Cache read / write"
            value={`${formatTokens(cacheRead ?? 0)} / ${formatTokens(cacheWrite ?? 0)}`}
          />
        )}
        <Fact label="Latency" value={formatDuration(exchange.durationMs)} />
        <Fact
          label="Time to first token"
          value={exchange.stream ? formatDuration(exchange.timeToFirstTokenMs) : "not streamed"}
        />
        <Fact
          label="Cost"
          value={
            exchange.priced === false
              ? "unpriced (no price for this model)"
              : formatUsd(exchange.costUsd ?? event.costUsd)
          }
        />
        <Fact label="Stop reason" value={stopReason ?? "—"} />
        <Fact label="HTTP status" value={responsePart.status} />
        <Fact label="Attempts" value={attempts.length || 1} />
      </div>

      {exchange.error && <div className={styles.errorBox}>{exchange.error}</div>}

      {attempts.length > 1 && (
        <div>
          <div className={styles.label}>Retry attempts</div>
          <table className={styles.table}>
            <thead>
              <tr>
                <th>#</th>
                <th>status</th>
                <th>duration</th>
                <th>waited after</th>
                <th>error</th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((attempt, index) => (
                <tr key={index}>
                  <td>{index + 1}</td>
                  <td>
                    <Badge tone={attempt.status === 200 ? "pass" : "fail"}>
                      {attempt.status === 0 ? "no answer" : String(attempt.status)}
                    </Badge>
                  </td>
                  <td>{formatDuration(attempt.durationMs)}</td>
                  <td>{attempt.retryAfterMs != null ? formatDuration(attempt.retryAfterMs) : "—"}</td>
                  <td className="muted">{attempt.error ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <div className={styles.stack}>
        <div className={styles.label}>
          Request
          {params.length > 0 && (
            <span className="faint" style={{ textTransform: "none", fontWeight: 400 }}>
              {params.join(" · ")}
            </span>
          )}
        </div>
        {req === null ? (
          <JsonView value={request} />
        ) : (
          <>
            {req.system != null &&
              (textLength(req.system) > LONG_SYSTEM_CHARS ? (
                <details className={styles.collapsible} data-collapsed="system">
                  <summary>system prompt · {formatCount(textLength(req.system))} characters</summary>
                  <Message role="system" content={req.system} />
                </details>
              ) : (
                <Message role="system" content={req.system} />
              ))}
            {earlier.length > 0 && (
              <details className={styles.collapsible} data-collapsed="earlier">
                <summary>
                  {earlier.length} earlier messages: the conversation so far, as sent again in this request
                </summary>
                <div className={styles.stack}>{earlier.map((message, index) => messageView(message, index))}</div>
              </details>
            )}
            {latest.map((message, index) => messageView(message, earlier.length + index))}
            {tools.length > 0 && (
              <details className={styles.collapsible}>
                <summary>
                  {tools.length} tool{tools.length === 1 ? "" : "s"} offered:{" "}
                  {tools.map((tool) => str(tool.name) ?? "?").join(", ")}
                </summary>
                <JsonView value={tools} />
              </details>
            )}
          </>
        )}
      </div>

      <div className={styles.stack}>
        <div className={styles.label}>Response</div>
        {res && Array.isArray(res.content) ? (
          <Message role="assistant" label={`${str(res.role) ?? "assistant"} · response`} content={res.content} />
        ) : res && isRecord(res.error) ? (
          <div className={styles.errorBox}>
            {str(res.error.type) ?? "error"}: {str(res.error.message) ?? JSON.stringify(res.error)}
          </div>
        ) : response == null ? (
          <div className="faint">No response body was recorded.</div>
        ) : (
          <JsonView value={response} />
        )}
        {rawStream && (
          <details className={styles.collapsible}>
            <summary>Raw stream as received ({formatBytes(rawStream.length)})</summary>
            <pre className={styles.code}>{rawStream}</pre>
          </details>
        )}
      </div>

      {(requestPart.headers || responsePart.headers) && (
        <details className={styles.collapsible}>
          <summary>Headers</summary>
          <JsonView value={{ request: requestPart.headers ?? null, response: responsePart.headers ?? null }} />
        </details>
      )}
    </>
  );
}
