"use client";

// Long prose (a proposer's rationale runs to pages) shown as its first lines, with a button for
// the rest: what follows it on the page (the source) stays above the fold.
import { useState } from "react";
import styles from "./candidate.module.css";

/** About how many characters a line of the box holds: a text longer than lines × this is cut too. */
const CHARS_PER_LINE = 90;

export function Collapsed({ text, lines = 3, what }: { text: string; lines?: number; what: string }) {
  const [open, setOpen] = useState(false);
  const lineCount = text.split("\n").length;
  const long = lineCount > lines || text.length > lines * CHARS_PER_LINE;
  return (
    <div data-collapsed={long && !open ? "true" : "false"}>
      <div
        className={`${styles.prose} ${long && !open ? styles.clamped : ""}`}
        style={{ WebkitLineClamp: long && !open ? lines : undefined }}
      >
        {text}
      </div>
      {long && (
        <button type="button" className={styles.more} aria-expanded={open} onClick={() => setOpen((value) => !value)}>
          {open
            ? `Show less of the ${what}`
            : `Show the whole ${what} (${text.length.toLocaleString("en-US")} characters)`}
        </button>
      )}
    </div>
  );
}
