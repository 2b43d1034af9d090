// Harbor tasks in containers, end to end with the real podman: a Harbor folder (FROM scratch +
// busybox) is imported, a harness's ctx.exec runs in each task's container, the hidden tests run
// after run() returns and their reward is the score, and every container is removed. `--oracle`
// scores the solutions; a Dockerfile that fails shows its build log. Under CI the engine is required.
import { db, disconnectDb } from "../helpers/db.ts";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { createExampleProject, createProject } from "../../lib/projects/create.ts";
import { STUDIO_LABEL } from "../../lib/runner/containers/engine.ts";
import { runOracle } from "../../lib/runner/containers/session.ts";
import { readContainerSpec } from "../../lib/suites/container-spec.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";

const engine = spawnSync("podman", ["--version"]).status === 0;
if (process.env.CI === "true" && !engine)
  throw new Error("CI requires podman for the container tests (apt-get install podman runc iptables busybox-static)");

const fixture = path.resolve(import.meta.dirname, "../fixtures/harbor");
const folders: string[] = [];
let fake: FakeAnthropic;

const HARNESS = `
export default {
  async run(task, ctx) {
    const hidden = await ctx.exec("ls /tests /solution");
    await ctx.exec("cat /proc/net/dev");
    const reply = await ctx.model.messages.create({
      model: "claude-haiku-5-5",
      max_tokens: 100,
      messages: [{ role: "user", content: task.input }],
    });
    const command = reply.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    const done = await ctx.exec(command);
    return { hiddenExit: hidden.exitCode, command, exit: done.exitCode };
  },
};
`;

/** The fixture with this machine's busybox in each environment, plus a task whose build fails. */
function harborFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-harbor-it-"));
  folders.push(dir);
  fs.cpSync(fixture, dir, { recursive: true });
  fs.cpSync(path.join(dir, "write-greeting"), path.join(dir, "broken-build"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "broken-build/environment/Dockerfile"),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "echo compiling the widget; exit 3"]\n',
  );
  fs.writeFileSync(
    path.join(dir, "splits.json"),
    JSON.stringify({ "write-greeting": "search", "broken-build": "search", "sum-numbers": "test" }),
  );
  for (const task of ["write-greeting", "sum-numbers", "broken-build"])
    fs.copyFileSync("/bin/busybox", path.join(dir, task, "environment/busybox"));
  fs.writeFileSync(path.join(dir, "harness.ts"), HARNESS);
  return dir;
}

function ourContainers(): string {
  const listed = spawnSync("podman", ["ps", "-a", "-q", "--filter", `label=${STUDIO_LABEL}`], { encoding: "utf8" });
  return listed.stdout.trim();
}

beforeAll(async () => {
  fake = await startFakeAnthropic({
    respond: (request) => {
      const text = JSON.stringify(request.body.messages ?? []);
      if (text.includes("greeting.txt")) return { text: "echo hello > greeting.txt" };
      if (text.includes("numbers.txt")) return { text: "awk '{ s += $1 } END { print s }' numbers.txt > total.txt" };
      return { text: "true" };
    },
  });
});
afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

