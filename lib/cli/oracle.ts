// `studio eval --oracle`: checks an imported Harbor suite by running each task's solution/solve.sh
// in its container in place of a harness, then its tests. Nothing is stored: it is a check of the
// tasks, not an evaluation of a candidate. Exits 1 unless every task scores 1.
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { runOracle } from "../runner/containers/session.ts";
import { readContainerSpec } from "../suites/container-spec.ts";

export async function oracleCommand(
  projectId: string,
  split: "search" | "test" | null,
  options: { json?: boolean; concurrency?: number },
): Promise<number> {
  const tasks = await db.task.findMany({
    where: { suite: { projectId }, ...(split ? { split } : {}) },
    select: { key: true, split: true, container: true },
    orderBy: { position: "asc" },
  });
  const specs = tasks.map((task) => ({ task, spec: readContainerSpec(task.container) }));
  if (specs.length === 0 || specs.some((entry) => !entry.spec))
    throw new StudioError(
      "--oracle checks Harbor tasks (imported with `studio project create --harbor DIR`); this project's tasks have no solution/solve.sh to run.",
    );
  const results: { task: string; split: string; score: number; message: string }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < specs.length) {
      const { task, spec } = specs[next++];
      const outcome = await runOracle(spec!);
      const result = { task: task.key, split: task.split, score: outcome.score, message: outcome.message };
      results.push(result);
      if (options.json) process.stdout.write(JSON.stringify(result) + "\n");
      else process.stderr.write(`${task.key} (${task.split}): reward ${result.score}  ${result.message}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, specs.length) }, lane));
  const perfect = results.filter((result) => result.score === 1).length;
  const summary = `Oracle: ${perfect} of ${results.length} tasks score 1.0 with their solution/solve.sh.`;
  if (options.json) process.stdout.write(JSON.stringify({ oracle: true, tasks: results.length, perfect }) + "\n");
  else process.stdout.write(summary + "\n");
  return perfect === results.length ? 0 : 1;
}
