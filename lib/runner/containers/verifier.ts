// The verifier: after run() returns, the task's tests/ (hidden until now) are copied to /tests
// and test.sh runs in the same container under the verifier's time limit, with bash where the
// image has it and sh otherwise (busybox images have no bash). The reward is read from
// /logs/verifier/reward.txt (a number) or reward.json ({ "reward": n }, or the mean of its numbers).
import type { ContainerSpec } from "../../suites/container-spec.ts";
import type { TaskContainer } from "./container.ts";

export interface VerifierBody {
  /** The reward test.sh wrote, or null when it wrote none that could be read. */
  reward: number | null;
  /** Where the reward came from. */
  rewardFile: string | null;
  exitCode: number | null;
  timedOut: boolean;
  /** test.sh's stdout and stderr. */
  stdout: string;
  stderr: string;
  durationMs: number;
}

export type Verdict = { ok: true; body: VerifierBody } | { ok: false; message: string; body: VerifierBody };

const TEST_COMMAND =
  "if command -v bash >/dev/null 2>&1; then exec bash /tests/test.sh; else exec sh /tests/test.sh; fi";
const READ_REWARD =
  "if [ -f /logs/verifier/reward.txt ]; then echo reward.txt; cat /logs/verifier/reward.txt; " +
  "elif [ -f /logs/verifier/reward.json ]; then echo reward.json; cat /logs/verifier/reward.json; fi";

export async function runVerifier(container: TaskContainer, spec: ContainerSpec): Promise<Verdict> {
  await container.copyIn(spec.tests, "/tests");
  const ran = await container.exec(TEST_COMMAND, {
    timeoutMs: spec.verifierTimeoutSec * 1000,
    env: spec.verifierEnv,
  });
  const read = await container.exec(READ_REWARD, { timeoutMs: 30_000 });
  const [file = "", ...rest] = read.stdout.split("\n");
  const parsed = file ? parseReward(file, rest.join("\n")) : { reward: null, problem: "test.sh wrote no reward" };
  const body: VerifierBody = {
    reward: parsed.reward,
    rewardFile: file ? `/logs/verifier/${file}` : null,
    exitCode: ran.exitCode,
    timedOut: ran.timedOut,
    stdout: ran.stdout,
    stderr: ran.stderr,
    durationMs: ran.durationMs,
  };
  if (ran.timedOut) return { ok: false, message: `the tests did not finish within ${spec.verifierTimeoutSec} s`, body };
  if (parsed.reward === null)
    return {
      ok: false,
      message: `${parsed.problem} (/logs/verifier/reward.txt or reward.json); test.sh exited ${ran.exitCode}`,
      body,
    };
  return { ok: true, body };
}

export function parseReward(file: string, text: string): { reward: number | null; problem: string } {
  let reward: number | null = null;
  if (file === "reward.txt") {
    const n = Number(text.trim());
    reward = text.trim() !== "" && Number.isFinite(n) ? n : null;
  } else {
    try {
      const value = JSON.parse(text) as unknown;
      const numbers =
        typeof value === "number"
          ? [value]
          : value && typeof value === "object" && typeof (value as { reward?: unknown }).reward === "number"
            ? [(value as { reward: number }).reward]
            : Object.values(value ?? {}).filter((v): v is number => typeof v === "number");
      reward = numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
    } catch {
      reward = null;
    }
  }
  if (reward === null) return { reward, problem: `${file} holds no reward: ${JSON.stringify(text.slice(0, 80))}` };
  if (reward < 0 || reward > 1) return { reward: null, problem: `${file} holds ${reward}, outside 0 to 1` };
  return { reward, problem: "" };
}
