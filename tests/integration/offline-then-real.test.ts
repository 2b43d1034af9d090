// Simulated is a property of a run, not of a project. From the CLI, with a model key set (the fake
// Anthropic server): an offline evaluation, then a real one of the same project; an offline
// optimization, then a real one. Each real run goes to the configured model and is not labelled
// simulated; each offline run stays labelled simulated; the project says it holds both kinds.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";
import { startFakeAnthropic, type FakeAnthropic, type FakeRequest, type FakeReply } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { getProject, listProjects } from "../../lib/projects/queries.ts";
import { listEvaluations } from "../../lib/evaluations/queries.ts";
import { listIterations } from "../../lib/iterations/queries.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-offline-then-real-"));
fs.chmodSync(scratch, 0o755);
let fake: FakeAnthropic;
let env: NodeJS.ProcessEnv;

const isProposer = (request: FakeRequest) =>
  ((request.body.tools ?? []) as { name: string }[]).some((tool) => tool.name === "read_file");

const SEED = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { a: number; b: number } }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "What is " + task.input.a + "+" + task.input.b + "? Answer with the number." }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;

/** The real proposer (Claude, played by the fake) of iteration 2: one proposal, then finish. */
function proposer(request: FakeRequest): FakeReply {
  const turn = (request.body.messages as { role: string }[]).filter((message) => message.role === "assistant").length;
  if (turn === 0)
    return {
      content: [
        {
          type: "tool_use",
          name: "write_file",
          input: { path: "proposals/2/terse/harness.ts", content: SEED.replace(" Answer with the number.", "") },
        },
      ],
      stopReason: "tool_use",
    };
  if (turn === 1)
    return {
      content: [
        {
          type: "tool_use",
          name: "finish",
          input: {
            proposals: [
              {
                path: "proposals/2/terse/harness.ts",
                hypothesis: "A shorter prompt costs fewer tokens.",
                axis: "explore",
                base_candidate_id: null,
                rationale: "Fewer words.",
              },
            ],
          },
        },
      ],
      stopReason: "tool_use",
    };
  return { text: "Done." };
}

beforeAll(async () => {
  fake = await startFakeAnthropic({
    respond: (request) => {
      if (isProposer(request)) return proposer(request);
      const sum = /What is (\d+)\+(\d+)/.exec(JSON.stringify(request.body.messages));
      return { text: sum ? String(Number(sum[1]) + Number(sum[2])) : "?" };
    },
  });
  // A key is set throughout: only --offline may make a run simulated.
  env = studioEnv({
    DATABASE_URL: process.env.DATABASE_URL,
    STUDIO_DATA_DIR: path.join(scratch, "data"),
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: fake.url,
  });
});

afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function newProject(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({
      name: "offline-then-real",
      description: "Add two numbers.",
      mode: "independent",
      grader: { type: "numeric" },
    }),
  );
  const tasks = [
    { id: "s0", input: { a: 2, b: 3 }, expected: 5, split: "search" },
    { id: "s1", input: { a: 4, b: 5 }, expected: 9, split: "search" },
    { id: "t0", input: { a: 6, b: 7 }, expected: 13, split: "test" },
  ];
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), SEED);
  const { projectId } = await createProject({
    suiteDir: path.join(dir, "suite"),
    harnessFile: path.join(dir, "harness.ts"),
  });
  await db.project.update({ where: { id: projectId }, data: { candidatesPerIteration: 1, proposerKind: "claude" } });
  return projectId;
}

async function cli(args: string[]) {
  const result = await runCli(args, env, 180_000);
  expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(0);
  return result;
}

it("an offline evaluation and optimization, then real ones: each run keeps its own kind", async () => {
  const projectId = await newProject();

  // 1. Offline evaluation, asked for: the offline model answers, the fake is not called.
  const offline = JSON.parse((await cli(["eval", "--project", projectId, "--offline", "--json"])).stdout);
  expect(offline).toMatchObject({ status: "done", simulated: true });
  expect(fake.requests).toHaveLength(0);

  // 2. A real evaluation of the same project: the configured model answers, not labelled simulated.
  const real = JSON.parse((await cli(["eval", "--project", projectId, "--json"])).stdout);
  expect(real).toMatchObject({ status: "done", simulated: false, score: 1 });
  expect(real.evaluationId).not.toBe(offline.evaluationId);
  const afterEvaluations = fake.requests.length;
  expect(afterEvaluations).toBe(2); // one model call per search task
  expect(fake.requests.every((request) => request.headers["x-api-key"] === "test-key")).toBe(true);
  const evaluations = await db.evaluation.findMany({
    where: { id: { in: [offline.evaluationId, real.evaluationId] } },
  });
  expect(Object.fromEntries(evaluations.map((row) => [row.id, row.simulated]))).toEqual({
    [offline.evaluationId]: true,
    [real.evaluationId]: false,
  });

  // 3. An offline optimization: the offline proposer and model; the fake hears nothing.
  const offlineRun = await cli(["optimize", "--project", projectId, "--iterations", "1", "--offline", "--json"]);
  expect(offlineRun.stderr).toContain("marked simulated");
  expect(JSON.parse(offlineRun.stdout.trim().split("\n")[0])).toMatchObject({ iteration: 1, simulated: true });
  expect(fake.requests).toHaveLength(afterEvaluations);

  // 4. A real optimization after it: the Claude proposer talks to the configured model.
  const realRun = await cli(["optimize", "--project", projectId, "--iterations", "1", "--json"]);
  expect(realRun.stderr).not.toContain("simulated");
  const line = JSON.parse(realRun.stdout.trim().split("\n")[0]);
  expect(line).toMatchObject({ iteration: 2 });
  expect(line.simulated).toBeUndefined();
  const proposerRequests = fake.requests.slice(afterEvaluations).filter(isProposer);
  expect(proposerRequests).toHaveLength(2); // write_file, then finish: no turn burnt on the offline model
  expect(line.candidates).toHaveLength(1);
  const proposed = await db.candidate.findUniqueOrThrow({ where: { id: line.candidates[0].id } });
  expect(proposed).toMatchObject({ origin: "proposer", status: "valid", simulated: false });
  const proposedRuns = await db.evaluation.findMany({ where: { candidateId: proposed.id } });
  expect(proposedRuns.length).toBeGreaterThan(0);
  expect(proposedRuns.every((row) => !row.simulated)).toBe(true);

  // Each run labelled on its own; the project holds both kinds and says so.
  const optimizations = await db.optimization.findMany({ where: { projectId }, orderBy: { createdAt: "asc" } });
  expect(optimizations.map((row) => [row.status, row.simulated])).toEqual([
    ["done", true],
    ["done", false],
  ]);
  const iterations = await listIterations(projectId);
  expect(iterations.map((row) => [row.number, row.simulated])).toEqual([
    [2, false],
    [1, true],
  ]);
  const listed = await listEvaluations(projectId);
  expect(listed.find((row) => row.id === offline.evaluationId)?.simulated).toBe(true);
  expect(listed.find((row) => row.id === real.evaluationId)?.simulated).toBe(false);
  expect((await getProject(projectId))?.hasSimulatedRuns).toBe(true);
  expect((await listProjects()).find((row) => row.id === projectId)?.hasSimulatedRuns).toBe(true);
});
