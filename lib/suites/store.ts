// Writes a loaded suite to Postgres: one TaskSuite row and its Task rows.
// passThreshold has no column of its own; it rides inside the grader JSON ({ ...grader, passThreshold })
// so the schema stays as is. readStoredGrader is the one place that splits it out again.
import { Prisma } from "../db/client.ts";
import {
  DEFAULT_PASS_THRESHOLD,
  graderConfigSchema,
  describeIssues,
  type GraderConfig,
  type SuiteConfig,
} from "./format.ts";
import type { LoadedSuite } from "./load.ts";

/**
 * Tasks per INSERT. Postgres allows 65,535 bind parameters per statement and each task takes
 * about ten, so large suites are written in batches (all inside the caller's transaction).
 */
const TASKS_PER_INSERT = 1000;

/**
 * Saves `suite` as the project's task suite. Run it inside `db.$transaction(tx => saveSuite(tx, …))`:
 * the writes are several statements, and only the transaction makes a failed import leave nothing.
 * A project has at most one suite (TaskSuite.projectId is unique), so saving a second one fails.
 */
export async function saveSuite(
  tx: Prisma.TransactionClient,
  projectId: string,
  suite: LoadedSuite,
): Promise<{ suiteId: string }> {
  const { config } = suite;
  const { id: suiteId } = await tx.taskSuite.create({
    data: {
      projectId,
      name: config.name,
      description: config.description,
      mode: config.mode,
      grader: storedGrader(config),
      graderSource: suite.graderSource,
      timeoutMs: config.timeoutMs,
    },
    select: { id: true },
  });

  for (let start = 0; start < suite.tasks.length; start += TASKS_PER_INSERT) {
    await tx.task.createMany({
      data: suite.tasks.slice(start, start + TASKS_PER_INSERT).map((task) => ({
        suiteId,
        key: task.key,
        split: task.split,
        position: task.position,
        input: jsonValue(task.input),
        expected: jsonValue(task.expected),
        // SQL NULL for "none": these columns are nullable, unlike input and expected.
        meta: task.meta === null ? Prisma.DbNull : (task.meta as Prisma.InputJsonObject),
        envFiles: task.envFiles === null ? Prisma.DbNull : task.envFiles,
        ...(task.container ? { container: task.container as Prisma.InputJsonObject } : {}),
      })),
    });
  }
  return { suiteId };
}

/**
 * Prisma's types refuse a bare `null` for a Json column, and for a nullable column it would be
 * ambiguous: Prisma.JsonNull says "the JSON value null". `"expected": null` is a legitimate answer.
 */
function jsonValue(value: unknown): Prisma.InputJsonValue | typeof Prisma.JsonNull {
  return value === null ? Prisma.JsonNull : (value as Prisma.InputJsonValue);
}

/** The TaskSuite.grader column: the grader config with the suite's passThreshold folded in. */
export function storedGrader(config: SuiteConfig): Prisma.InputJsonObject {
  return { ...config.grader, passThreshold: config.passThreshold };
}

/** Reads TaskSuite.grader back into the grader config and the pass threshold. */
export function readStoredGrader(stored: unknown): { grader: GraderConfig; passThreshold: number } {
  const { passThreshold, ...grader } = (stored ?? {}) as Record<string, unknown>;
  const parsed = graderConfigSchema.safeParse(grader);
  if (!parsed.success)
    throw new Error(
      `TaskSuite.grader is not a valid grader config: ${describeIssues(parsed.error, grader).join("; ")}`,
    );
  return {
    grader: parsed.data,
    passThreshold: typeof passThreshold === "number" ? passThreshold : DEFAULT_PASS_THRESHOLD,
  };
}
