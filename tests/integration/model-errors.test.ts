// Model API errors that end a run, in plain words: a refused key stops the seed's evaluation
// after the tasks in flight (not one failure per task), and a proposer that cannot call its
// model ends the optimization instead of running empty iterations. Both show on the run controls.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { projectProgress } from "../../lib/projects/progress.ts";
import { createOptimization, runOptimization } from "../../lib/loop/optimization.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-model-errors-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

const HARNESS = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { a: number; b: number } }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "What is " + task.input.a + "+" + task.input.b + "?" }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;

let keyed: FakeAnthropic;
let proposerRefused: FakeAnthropic;

beforeAll(async () => {
  // Answers only the right key, like the real API.
  keyed = await startFakeAnthropic({ requireApiKey: "the-right-key", respond: () => ({ text: "5" }) });
  // Answers the task model, refuses the proposer (its requests offer tools).
  proposerRefused = await startFakeAnthropic({
    respond: (request) =>
      request.body.tools
        ? { status: 401, error: { type: "authentication_error", message: "invalid x-api-key" } }
        : { text: "5" },
  });
});

afterAll(async () => {
  await Promise.all([keyed?.close(), proposerRefused?.close()]);
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function newProject(name: string, searchTasks = 12) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Add two numbers.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: searchTasks }, (_, i) => ({
    id: `t${i}`,
    input: { a: 2, b: 3 },
    expected: 5,
    split: "search",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), HARNESS);
  return createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts"), name });
}

describe("model API errors", () => {
  it("stops at a refused key: the evaluation and the run fail in words, the other tasks are not run", async () => {
    const project = await newProject("bad key");
    const optimizationId = await createOptimization(project.projectId, 3, { kind: "claude" });
    const result = await runOptimization(optimizationId, { upstreamUrl: keyed.url, apiKey: "a-wrong-key" });
    expect(result.status).toBe("failed");

    const words =
      /^The model API refused the API key \(401 authentication_error: invalid x-api-key\)\. Check ANTHROPIC_API_KEY/;
    const optimization = await db.optimization.findUniqueOrThrow({ where: { id: optimizationId } });
    expect(optimization.error).toMatch(words);
    expect(optimization.iterationsDone).toBe(0); // no proposer was asked to read failures that say nothing

    const evaluation = await db.evaluation.findFirstOrThrow({
      where: { candidateId: project.seedCandidateId, split: "search" },
    });
    expect(evaluation.status).toBe("failed");
    expect(evaluation.error).toMatch(words);
    // Each lane finishes the task in flight, then stops: most tasks never ran.
    const pending = await db.taskRun.count({ where: { evaluationId: evaluation.id, status: "pending" } });
    expect(pending).toBeGreaterThan(6);

    // What the run controls read.
    const progress = await projectProgress(project.projectId);
    expect(progress.optimization?.status).toBe("failed");
    expect(progress.optimization?.error).toMatch(words);
  });

  it("ends the run when the proposer cannot call its model, instead of running empty iterations", async () => {
    const project = await newProject("proposer refused", 4);
    const optimizationId = await createOptimization(project.projectId, 3, { kind: "claude" });
    const result = await runOptimization(optimizationId, { upstreamUrl: proposerRefused.url, apiKey: "k" });
    expect(result.status).toBe("failed");
    const optimization = await db.optimization.findUniqueOrThrow({ where: { id: optimizationId } });
    expect(optimization.error).toMatch(
      /^The proposer could not work: model call 1 failed: The model API refused the API key \(401 authentication_error/,
    );
    expect(optimization.iterationsDone).toBe(1);
    // The seed was scored; the one iteration says why it stopped.
    const seed = await db.evaluation.findFirstOrThrow({
      where: { candidateId: project.seedCandidateId, split: "search" },
    });
    expect(seed).toMatchObject({ status: "done", score: 1 });
    const iteration = await db.iteration.findFirstOrThrow({ where: { optimizationId } });
    expect(iteration.stopReason).toContain("The model API refused the API key");
  });
});
