// Messages API content blocks as a reader wants them: text as text, tool calls with their
// input, tool results with their content, thinking folded away, images as a placeholder.
import type { ReactNode } from "react";
import { Badge } from "@/components/ui";
import { isRecord, str } from "../format";
import styles from "../trace.module.css";
import { JsonView } from "./JsonView";
import { formatBytes, formatCount } from "@/lib/format";

export function ContentBlocks({ content }: { content: unknown }) {
  if (typeof content === "string") return <div className={styles.text}>{content}</div>;
  if (!Array.isArray(content)) return <JsonView value={content} />;
  if (content.length === 0) return <div className="faint">(no content)</div>;
  return (
    <>
      {content.map((block, index) => (
        <ContentBlock key={index} block={block} />
      ))}
    </>
  );
}

function ContentBlock({ block }: { block: unknown }) {
  if (!isRecord(block)) return <JsonView value={block} />;
  const type = str(block.type) ?? "unknown";
  switch (type) {
    case "text":
      return <div className={styles.text}>{str(block.text) ?? ""}</div>;
    case "thinking": {
      const thinking = str(block.thinking) ?? "";
      return (
        <details className={styles.thinking} data-block="thinking">
          <summary>thinking · {formatCount(thinking.length)} characters</summary>
          <div className={styles.text}>{thinking}</div>
        </details>
      );
    }
    case "redacted_thinking":
      return (
        <details className={styles.thinking} data-block="thinking">
          <summary>redacted thinking</summary>
          <div>
            Encrypted by the API ({formatCount((str(block.data) ?? "").length)} characters); nothing readable is
            recorded.
          </div>
        </details>
      );
    case "tool_use":
    case "server_tool_use":
    case "mcp_tool_use":
      return (
        <div className={styles.block} data-block="tool_use">
          <div className={styles.blockHeader}>
            <span>{type}</span>
            <span className={styles.blockName}>{str(block.name) ?? "?"}</span>
            {str(block.id) && <code>{str(block.id)}</code>}
          </div>
          <div className={styles.blockBody}>
            <JsonView value={block.input ?? {}} />
          </div>
        </div>
      );
    case "image":
    case "document": {
      const source = isRecord(block.source) ? block.source : {};
      const data = str(source.data);
      const what = [
        str(source.media_type),
        str(source.type),
        data ? `${formatBytes(data.length)} base64` : str(source.url),
        str(block.title),
      ]
        .filter(Boolean)
        .join(" · ");
      return (
        <div className={styles.image} data-block={type}>
          [{type}
          {what ? `: ${what}` : ""}]
        </div>
      );
    }
    default:
      if (type === "tool_result" || type.endsWith("_tool_result")) {
        return (
          <div className={styles.block} data-block="tool_result">
            <div className={styles.blockHeader}>
              <span>{type}</span>
              {str(block.tool_use_id) && (
                <span>
                  for <code>{str(block.tool_use_id)}</code>
                </span>
              )}
              {block.is_error === true && <Badge tone="fail">error</Badge>}
            </div>
            <div className={styles.blockBody}>
              <ContentBlocks content={block.content ?? ""} />
            </div>
          </div>
        );
      }
      return (
        <div className={styles.block} data-block={type}>
          <div className={styles.blockHeader}>
            <span className={styles.blockName}>{type}</span>
          </div>
          <div className={styles.blockBody}>
            <JsonView value={block} />
          </div>
        </div>
      );
  }
}

/** One message of a conversation (or the system prompt, or the response). */
export function Message({
  role,
  label,
  content,
  extra,
}: {
  role: string;
  label?: string;
  content: unknown;
  extra?: ReactNode;
}) {
  return (
    <div className={`${styles.message} ${styles[`role_${role}`] ?? ""}`} data-role={role}>
      <div className={styles.messageRole}>
        {label ?? role}
        {extra}
      </div>
      <div className={styles.messageBody}>
        <ContentBlocks content={content} />
      </div>
    </div>
  );
}
