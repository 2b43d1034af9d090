// `studio workers`: the job workers that are up, on any machine sharing this database: host,
// slots, slots in use, last heartbeat and the work each holds.
import { parseArgs } from "node:util";
import { liveWorkers, type LiveWorker } from "../jobs/workers.ts";
import { withDatabase } from "./database.ts";

export async function workersCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } } });
  return withDatabase(async () => {
    const workers = await liveWorkers();
    if (values.json) {
      process.stdout.write(`${JSON.stringify(workers)}\n`);
      return 0;
    }
    process.stdout.write(`${workersText(workers).join("\n")}\n`);
    return 0;
  });
}

export function workersText(workers: LiveWorker[]): string[] {
  if (workers.length === 0)
    return [
      "No job worker is up: `studio start` runs one, `studio worker` runs one on its own (any machine, same DATABASE_URL).",
    ];
  const slots = workers.reduce((sum, worker) => sum + worker.slots, 0);
  const busy = workers.reduce((sum, worker) => sum + worker.busy, 0);
  const header = ["worker", "slots", "busy", "heartbeat", "work"];
  const rows = workers.map((worker) => [
    worker.id,
    String(worker.slots),
    String(worker.busy),
    `${worker.silentSeconds} s ago`,
    worker.work.length
      ? worker.work.map((work) => `${work.kind} (${work.what}) in ${work.projectName}`).join("; ")
      : "idle",
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join("  ")
      .trimEnd();
  return [
    `${workers.length} worker${workers.length === 1 ? "" : "s"} up, ${busy} of ${slots} slots busy:`,
    format(header),
    ...rows.map(format),
  ];
}
