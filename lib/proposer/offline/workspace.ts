// The offline proposer's reading of the workspace: every file goes through `read`, which keeps
// the path inside the workspace (WorkspaceFiles), records a file_read event and adds the path
// to filesRead, so its transcript shows what it read exactly as the Claude proposer's does.
// The parsers here read the files the workspace builder writes (lib/workspace/readme.ts,
// render.ts); each falls back to a safe default when a line is not there.
import fs from "node:fs";
import { fileReadEvent, noteEvent } from "../../traces/build.ts";
import type { TraceEventRow } from "../../traces/events.ts";
import { splitLines, type WorkspaceFiles } from "../workspace-files.ts";
import type { SuiteFacts } from "./patterns.ts";

/** Traces are read whole up to this size; a bigger one is read to here (a note says so). */
export const TRACE_READ_BYTES = 16 * 1024 * 1024;
/** Other workspace files are small; this only guards against surprises. */
const FILE_READ_BYTES = 4 * 1024 * 1024;

export class RecordingReader {
  readonly filesRead: string[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly record: (event: TraceEventRow) => void,
  ) {}

  /** Whether a file is there (not a read: nothing is recorded). */
  exists(relative: string): boolean {
    try {
      return fs.statSync(this.files.resolveExisting(relative).absolute).isFile();
    } catch {
      return false;
    }
  }

  /** The file's text, or null when it is not in the workspace. */
  read(relative: string, maxBytes = FILE_READ_BYTES): string | null {
    let absolute: string;
    try {
      absolute = this.files.resolveExisting(relative).absolute;
      if (!fs.statSync(absolute).isFile()) return null;
    } catch {
      return null;
    }
    const size = fs.statSync(absolute).size;
    const buffer = Buffer.alloc(Math.min(size, maxBytes));
    const handle = fs.openSync(absolute, "r");
    try {
      fs.readSync(handle, buffer, 0, buffer.length, 0);
    } finally {
      fs.closeSync(handle);
    }
    const text = buffer.toString("utf8");
    const lines = splitLines(text).length;
    this.record(fileReadEvent(relative, { startLine: lines ? 1 : 0, endLine: lines, totalLines: lines }));
    if (size > maxBytes) this.record(noteEvent(`${relative} is ${size} bytes; read its first ${maxBytes}`));
    if (!this.seen.has(relative)) {
      this.seen.add(relative);
      this.filesRead.push(relative);
    }
    return text;
  }
}

export interface ReadmeFacts extends SuiteFacts {
  /** The model harnesses call. */
  model: string;
  /** The suite's description (the README's quote under "The task suite"). */
  job: string;
}

/** Prisma's default for Project.model; used only when README.md does not name the model. */
const DEFAULT_MODEL = "claude-sonnet-5-5";

export function readmeFacts(readme: string | null): ReadmeFacts {
  const text = readme ?? "";
  const mode = /- mode: \*\*(sequential|independent)\*\*/.exec(text)?.[1] as SuiteFacts["mode"] | undefined;
  const grader = /- grader: \*\*([a-z]+)\*\*/.exec(text)?.[1] ?? null;
  const model = /Harnesses call \*\*`([^`]+)`\*\*/.exec(text)?.[1] ?? DEFAULT_MODEL;
  const section = /## The task suite[^\n]*\n\n((?:>[^\n]*\n?)+)/.exec(text)?.[1] ?? "";
  const job = section
    .split("\n")
    .map((line) => line.replace(/^>\s?/, ""))
    .join("\n")
    .trim();
  return {
    mode: mode ?? (/\bsequential\b/i.test(job) ? "sequential" : "independent"),
    grader,
    model,
    job: job === "(no description)" ? "" : job,
  };
}

export interface LeaderboardRow {
  id: string;
  /** The search cell as written ("0.750 (3/4)", "not evaluated"). */
  search: string;
  rejected: boolean;
}

/**
 * The candidates of leaderboard.md in its order (ranked first, best first), then the rejected
 * table's. Columns are found by their header, so an older layout still reads.
 */
export function leaderboardRows(markdown: string | null): LeaderboardRow[] {
  const rows: LeaderboardRow[] = [];
  let columns: string[] | null = null;
  let rejected = false;
  for (const line of (markdown ?? "").split("\n")) {
    if (/^##\s+Rejected/i.test(line)) {
      rejected = true;
      columns = null;
      continue;
    }
    if (!line.startsWith("|")) continue;
    const cells = line
      .slice(1, line.endsWith("|") ? -1 : undefined)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, "|"));
    if (!columns) {
      columns = cells.map((cell) => cell.toLowerCase());
      continue;
    }
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) continue;
    const id = cells[columns.indexOf("id")];
    if (!id) continue;
    const searchColumn = columns.findIndex((column) => column.startsWith("search"));
    rows.push({ id, search: searchColumn === -1 ? "" : (cells[searchColumn] ?? ""), rejected });
  }
  return rows;
}

export interface ScoreLine {
  key: string;
  status: string;
  /** Workspace path of its raw trace; null when the workspace holds none (a feedback ablation's other modes). */
  trace: string | null;
  /** Workspace path of its summary (a `summary`-mode workspace), else null. */
  summary: string | null;
}

/** The task lines of a candidate's scores.json, with trace and summary paths made workspace-relative. */
export function scoreLines(scoresJson: string | null, candidateDir: string): ScoreLine[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(scoresJson ?? "");
  } catch {
    return [];
  }
  const tasks = (parsed as { tasks?: unknown })?.tasks;
  if (!Array.isArray(tasks)) return [];
  // The builder writes paths relative to the candidate folder; older files used workspace paths.
  const inWorkspace = (file: unknown) =>
    typeof file !== "string" ? null : file.startsWith(`${candidateDir}/`) ? file : `${candidateDir}/${file}`;
  type Trial = { status?: unknown; trace?: unknown; summary?: unknown };
  return tasks.flatMap((line: Trial & { key?: unknown; trials?: Trial[] }) => {
    if (typeof line?.key !== "string") return [];
    // With trials, the task passed when every trial did; otherwise its first unpassed trial speaks for it.
    const trials = Array.isArray(line.trials) ? line.trials : null;
    const task = trials ? (trials.find((trial) => trial?.status !== "passed") ?? trials[0]) : line;
    return [
      {
        key: line.key,
        status: String(task?.status ?? ""),
        trace: inWorkspace(task?.trace),
        summary: inWorkspace(task?.summary),
      },
    ];
  });
}
