// The bundled example suites under the offline model: they load, their committed tasks are what
// their generators write, their graders tell a good answer from a bad one, and through the real
// evaluation engine (sandbox, recording proxy, Postgres) the plain seed harness scores low while
// a better harness, one that does what the offline model rewards, scores clearly higher.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../helpers/db.ts";
import { startOfflineModel, type OfflineModel } from "../../../lib/offline/model.ts";
import { createProject } from "../../../lib/projects/create.ts";
import { EXAMPLE_MODEL } from "../../../lib/projects/examples.ts";
import { prepareEvaluation, runEvaluation } from "../../../lib/evaluations/run.ts";
import { gradeBuiltin } from "../../../lib/suites/graders.ts";
import { loadSuiteFolder } from "../../../lib/suites/load.ts";
import { generate as generateMath } from "../../../scripts/examples/math-word-problems.ts";
import { generate as generateTickets } from "../../../scripts/examples/text-classification.ts";

const EXAMPLES = path.resolve(import.meta.dirname, "../../../examples");
const CLASSIFICATION = path.join(EXAMPLES, "text-classification");
const MATH = path.join(EXAMPLES, "math-word-problems");

let model: OfflineModel;
const folders: string[] = [];

beforeAll(async () => {
  model = await startOfflineModel();
});
afterAll(async () => {
  await model?.close();
  await disconnectDb();
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

/** A project from an example suite and a harness, then an evaluation of one harness on the search split. */
async function evaluate(suiteDir: string, harnessSource: string | null) {
  let harnessFile = path.join(suiteDir, "harness.ts");
  if (harnessSource !== null) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-example-"));
    folders.push(dir);
    harnessFile = path.join(dir, "harness.ts");
    fs.writeFileSync(harnessFile, harnessSource);
  }
  // On the model the example seeds were written for, as `project create --example` makes it.
  const { seedCandidateId } = await createProject({ suiteDir, harnessFile, model: EXAMPLE_MODEL });
  const { evaluationId } = await prepareEvaluation(seedCandidateId, "search", { simulated: true });
  return runEvaluation(evaluationId, { upstreamUrl: model.url, apiKey: "offline", concurrency: 2 });
}

const readTasks = (dir: string) =>
  fs
    .readFileSync(path.join(dir, "tasks.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));

describe("the example suites", () => {
  it("load without problems, with the sizes and splits their READMEs promise", async () => {
    const tickets = await loadSuiteFolder(CLASSIFICATION);
    expect(tickets.config).toMatchObject({ mode: "sequential", grader: { type: "normalized" } });
    expect(tickets.tasks.filter((task) => task.split === "search")).toHaveLength(200);
    expect(tickets.tasks.filter((task) => task.split === "test")).toHaveLength(120);
    expect(new Set(tickets.tasks.map((task) => task.expected)).size).toBe(16);
    // The search split is the head of the stream, the test split its tail.
    expect(tickets.tasks.slice(0, 200).every((task) => task.split === "search")).toBe(true);

    const math = await loadSuiteFolder(MATH);
    expect(math.config).toMatchObject({ mode: "independent", grader: { type: "numeric" } });
    expect(math.tasks).toHaveLength(150);
    expect(math.tasks.filter((task) => task.split === "search")).toHaveLength(100);
    expect(math.tasks.every((task) => Number.isInteger(task.expected))).toBe(true);
    const operations = math.tasks.map((task) => task.meta?.operations);
    expect(new Set(operations)).toEqual(new Set([1, 2, 3]));
  });

  it("are exactly what their generators write (fixed seeds, no hand edits)", () => {
    expect(readTasks(CLASSIFICATION)).toEqual(generateTickets());
    expect(readTasks(MATH)).toEqual(generateMath());
  });

  it("grade a known good answer 1 and a known bad one 0", async () => {
    const tickets = await loadSuiteFolder(CLASSIFICATION);
    for (const task of tickets.tasks.slice(0, 5)) {
      const label = task.expected as string;
      expect(gradeBuiltin(tickets.config.grader, label, label).score).toBe(1);
      expect(gradeBuiltin(tickets.config.grader, label, ` ${label.toUpperCase()}.\n`).score).toBe(1); // normalized
      expect(gradeBuiltin(tickets.config.grader, label, `I think this is about ${label}.`).score).toBe(0);
      expect(gradeBuiltin(tickets.config.grader, label, label === "refund" ? "billing" : "refund").score).toBe(0);
    }
    const math = await loadSuiteFolder(MATH);
    for (const task of math.tasks.slice(0, 5)) {
      const answer = task.expected as number;
      expect(gradeBuiltin(math.config.grader, answer, String(answer)).score).toBe(1);
      expect(gradeBuiltin(math.config.grader, answer, `Let me see. The answer is ${answer}.`).score).toBe(1);
      expect(gradeBuiltin(math.config.grader, answer, `The answer is ${answer + 1}.`).score).toBe(0);
      expect(gradeBuiltin(math.config.grader, answer, "I do not know.").score).toBe(0);
    }
  });
});

// ── Seed versus better harnesses, through the evaluation engine ──────────────────────────

/** Bare answers, and memory: every labelled ticket kept by learn(), the closest few shown as examples. */
const rememberingClassifier = `
import type Anthropic from "@anthropic-ai/sdk";

interface Ticket { text: string; labels: string[] }
interface Example { text: string; label: string }
interface State { examples?: Example[] }

const words = (text: string) => new Set((text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => word.length >= 3));

function closest(examples: Example[], text: string, count: number): Example[] {
  const target = words(text);
  return examples
    .map((example, index) => ({ example, index, shared: [...words(example.text)].filter((word) => target.has(word)).length }))
    .sort((a, b) => a.shared - b.shared || a.index - b.index) // the closest last
    .slice(-count)
    .map(({ example }) => example);
}

export default {
  async run(task: { input: Ticket }, ctx: { model: Anthropic; state: State }) {
    const examples = closest(ctx.state.examples ?? [], task.input.text, 8);
    const prompt = [
      "Classify this customer support ticket. Answer with only the label.",
      "Earlier tickets and their labels:",
      ...examples.map((example) => example.text + " => " + example.label),
      "Labels: " + task.input.labels.join(", "),
      "Text: " + task.input.text,
    ].join("\\n");
    const reply = await ctx.model.messages.create({ model: "claude-haiku-5-5", max_tokens: 20, messages: [{ role: "user", content: prompt }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("").trim();
  },
  async learn(task: { input: Ticket }, feedback: { expected: string }, ctx: { state: State }) {
    (ctx.state.examples ??= []).push({ text: task.input.text, label: feedback.expected });
  },
};
`;

const stepByStepSolver = (system: string) => `
import type Anthropic from "@anthropic-ai/sdk";

export default {
  async run(task: { input: string }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({
      model: "claude-haiku-5-5",
      max_tokens: 300,
      system: ${JSON.stringify(system)},
      messages: [{ role: "user", content: task.input }],
    });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("").trim();
  },
};
`;

describe("seed harnesses against the offline model", () => {
  it("text classification: the seed's wrapped answers fail; bare labels help; bare labels with remembered examples pass", async () => {
    const seed = await evaluate(CLASSIFICATION, null);
    expect(seed).toMatchObject({ status: "done", tasks: 200, errors: 0, simulated: true });
    expect(seed.score!).toBeLessThanOrEqual(0.1);

    // Asking for the bare label alone helps, but label names are all the model has to go on.
    const seedSource = fs.readFileSync(path.join(CLASSIFICATION, "harness.ts"), "utf8");
    const bareSource = seedSource.replace("categories below.", "categories below. Answer with only the label.");
    expect(bareSource).not.toBe(seedSource);
    const bare = await evaluate(CLASSIFICATION, bareSource);
    expect(bare.score!).toBeGreaterThan(seed.score! + 0.1);

    const better = await evaluate(CLASSIFICATION, rememberingClassifier);
    expect(better).toMatchObject({ status: "done", tasks: 200, errors: 0 });
    expect(better.score!).toBeGreaterThanOrEqual(0.7);
    expect(better.score! - bare.score!).toBeGreaterThanOrEqual(0.3);
    expect(better.score! - seed.score!).toBeGreaterThanOrEqual(0.15);
    console.log(
      `text-classification search: seed ${seed.score}, bare label ${bare.score}, remembering ${better.score}`,
    );

    // The trace holds the offline model's raw exchange, marked as its own.
    const run = await db.taskRun.findFirstOrThrow({
      where: { evaluationId: better.evaluationId, status: "passed" },
      include: { events: { where: { kind: "model_call" } } },
    });
    const call = run.events[0].body as { response: { body: { id: string; model: string } } };
    expect(call.response.body).toMatchObject({ id: expect.stringMatching(/^msg_offline_/), model: "claude-haiku-5-5" });
  });

  it("math word problems: the seed gets the one-operation share; step by step two operations; checking each step all", async () => {
    const seed = await evaluate(MATH, null);
    expect(seed).toMatchObject({ status: "done", tasks: 100, errors: 0 });
    const tasks = readTasks(MATH).filter((task) => task.split === "search");
    const oneOperation = tasks.filter((task) => task.meta.operations === 1).length / tasks.length;
    expect(seed.score!).toBeCloseTo(oneOperation, 5);

    const reasoned = await evaluate(MATH, stepByStepSolver("Solve the problem step by step, then state the answer."));
    const upToTwo = tasks.filter((task) => task.meta.operations <= 2).length / tasks.length;
    expect(reasoned).toMatchObject({ status: "done", tasks: 100, errors: 0 });
    expect(reasoned.score!).toBeCloseTo(upToTwo, 5);

    const checked = await evaluate(
      MATH,
      stepByStepSolver("Solve the problem step by step and check each step, then state the answer."),
    );
    expect(checked).toMatchObject({ status: "done", tasks: 100, errors: 0, score: 1 });
    // The seed's 80 tokens cut most checked three-operation answers short.
    const seedSource = fs.readFileSync(path.join(MATH, "harness.ts"), "utf8");
    const tight = await evaluate(
      MATH,
      seedSource.replace("content: task.input", 'content: "Think step by step and check each step.\\n" + task.input'),
    );
    expect(tight.score!).toBeGreaterThan(upToTwo);
    expect(tight.score!).toBeLessThan(1);
    console.log(
      `math-word-problems search: seed ${seed.score}, step by step ${reasoned.score}, checked ${checked.score}, checked in 80 tokens ${tight.score}`,
    );
  });
});
