// Every limit of the sandbox in one place, so the UI, the CLI and the tests quote the same numbers.
// The child (host.ts) imports this file too: it may import only pure modules (lib/format.ts).

import { formatBytes } from "../../format.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

export const SANDBOX_DEFAULTS = {
  /** Resident memory of the worker's whole process tree; also sizes the V8 heap. */
  memoryMb: 1024,
  /** RLIMIT_NPROC for the sandbox uid. Counts threads too: a bare Node worker uses about 11. */
  maxProcesses: 64,
  /** Largest single file the harness may write (RLIMIT_FSIZE), so a loop cannot fill the disk. */
  maxFileMb: 1024,
  /** Size of the private /tmp under bubblewrap (it is RAM-backed, and not counted as RSS). */
  tmpSizeMb: 256,
  /** Time for the worker to start and load the harness module. */
  startTimeoutMs: 20_000,
  /** After the time limit the harness's ctx.signal aborts; the worker is killed this much later. */
  killGraceMs: 250,
  /** How often the worker's process tree is measured. */
  memoryPollMs: 100,
  /** CPU priority of workers (nice): below the studio's, so its pages, proxy and trace writer stay responsive. */
  niceness: 10,
} as const;

export const OUTPUT_LIMITS = {
  /** stdout and stderr are each kept up to this many bytes per task... */
  streamKeepBytes: 1 * MiB,
  /** ...and past this many discarded bytes in one task the worker is killed (kind output_limit). */
  streamDiscardCeilingBytes: 256 * MiB,
  /** ctx.exec keeps this much of each of the command's streams. */
  execKeepBytes: 1 * MiB,
  /** One ctx.log value, serialised; bigger values are replaced by a truncated preview. */
  logValueBytes: 64 * KiB,
  /** All events of one task (logs, execs, exceptions) on the control channel; later events are dropped. */
  eventBudgetBytes: 32 * MiB,
  /** Past this many control-channel bytes in one task the worker is killed (kind output_limit). */
  controlCeilingBytes: 256 * MiB,
  /** The task's final output (or grade), serialised as JSON. */
  outputBytes: 8 * MiB,
  /** One control-channel line (bigger means a broken or hostile child). */
  controlLineBytes: 24 * MiB,
  /**
   * ctx.model requests with a longer body go over HTTP rather than the control channel, so their
   * line stays under controlLineBytes even when JSON escaping swells it sixfold.
   */
  channelBodyChars: 2 * MiB,
  /** How much of a dying worker's stderr is kept to explain the death (heap exhaustion, crash). */
  stderrTailBytes: 8 * KiB,
} as const;

/** The visible marker appended where output was cut. */
export function cutMarker(cutBytes: number): string {
  return `\n[studio: ${formatBytes(cutBytes)} more output cut]`;
}
