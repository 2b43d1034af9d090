// The trace store's limits in one place, so the writer, the builder, the workspace's README and
// the tests quote the same numbers.

const MiB = 1024 * 1024;

/** One event body is kept whole up to this size; past it, the body says what was cut. */
export const TRACE_BODY_LIMIT_BYTES = 8 * MiB;

/**
 * The most JSON one write statement carries (task runs, or their events). Postgres refuses a
 * value or parameter over 1 GB and parses a jsonb document in memory several times its size, so
 * agentic traces (5–20 MB a task) are written in statements of about this size, not by count.
 * One event larger than this (a cut body full of escapes) goes in a statement of its own.
 */
export const TRACE_BATCH_LIMIT_BYTES = 32 * MiB;

/** Finished task runs waiting to be written, in bytes: past this, lanes wait for the writer. */
export const TRACE_QUEUE_LIMIT_BYTES = 4 * TRACE_BATCH_LIMIT_BYTES;
