import type { ReactNode } from "react";
import { formatCount } from "@/lib/format";
import { prettyJson } from "../format";
import styles from "../trace.module.css";

/** A value as indented JSON (strings as plain text), in monospace. */
export function JsonView({ value, tall }: { value: unknown; tall?: boolean }) {
  return <pre className={`${styles.code} ${tall ? styles.codeTall : ""}`}>{prettyJson(value)}</pre>;
}

/** A labelled block of monospace text; nothing when the text is empty and `hideEmpty` is set. */
export function TextBlock({
  label,
  text,
  hideEmpty,
  tone,
}: {
  label: string;
  text: string | null | undefined;
  hideEmpty?: boolean;
  tone?: "fail";
}) {
  if (hideEmpty && !text) return null;
  return (
    <div>
      <div className={styles.label} style={tone === "fail" ? { color: "var(--fail)" } : undefined}>
        {label}
        {text ? (
          <span className="faint" style={{ textTransform: "none", fontWeight: 400 }}>
            {formatCount(text.length)} characters
          </span>
        ) : null}
      </div>
      {text ? <pre className={styles.code}>{text}</pre> : <div className="faint">(empty)</div>}
    </div>
  );
}

export function Fact({
  label,
  value,
  title,
  wide,
}: {
  label: string;
  value: ReactNode;
  title?: string;
  wide?: boolean;
}) {
  return (
    <div className={`${styles.fact} ${wide ? styles.factWide : ""}`} title={title}>
      <div className={styles.factLabel}>{label}</div>
      <div className={styles.factValue}>{value}</div>
    </div>
  );
}
