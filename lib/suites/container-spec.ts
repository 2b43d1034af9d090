// What a task that runs in a container carries (Task.container): written by the Harbor importer
// (harbor.ts), read by the runner's container backend (lib/runner/containers/). Files travel as
// { relative posix path: base64 }, like env files.
import { z } from "zod";

const files = z.record(z.string(), z.string());

export const containerSpecSchema = z.object({
  /** The task's folder name, for messages. */
  task: z.string(),
  /** `[environment] docker_image`: used when the task has no environment/Dockerfile. */
  image: z.string().nullable(),
  /** environment/ (the build context, Dockerfile at its root); null when the task names an image only. */
  context: files.nullable(),
  /** tests/: copied to /tests only after run() returns. */
  tests: files,
  /** solution/: copied to /solution by `studio eval --oracle` only. */
  solution: files.nullable(),
  /** Seconds. */
  agentTimeoutSec: z.number().positive(),
  verifierTimeoutSec: z.number().positive(),
  buildTimeoutSec: z.number().positive(),
  cpus: z.number().positive().nullable(),
  memoryMb: z.number().int().positive().nullable(),
  allowInternet: z.boolean(),
  /** `[verifier] env`: variables test.sh runs with. */
  verifierEnv: z.record(z.string(), z.string()),
});
export type ContainerSpec = z.infer<typeof containerSpecSchema>;

/** Task.container read back from the database; null for a task without one. */
export function readContainerSpec(stored: unknown): ContainerSpec | null {
  if (stored === null || stored === undefined) return null;
  const parsed = containerSpecSchema.safeParse(stored);
  if (!parsed.success) throw new Error(`Task.container is not a valid container spec: ${parsed.error.message}`);
  return parsed.data;
}