describe.skipIf(!engine)("Harbor tasks in containers (podman)", () => {
  it("imports, runs ctx.exec in each task's container, verifies with the hidden tests, removes the containers", async () => {
    const dir = harborFolder();
    const created = await createProject({
      suiteDir: dir,
      harnessFile: path.join(dir, "harness.ts"),
      harbor: {},
    });
    expect(created.tasks).toEqual({ search: 2, test: 1 });

    const runs: Record<string, Awaited<ReturnType<typeof taskRun>>> = {};
    for (const split of ["search", "test"] as const) {
      const { evaluationId } = await prepareEvaluation(created.seedCandidateId, split);
      await runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "k", concurrency: 2 });
      for (const { id } of await db.taskRun.findMany({ where: { evaluationId }, select: { id: true } })) {
        const run = await taskRun(id);
        runs[run.task.key] = run;
      }
    }

    for (const [key, rewardFile] of [
      ["write-greeting", "/logs/verifier/reward.txt"],
      ["sum-numbers", "/logs/verifier/reward.json"],
    ] as const) {
      const run = runs[key];
      expect(run, key).toMatchObject({ status: "passed", score: 1 });
      const notes = run.events.filter((e) => e.kind === "note").map((e) => e.preview);
      const name = /container (studio-task-[0-9a-f]+) started/.exec(notes[0])?.[1];
      expect(notes[0]).toMatch(/network none/);
      expect(notes.at(-1)).toBe(`container ${name} removed`);

      const execs = run.events.filter((e) => e.kind === "exec").map((e) => e.body as Record<string, unknown>);
      expect(execs.map((e) => [e.container, e.cwd])).toEqual(Array(3).fill([name, "/app"]));
      // The tests and the solution are not in the container while the harness runs.
      expect(execs[0].exitCode).not.toBe(0);
      expect(execs[0].stderr).toMatch(/\/tests.*No such file/);
      // No network but loopback.
      const interfaces = String(execs[1].stdout)
        .split("\n")
        .slice(2)
        .map((line) => line.split(":")[0].trim())
        .filter(Boolean);
      expect(interfaces).toEqual(["lo"]);

      const grade = run.events.find((e) => e.kind === "grade")!.body as {
        verifier: { reward: number; rewardFile: string; exitCode: number; stdout: string };
      };
      expect(grade.verifier).toMatchObject({ reward: 1, rewardFile, exitCode: 0 });
    }
    expect(runs["write-greeting"].events.find((e) => e.kind === "grade")!.body).toMatchObject({
      verifier: { stdout: "greeting.txt says hello\n" },
    });

    // A Dockerfile that fails: the task run errors with the build log, and the harness never ran.
    const broken = runs["broken-build"];
    expect(broken).toMatchObject({ status: "error", errorKind: "environment" });
    expect(broken.errorMessage).toMatch(/Building the image of task "broken-build" failed \(exit \d+\)/);
    expect(broken.errorMessage).toContain("compiling the widget");
    expect(broken.events.some((e) => e.kind === "exec")).toBe(false);

    expect(ourContainers()).toBe("");
  }, 240_000);

  it("--oracle: each task's solution/solve.sh scores 1.0", async () => {
    const dir = harborFolder();
    const created = await createProject({ suiteDir: dir, harnessFile: path.join(dir, "harness.ts"), harbor: {} });
    const tasks = await db.task.findMany({
      where: { suite: { projectId: created.projectId }, key: { not: "broken-build" } },
      select: { key: true, container: true },
    });
    const scores = await Promise.all(
      tasks.map(async (task) => [task.key, (await runOracle(readContainerSpec(task.container)!)).score]),
    );
    expect(Object.fromEntries(scores)).toEqual({ "write-greeting": 1, "sum-numbers": 1 });
    expect(ourContainers()).toBe("");
  }, 120_000);
});

describe.skipIf(!engine || !fs.existsSync("/bin/busybox"))("the bundled harbor-tasks example", () => {
  it("runs offline through the shell loop, and every oracle solution scores 1.0", async () => {
    const created = await createExampleProject("harbor-tasks");
    expect(created.tasks).toEqual({ search: 5, test: 3 });
    const { evaluationId } = await prepareEvaluation(created.seedCandidateId, "search", { simulated: true });
    const summary = await runEvaluation(evaluationId, { concurrency: 2 });
    expect(summary).toMatchObject({ status: "done", passed: 5, errors: 0 });

    const tasks = await db.task.findMany({
      where: { suite: { projectId: created.projectId } },
      select: { key: true, container: true },
    });
    const scores = await Promise.all(
      tasks.map(async (task) => (await runOracle(readContainerSpec(task.container)!)).score),
    );
    expect(scores).toEqual(Array(8).fill(1));
    expect(ourContainers()).toBe("");
  }, 300_000);
});

async function taskRun(id: string) {
  const run = await db.taskRun.findUniqueOrThrow({
    where: { id },
    select: {
      status: true,
      score: true,
      errorKind: true,
      errorMessage: true,
      task: { select: { key: true } },
      events: { orderBy: { seq: "asc" }, select: { kind: true, preview: true, body: true } },
    },
  });
  return run;
}
