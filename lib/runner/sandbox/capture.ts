// One of the worker's output streams (stdout or stderr), cut into per-task pieces.
// The worker serves many tasks in a row on the same pipes; at the end of each task the host writes
// a sentinel the studio chose for that task, and everything before it belongs to that task.
// Each piece keeps its first `keepBytes` and counts the rest; the pipe is always drained, so a
// flooding harness cannot block, and past `ceilingBytes` discarded the owner is told to kill it.
import { StringDecoder } from "node:string_decoder";
import { cutMarker } from "./limits.ts";

export interface StreamCapture {
  /** What was kept, with a visible marker where the rest was cut. */
  text: string;
  /** Everything the task wrote to the stream. */
  bytes: number;
  /** How much of `bytes` was not kept. */
  truncatedBytes: number;
}

export interface StreamHandlers {
  /** Kept text, as it arrives (for the trace's ordered events). */
  onText: (text: string) => void;
  /** The current task's sentinel arrived: its piece is sealed. */
  onSentinel: () => void;
  /** The current piece discarded more than the ceiling. */
  onCeiling: (discardedBytes: number) => void;
}

const EMPTY = Buffer.alloc(0);

/**
 * How many bytes at the end of `data` could be the start of `sentinel` (split across two reads).
 * Only those are held back, so ordinary output reaches the trace at once.
 */
function partialSentinelAtEnd(data: Buffer, sentinel: Buffer): number {
  for (let k = Math.min(data.length, sentinel.length - 1); k > 0; k--) {
    const at = data.length - k;
    if (data[at] === sentinel[0] && data.subarray(at).equals(sentinel.subarray(0, k))) return k;
  }
  return 0;
}

export class TaskStream {
  private parts: Buffer[] = [];
  private kept = 0;
  private total = 0;
  private ceilingReported = false;
  private decoder = new StringDecoder("utf8");
  private sentinel: Buffer | null = null;
  /** Bytes held back because they might be the start of the sentinel. */
  private carry: Buffer = EMPTY;
  private sealed: StreamCapture | null = null;
  private tailBuffer: Buffer = EMPTY;

  constructor(
    private readonly keepBytes: number,
    private readonly ceilingBytes: number,
    private readonly tailBytes: number,
    private readonly handlers: StreamHandlers,
  ) {}

  /** Starts watching for the current task's sentinel. */
  expect(sentinel: string): void {
    this.sentinel = Buffer.from(sentinel, "utf8");
    this.sealed = null;
  }

  push(chunk: Buffer): void {
    this.remember(chunk);
    let data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = EMPTY;
    if (this.sentinel) {
      const at = data.indexOf(this.sentinel);
      if (at !== -1) {
        this.accept(data.subarray(0, at));
        data = data.subarray(at + this.sentinel.length);
        this.sealed = this.snapshot();
        this.sentinel = null;
        this.handlers.onSentinel();
      } else {
        const hold = partialSentinelAtEnd(data, this.sentinel);
        this.carry = Buffer.from(data.subarray(data.length - hold));
        data = data.subarray(0, data.length - hold);
      }
    }
    this.accept(data);
  }

  /** The current task's piece: sealed by its sentinel, or (when the worker died) all that came. */
  take(): StreamCapture {
    if (this.sealed) {
      const sealed = this.sealed;
      this.sealed = null;
      return sealed;
    }
    this.accept(this.carry);
    this.carry = EMPTY;
    this.sentinel = null;
    return this.snapshot();
  }

  /** The last bytes the stream carried, whatever was kept: how a dying worker explains itself. */
  tail(): string {
    return this.tailBuffer.toString("utf8");
  }

  private accept(data: Buffer): void {
    if (!data.length) return;
    this.total += data.length;
    const room = this.keepBytes - this.kept;
    if (room > 0) {
      const piece = data.length > room ? data.subarray(0, room) : data;
      this.parts.push(Buffer.from(piece)); // copy: the pipe's chunk is large and would stay alive
      this.kept += piece.length;
      const text = this.decoder.write(piece);
      if (text) this.handlers.onText(text);
    }
    const discarded = this.total - this.kept;
    if (discarded > this.ceilingBytes && !this.ceilingReported) {
      this.ceilingReported = true;
      this.handlers.onCeiling(discarded);
    }
  }

  private snapshot(): StreamCapture {
    const cut = this.total - this.kept;
    const rest = this.decoder.end();
    if (rest) this.handlers.onText(rest);
    const capture = {
      text: Buffer.concat(this.parts).toString("utf8") + (cut ? cutMarker(cut) : ""),
      bytes: this.total,
      truncatedBytes: cut,
    };
    this.parts = [];
    this.kept = 0;
    this.total = 0;
    this.ceilingReported = false;
    this.decoder = new StringDecoder("utf8");
    return capture;
  }

  private remember(chunk: Buffer): void {
    if (chunk.length >= this.tailBytes) this.tailBuffer = Buffer.from(chunk.subarray(chunk.length - this.tailBytes));
    else {
      const joined = Buffer.concat([this.tailBuffer, chunk]);
      this.tailBuffer = joined.subarray(Math.max(0, joined.length - this.tailBytes));
    }
  }
}
