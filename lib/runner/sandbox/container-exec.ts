// The studio's end of ctx.exec for a task that runs in a container: the worker asks over the
// control channel, the studio execs the command in the task's container, records the `exec`
// event (it ran the command, so its record is the studio's, not the harness's) and answers.
// The request is untrusted: its shape is checked before anything runs.
import type { ChildEvent, ExecAnswerMessage, ExecCallMessage } from "./protocol.ts";
import type { ContainerExecServer } from "./worker-options.ts";

export async function serveContainerExec(
  message: ExecCallMessage,
  server: ContainerExecServer | null,
  record: (event: ChildEvent) => void,
  reply: (answer: ExecAnswerMessage) => void,
): Promise<void> {
  const { id, command, timeoutMs, input } = message;
  if (!Number.isSafeInteger(id)) return;
  const refuse = (error: string) =>
    reply({
      t: "exec-reply",
      id,
      stdout: "",
      stderr: "",
      exitCode: null,
      signal: null,
      timedOut: false,
      durationMs: 0,
      error,
    });
  if (
    typeof command !== "string" ||
    typeof timeoutMs !== "number" ||
    (input !== undefined && typeof input !== "string")
  )
    return refuse("a malformed exec request");
  if (!server) return refuse("this task has no container");
  try {
    const result = await server.exec(command, { timeoutMs, input });
    record({ kind: "exec", command, cwd: server.workdir, container: server.name, ...result });
    reply({ t: "exec-reply", id, ...result });
  } catch (error) {
    refuse((error as Error).message);
  }
}
