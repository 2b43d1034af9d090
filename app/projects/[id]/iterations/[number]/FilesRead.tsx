"use client";

// The workspace files the proposer read, in the order it first read them, each linked to what
// it is: a trace file to its task run's trace viewer, a source (or meta, scores) to the
// candidate's page. A proposer reads ~80 files, so they filter by kind and by text; both
// filters live in the URL (?files=trace&path=divide), as does the transcript's selection.
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { EmptyState, ui } from "@/components/ui";
import { MiddleCut } from "@/components/ui/MiddleCut";
import { formatOffset } from "@/components/trace/format";
import traceStyles from "@/components/trace/trace.module.css";
import type { FileRead } from "@/lib/iterations/queries";
import styles from "./page.module.css";

const GROUPS = [
  { key: "trace", label: "traces", kinds: ["trace"] },
  { key: "source", label: "sources", kinds: ["source"] },
  { key: "candidate", label: "candidate files", kinds: ["candidate"] },
  { key: "other", label: "other", kinds: ["task", "proposal", "workspace"] },
] as const;

const KIND_LABEL: Record<FileRead["kind"], string> = {
  trace: "trace",
  source: "source",
  candidate: "meta",
  task: "task",
  proposal: "proposal",
  workspace: "workspace",
};

export function FilesRead(props: { projectId: string; files: FileRead[]; startMs: number | null; running: boolean }) {
  const params = useSearchParams();
  const [group, setGroup] = useState<string | null>(() =>
    GROUPS.some((item) => item.key === params.get("files")) ? params.get("files") : null,
  );
  const [text, setText] = useState(() => params.get("path") ?? "");

  // The filters follow into the URL (replaceState: no history entry per key press).
  useEffect(() => {
    const url = new URL(window.location.href);
    if (group) url.searchParams.set("files", group);
    else url.searchParams.delete("files");
    if (text) url.searchParams.set("path", text);
    else url.searchParams.delete("path");
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [group, text]);

  const counts = useMemo(
    () =>
      new Map(
        GROUPS.map((item) => [
          item.key,
          props.files.filter((file) => (item.kinds as readonly string[]).includes(file.kind)).length,
        ]),
      ),
    [props.files],
  );
  const kinds = GROUPS.find((item) => item.key === group)?.kinds as readonly string[] | undefined;
  const needle = text.trim().toLowerCase();
  const shown = props.files.filter(
    (file) => (!kinds || kinds.includes(file.kind)) && (!needle || file.path.toLowerCase().includes(needle)),
  );

  /** The current URL with the transcript opened at one event. */
  const eventHref = (seq: number) => {
    const query = new URLSearchParams(params.toString());
    query.set("event", String(seq));
    query.delete("kind"); // a kind filter could hide the file_read event
    return `?${query.toString()}#transcript`;
  };

  if (props.files.length === 0) {
    return (
      <EmptyState icon="▤" title={props.running ? "No files read yet" : "No files read"}>
        <p>
          {props.running
            ? "Files appear here as the proposer reads them."
            : "The proposer recorded no reads of the workspace."}
        </p>
      </EmptyState>
    );
  }

  return (
    <>
      <div className={styles.filesToolbar} role="group" aria-label="Filter the files read">
        <button
          type="button"
          className={`${traceStyles.chip} ${group ? "" : traceStyles.chipActive}`}
          aria-pressed={!group}
          onClick={() => setGroup(null)}
        >
          all <span className={traceStyles.chipCount}>{props.files.length}</span>
        </button>
        {GROUPS.filter((item) => (counts.get(item.key) ?? 0) > 0).map((item) => (
          <button
            key={item.key}
            type="button"
            className={`${traceStyles.chip} ${group === item.key ? traceStyles.chipActive : ""}`}
            aria-pressed={group === item.key}
            onClick={() => setGroup(group === item.key ? null : item.key)}
          >
            {item.label} <span className={traceStyles.chipCount}>{counts.get(item.key)}</span>
          </button>
        ))}
        <input
          className={ui.input}
          type="search"
          placeholder="Filter paths…"
          aria-label="Filter paths"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
      </div>
      <div className={styles.files} data-testid="files-read">
        {shown.length === 0 ? (
          <p className="faint" style={{ padding: "14px 16px" }}>
            No file matches.{" "}
            <button
              type="button"
              className={traceStyles.chip}
              onClick={() => {
                setGroup(null);
                setText("");
              }}
            >
              show all files
            </button>
          </p>
        ) : (
          shown.map((file) => (
            <FileRow
              key={file.path}
              file={file}
              projectId={props.projectId}
              startMs={props.startMs}
              eventHref={eventHref}
            />
          ))
        )}
      </div>
    </>
  );
}

function FileRow({
  file,
  projectId,
  startMs,
  eventHref,
}: {
  file: FileRead;
  projectId: string;
  startMs: number | null;
  eventHref: (seq: number) => string;
}) {
  const target = targetOf(file, projectId);
  return (
    <div className={styles.file} data-kind={file.kind} data-testid="file-read">
      <span className={styles.fileKind}>{KIND_LABEL[file.kind]}</span>
      {target ? (
        <Link className={styles.filePath} href={target.href} data-testid="file-link">
          <MiddleCut path={file.path} title={`${file.path}: ${target.title}`} />
        </Link>
      ) : (
        <span className={styles.filePath}>
          <MiddleCut
            path={file.path}
            title={
              file.kind === "trace"
                ? `${file.path}: its task run could not be found (the evaluation may be gone)`
                : file.path
            }
          />
        </span>
      )}
      <span className={styles.fileTarget}>{target?.label ?? ""}</span>
      <span
        className={styles.fileNum}
        title={
          file.reads != null
            ? `read ${file.reads} time${file.reads === 1 ? "" : "s"} (a long file is read in pages)`
            : "no read event recorded"
        }
      >
        {file.reads != null ? `${file.reads}×` : ""}
      </span>
      <span className={styles.fileNum}>
        {file.firstSeq != null ? (
          <Link
            href={eventHref(file.firstSeq)}
            title={`Open the first read (event #${file.firstSeq}) in the transcript`}
            data-testid="file-event-link"
          >
            {startMs != null && file.firstMs != null ? formatOffset(file.firstMs - startMs) : `#${file.firstSeq}`}
          </Link>
        ) : (
          ""
        )}
      </span>
    </div>
  );
}

/** Where a file's link goes: a trace to its task run, a candidate's file to the candidate. */
function targetOf(file: FileRead, projectId: string): { href: string; label: string; title: string } | null {
  if (file.kind === "trace" && file.runId) {
    const owner = file.candidate ? `#${file.candidate.number}` : "a candidate";
    return {
      href: `/projects/${projectId}/runs/${file.runId}`,
      label: `${owner} · ${file.taskKey}`,
      title: `the trace of task ${file.taskKey}, candidate ${owner}`,
    };
  }
  if (file.candidate && file.kind !== "trace") {
    const what = file.kind === "source" ? "source" : "files";
    return {
      href: `/projects/${projectId}/candidates/${file.candidate.id}`,
      label: `#${file.candidate.number}${file.candidate.rejected ? " (rejected)" : ""}`,
      title: `candidate #${file.candidate.number}'s ${what}`,
    };
  }
  return null;
}
