// Every limit of the proposers, in one place. The tool limits bound what one tool result puts
// into the model's context; nothing is summarised: what does not fit is paged, and the result
// says how to get the rest.

/** read_file: at most this many lines per page... */
export const READ_PAGE_LINES = 2_000;
/** ...and at most this many characters per page (about 15K tokens). */
export const READ_PAGE_CHARS = 60_000;
/**
 * A line longer than this is cut within a multi-line page (trace lines hold whole model
 * requests); asking for that one line alone shows up to READ_PAGE_CHARS of it, from char_offset.
 */
export const READ_LINE_CHARS = 8_000;

/** list_dir: entries shown. */
export const LIST_ENTRIES = 500;

/** grep: matching lines shown; the search stops after this many. */
export const GREP_MATCHES = 200;
/** grep: characters of one matching line shown, around the first match. */
export const GREP_LINE_CHARS = 400;
/** grep: total characters of output. */
export const GREP_OUTPUT_CHARS = 40_000;
/** grep: files larger than this are skipped (and named), so one grep cannot stall an iteration. */
export const GREP_FILE_BYTES = 256 * 1024 * 1024;

/** write_file: a harness is one readable module; anything larger is a mistake. */
export const WRITE_FILE_BYTES = 1024 * 1024;
/** collect: harness.ts files larger than this are not proposals. */
export const HARNESS_BYTES = 1024 * 1024;

/** Claude proposer: max_tokens per model call (below the SDK's 21,333 non-streaming ceiling). */
export const DEFAULT_MAX_OUTPUT_TOKENS = 16_000;
/** Claude proposer: one model request may take this long. */
export const MODEL_REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/** Claude proposer: the context window of a model the table in context.ts does not know. */
export const DEFAULT_CONTEXT_WINDOW = 200_000;
/** Claude proposer: overrides every model's context window (tokens), e.g. for a proxy with a smaller one. */
export const CONTEXT_WINDOW_ENV = "STUDIO_PROPOSER_CONTEXT_WINDOW";
/** Claude proposer: a request may fill this share of (window - max_tokens); the rest covers the estimate's error. */
export const CONTEXT_HEADROOM = 0.9;
/** Claude proposer: when over the limit, old tool results are cleared down to this share of it, so clearing (which invalidates the prompt cache) happens every few turns, not every turn. */
export const CONTEXT_CLEAR_TO = 0.6;
/** Claude proposer: after a 400 "prompt is too long", the limit drops to this share of the refused request. */
export const CONTEXT_RETRY_SHRINK = 0.7;
/** Claude proposer: older tool inputs longer than this (a written file) are cleared after all old results. */
export const CONTEXT_INPUT_KEEP_CHARS = 2_000;
/** Claude proposer: characters of the read list in the system prompt. */
export const CONTEXT_READ_LIST_CHARS = 20_000;

/** Command proposer: default wall-clock limit. */
export const COMMAND_TIMEOUT_MS = 60 * 60 * 1000;
/**
 * Command proposer: stdout and stderr are each recorded up to this many bytes. Larger than a
 * task run's 1 MiB: a coding agent's stream-json transcript (with the files it read) is the
 * iteration's record.
 */
export const COMMAND_OUTPUT_BYTES = 8 * 1024 * 1024;
/** Command proposer: after SIGTERM, the process group gets this long before SIGKILL. */
export const COMMAND_KILL_GRACE_MS = 3_000;
/**
 * Command proposer: its sandbox's limits. A coding agent runs many threads and tools (RLIMIT_NPROC
 * counts threads), and keeps its scratch files in the private /tmp (RAM-backed under bubblewrap).
 */
export const COMMAND_LIMITS = { maxProcesses: 512, maxFileMb: 1024, tmpSizeMb: 512 } as const;
/**
 * Command proposer: the resident memory of its whole process tree (a coding agent and the tools it
 * starts), measured by the sandbox's RSS poll; past it the tree is killed.
 */
export const COMMAND_MEMORY_MB = 4096;
/** Command proposer: characters of stderr quoted in the error of a failed command. */
export const STDERR_TAIL_CHARS = 2_000;

/** Claude proposer's bash tool: the time limit of one call (the model may ask for less). */
export const BASH_TIMEOUT_MS = 60_000;
/** bash: output kept per call (stdout and stderr together); the rest is counted and said. */
export const BASH_OUTPUT_BYTES = 64 * 1024;
/** bash: the resident memory of one call's process tree (RSS poll); past it the call is killed. */
export const BASH_MEMORY_MB = 1024;
/** bash: its sandbox's limits (processes count threads; node alone runs about a dozen). */
export const BASH_LIMITS = { maxProcesses: 256, maxFileMb: 256, tmpSizeMb: 256 } as const;
