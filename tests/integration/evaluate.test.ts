// The evaluation engine end to end: a suite folder and a harness become a project; the
// harness runs in the sandbox with the official SDK talking to a fake Anthropic server
// through the recording proxy; task runs and raw traces land in Postgres.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import type { Prisma } from "../../lib/db/client.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { runCheckTasks } from "../../lib/evaluations/check-run.ts";
import { probeMemoryLimit } from "../../lib/runner/sandbox/memory-limit.ts";

let fake: FakeAnthropic;
const folders: string[] = [];

beforeAll(async () => {
  fake = await startFakeAnthropic({
    requireApiKey: "the-real-key",
    respond: (request) => {
      const text = JSON.stringify(request.body.messages ?? []);
      const sum = /What is (\d+)\+(\d+)/.exec(text);
      return { text: sum ? `The answer is ${Number(sum[1]) + Number(sum[2])}.` : "I do not know." };
    },
  });
});
afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

interface SuiteSpec {
  suite: Record<string, unknown>;
  tasks: Record<string, unknown>[];
  harness: string;
  files?: Record<string, string>;
}

async function project(spec: SuiteSpec, settings: Prisma.InputJsonObject = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-eval-test-"));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "test suite", description: "A suite for tests.", mode: "independent", ...spec.suite }),
  );
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), spec.tasks.map((task) => JSON.stringify(task)).join("\n"));
  for (const [file, content] of Object.entries(spec.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, "suite", file)), { recursive: true });
    fs.writeFileSync(path.join(dir, "suite", file), content);
  }
  fs.writeFileSync(path.join(dir, "harness.ts"), spec.harness);
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  if (Object.keys(settings).length) await db.project.update({ where: { id: created.projectId }, data: { settings } });
  return created;
}

async function evaluate(candidateId: string, split: "search" | "test" = "search") {
  const { evaluationId } = await prepareEvaluation(candidateId, split);
  return runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "the-real-key", concurrency: 2 });
}

async function trace(evaluationId: string, key: string) {
  const run = await db.taskRun.findFirstOrThrow({
    where: { evaluationId, task: { key } },
    include: { events: { orderBy: { seq: "asc" } } },
  });
  return run;
}

const sums = Array.from({ length: 6 }, (_, i) => ({
  id: `sum-${i}`,
  input: { a: i, b: i + 1 },
  expected: 2 * i + 1,
  split: i < 4 ? "search" : "test",
}));

const modelHarness = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { a: number; b: number } }, ctx: { model: Anthropic; log: (v: unknown) => void }) {
    ctx.log({ asking: task.input });
    const prompt = "What is " + task.input.a + "+" + task.input.b + "?";
    if (task.input.a % 2 === 0) {
      const reply = await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: prompt }] });
      return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
    }
    const stream = ctx.model.messages.stream({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: prompt }] });
    const message = await stream.finalMessage();
    console.log("streamed", message.usage.output_tokens, "tokens");
    return message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;

