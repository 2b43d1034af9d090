// `studio worker`: a job worker on its own (the start command runs one beside the web server).
import { openDatabase } from "../db/database.ts";
import { disconnectDb } from "../db/client.ts";
import { startJobWorker } from "../jobs/worker.ts";
import { parseArgs } from "node:util";
import { slotsOption } from "./slots.ts";

export async function workerCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { slots: { type: "string" } } });
  const slots = slotsOption(values.slots);
  const log = (line: string) => console.log(`[worker] ${line}`);
  const database = await openDatabase({ log });
  const worker = await startJobWorker(log, { slots });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    // Started by a studio: end with it, even when it was killed without a chance to say so.
    if (process.env.STUDIO_PARENT_PID) {
      const parent = Number(process.env.STUDIO_PARENT_PID);
      setInterval(() => {
        if (process.ppid !== parent) stop();
      }, 1_000).unref();
    }
  });
  log("Stopping…");
  await worker.stop();
  await disconnectDb().catch(() => {});
  await database.close();
  return 0;
}