describe("an independent suite", () => {
  it("scores every task, with each model call recorded raw and attributed to its task run", async () => {
    const { seedCandidateId } = await project({
      suite: { grader: { type: "numeric" } },
      tasks: sums,
      harness: modelHarness,
    });
    const summary = await evaluate(seedCandidateId);
    expect(summary).toMatchObject({ status: "done", tasks: 4, passed: 4, failed: 0, errors: 0, score: 1 });
    expect(summary.inputTokens).toBeGreaterThan(0);
    expect(summary.outputTokens).toBeGreaterThan(0);
    expect(summary.costUsd).toBeGreaterThan(0);
    expect(["bubblewrap", "process"]).toContain(summary.isolation);
    // The memory limit the workers really had on this machine, stored like the isolation.
    expect(summary.memoryLimit).toBe((await probeMemoryLimit()).kind);

    const streamed = await trace(summary.evaluationId, "sum-1");
    const kinds = streamed.events.map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(["log", "model_call", "stdout", "output", "grade"]));
    expect(kinds.indexOf("log")).toBeLessThan(kinds.indexOf("model_call"));
    expect(kinds.at(-1)).toBe("grade");
    const call = streamed.events.find((event) => event.kind === "model_call")!;
    expect(call).toMatchObject({
      genAiSystem: "anthropic",
      genAiOperationName: "chat",
      genAiRequestModel: "claude-sonnet-5-5",
      genAiResponseFinishReasons: ["end_turn"],
    });
    const body = call.body as {
      request: { body: { messages: { content: string }[] } };
      response: { body: { content: { text: string }[] }; rawStream?: string };
      stream: boolean;
    };
    expect(body.request.body.messages[0].content).toBe("What is 1+2?");
    expect(body.stream).toBe(true);
    expect(body.response.body.content[0].text).toBe("The answer is 3.");
    expect(body.response.rawStream).toContain("event: message_start");
    expect(streamed.inputTokens).toBe(call.genAiUsageInputTokens);
    expect(streamed.eventCount).toBe(streamed.events.length);
    expect(streamed.events.map((event) => event.seq)).toEqual(streamed.events.map((_, index) => index));

    // The real key went upstream; the per-task credentials never did.
    const sent = fake.requests.filter((request) => request.path === "/v1/messages");
    expect(sent.length).toBeGreaterThanOrEqual(4);
    for (const request of sent) {
      expect(request.headers["x-api-key"]).toBe("the-real-key");
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  it("keeps going when tasks throw, hang, flood output, hunt for secrets or return junk, and says so in each trace", async () => {
    const tasks = ["ok", "throw", "hang", "flood", "secret", "junk", "ok2"].map((id) => ({
      id,
      input: id,
      expected: "fine",
      split: "search",
    }));
    const harness = `
      import fs from "node:fs";
      export default {
        async run(task: { input: string }) {
          switch (task.input) {
            case "throw": throw new Error("the harness gave up");
            case "hang": await new Promise(() => {}); return "";
            case "flood": { const line = "x".repeat(1023) + "\\n"; for (let i = 0; i < 20 * 1024; i++) process.stdout.write(line); return "fine"; }
            case "secret": {
              const found = Object.keys(process.env).filter((key) => /KEY|TOKEN|DATABASE|SECRET/i.test(key));
              let data = "unreadable";
              try { data = fs.readFileSync(${JSON.stringify(path.resolve("data", "postgres-credentials.json"))}, "utf8"); } catch (error) { console.error(String(error)); }
              return found.length === 0 && data === "unreadable" ? "fine" : "leaked " + found.join(",") + data;
            }
            case "junk": return () => 1;
            default: return "fine";
          }
        },
      };`;
    const { seedCandidateId } = await project({
      suite: { grader: { type: "exact" }, timeoutMs: 3000 },
      tasks,
      harness,
    });
    const summary = await evaluate(seedCandidateId);
    expect(summary.status).toBe("done");
    const byKey = Object.fromEntries(
      await Promise.all(tasks.map(async (task) => [task.id, await trace(summary.evaluationId, task.id)] as const)),
    );
    expect(byKey.ok.status).toBe("passed");
    expect(byKey.ok2.status).toBe("passed");
    expect(byKey.secret.status).toBe("passed");
    expect(byKey.throw).toMatchObject({ status: "error", errorKind: "throw" });
    expect(
      byKey.throw.events.some((event) => event.kind === "error" && event.preview.includes("the harness gave up")),
    ).toBe(true);
    expect(byKey.hang).toMatchObject({ status: "error", errorKind: "timeout" });
    expect(byKey.junk).toMatchObject({ status: "error", errorKind: "not_serializable" });
    expect(byKey.flood.status).toBe("passed");
    const flood = byKey.flood.events
      .filter((event) => event.kind === "stdout")
      .map((event) => (event.body as { text: string }).text)
      .join("");
    expect(flood.endsWith("MiB more output cut]")).toBe(true); // not toContain: a failure would print a megabyte
    expect(flood.length).toBeLessThan(1.1 * 1024 * 1024);
    expect(summary).toMatchObject({ passed: 4, errors: 3, tasks: 7 });
  });

  it("stops a task at its token budget with a clear API error in its trace", async () => {
    const harness = `
      import Anthropic from "@anthropic-ai/sdk";
      export default {
        async run(_task: unknown, ctx: { model: Anthropic }) {
          const ask = () => ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "What is 1+1? " + "please ".repeat(200) }] });
          await ask();
          try { await ask(); return "no budget error"; } catch (error) { return String(error); }
        },
      };`;
    const { seedCandidateId } = await project(
      {
        suite: { grader: { type: "regex", pattern: "budget" } },
        tasks: [{ id: "b", input: 1, expected: "budget", split: "search" }],
        harness,
      },
      { budgets: { task: { tokens: 50 } } },
    );
    const summary = await evaluate(seedCandidateId);
    const run = await trace(summary.evaluationId, "b");
    expect(run.status).toBe("passed");
    expect(String(run.output)).toContain("Token budget exhausted");
    const calls = run.events.filter((event) => event.kind === "model_call");
    expect(calls).toHaveLength(2);
    expect(calls[1].preview).toContain("budget");
  });
});

describe("a sequential suite", () => {
  it("runs in stream order in one worker, calling learn() after each task with its feedback", async () => {
    const tasks = ["red", "blue", "red", "green", "blue"].map((color, i) => ({
      id: `s${i}`,
      input: { key: color },
      expected: `label-${color}`,
      split: "search",
    }));
    const harness = `
      type State = { memory?: Record<string, string>; seen?: string[] };
      export default {
        async run(task: { id: string; input: { key: string } }, ctx: { state: State }) {
          (ctx.state.seen ??= []).push(task.id);
          return ctx.state.memory?.[task.input.key] ?? "unknown";
        },
        async learn(task: { input: { key: string } }, feedback: { expected: string; score: number }, ctx: { state: State; log: (v: unknown) => void }) {
          (ctx.state.memory ??= {})[task.input.key] = feedback.expected;
          ctx.log({ learned: task.input.key, score: feedback.score, seen: ctx.state.seen });
        },
      };`;
    const { seedCandidateId } = await project({
      suite: { mode: "sequential", grader: { type: "exact" } },
      tasks,
      harness,
    });
    const summary = await evaluate(seedCandidateId);
    const statuses = await Promise.all(tasks.map(async (task) => (await trace(summary.evaluationId, task.id)).status));
    expect(statuses).toEqual(["failed", "failed", "passed", "failed", "passed"]);
    const last = await trace(summary.evaluationId, "s4");
    const learned = last.events.find((event) => event.kind === "log")!.body as { value: { seen: string[] } };
    expect(learned.value.seen).toEqual(["s0", "s1", "s2", "s3", "s4"]);
  });
});

describe("a module grader", () => {
  it("inspects the task's folder after the harness changed it", async () => {
    const harness = `
      export default {
        async run(_task: unknown, ctx: { exec: (command: string) => Promise<{ stdout: string; exitCode: number }> }) {
          const before = await ctx.exec("cat greeting.txt");
          await ctx.exec("echo 'hello, world' > greeting.txt");
          return before.stdout.trim();
        },
      };`;
    const grader = `
      import fs from "node:fs";
      export default async function grade(args: { output: unknown }) {
        const text = fs.readFileSync("greeting.txt", "utf8").trim();
        return { score: text === "hello, world" ? 1 : 0, explanation: "greeting.txt says " + JSON.stringify(text) + "; the harness first saw " + JSON.stringify(args.output) };
      }`;
    const { seedCandidateId } = await project({
      suite: { grader: { type: "module" } },
      tasks: [{ id: "greet", input: null, expected: null, split: "search" }],
      harness,
      files: { "grader.ts": grader, "env/greet/greeting.txt": "hi\n" },
    });
    const summary = await evaluate(seedCandidateId);
    const run = await trace(summary.evaluationId, "greet");
    expect(run.status).toBe("passed");
    expect(run.gradeExplanation).toBe('greeting.txt says "hello, world"; the harness first saw "hi"');
    const execs = run.events.filter((event) => event.kind === "exec");
    expect(execs.map((event) => event.name)).toEqual(["cat greeting.txt", "echo 'hello, world' > greeting.txt"]);
  });
});

describe("project creation", () => {
  it("refuses a harness that does not compile, naming line and column, and stores nothing", async () => {
    const before = await db.project.count();
    await expect(
      project({ suite: { grader: { type: "exact" } }, tasks: sums, harness: "export default {\n  async run( {\n}" }),
    ).rejects.toThrow(/harness\.ts:\d+:\d+/);
    expect(await db.project.count()).toBe(before);
  });
});

describe("a check run", () => {
  it("runs a source that is not a candidate on the first search tasks, storing nothing", async () => {
    const { projectId } = await project({ suite: { grader: { type: "numeric" } }, tasks: sums, harness: modelHarness });
    // This project's task runs only: other files write theirs to the same database meanwhile.
    const stored = () => db.taskRun.count({ where: { task: { suite: { projectId } } } });
    const before = await stored();
    const checkRun = await runCheckTasks(projectId, modelHarness, 2, { upstreamUrl: fake.url, apiKey: "the-real-key" });
    if (!checkRun.ok) throw new Error("the checked harness should compile");
    expect(checkRun.results.map((result) => [result.taskKey, result.status])).toEqual([
      ["sum-0", "passed"],
      ["sum-1", "passed"],
    ]);
    expect(checkRun.results[0].events.some((event) => event.kind === "model_call")).toBe(true);
    expect(await stored()).toBe(before);
    const broken = await runCheckTasks(projectId, "export default {", 1);
    expect(broken.ok).toBe(false);
  });
});
