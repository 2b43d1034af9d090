// The migrated database is exactly what schema.prisma describes: no drift, and every
// model (with its relations, enums, arrays and JSON) writes and reads back through Prisma.
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { diffDatabaseToSchema } from "../../lib/db/schema-diff.ts";
import { migrate, readMigrations } from "../../lib/db/migrate.ts";

afterAll(disconnectDb);

async function withFreshDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  const name = `studio_schema_${process.pid}_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
  }
}

describe("migrations", () => {
  it("leave no drift between the database and schema.prisma", async () => {
    expect(await diffDatabaseToSchema(inject("databaseUrl"))).toBe("");
  });

  it("report drift when the database differs", async () => {
    await withFreshDatabase(async (url) => {
      await migrate(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`alter table "Candidate" drop column "hypothesis"`);
      await client.end();
      expect(await diffDatabaseToSchema(url)).toContain("hypothesis");
    });
  });

  it("are idempotent", async () => {
    expect(await migrate(inject("databaseUrl"))).toEqual([]);
  });

  it("apply once when two processes migrate a fresh database at the same moment", async () => {
    await withFreshDatabase(async (url) => {
      const [first, second] = await Promise.all([migrate(url), migrate(url)]);
      expect([...first, ...second]).toEqual(readMigrations().map((migration) => migration.name));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(`select count(*)::int as n from "_prisma_migrations"`);
      await client.end();
      expect(rows[0].n).toBe(readMigrations().length);
    });
  });

  it("record Prisma's checksums, so `prisma migrate deploy` agrees", async () => {
    const client = new pg.Client({ connectionString: inject("databaseUrl") });
    await client.connect();
    const { rows } = await client.query(`select migration_name, checksum from "_prisma_migrations"`);
    await client.end();
    expect(rows).toEqual(
      readMigrations().map((migration) => ({ migration_name: migration.name, checksum: migration.checksum })),
    );
  });
});

describe("every model", () => {
  it("writes and reads back through Prisma Client", async () => {
    const project = await db.project.create({
      data: {
        name: "Round trip",
        settings: { budgets: { proposer: { usd: 5 } } },
        proposerKind: "offline",
      },
    });
    const suite = await db.taskSuite.create({
      data: {
        projectId: project.id,
        name: "arith",
        description: "Add numbers",
        mode: "sequential",
        grader: { type: "numeric", tolerance: 0.01 },
        timeoutMs: 5000,
      },
    });
    const task = await db.task.create({
      data: {
        suiteId: suite.id,
        key: "t1",
        split: "search",
        position: 0,
        input: { a: 1, b: 2 },
        expected: 3,
        meta: { level: 1 },
        envFiles: { "run.sh": "ZWNobyBoaQ==" },
      },
    });
    const instructions = await db.instructionVersion.create({
      data: { projectId: project.id, version: 1, text: "Read the traces." },
    });
    const optimization = await db.optimization.create({ data: { projectId: project.id, iterationsRequested: 3 } });
    const iteration = await db.iteration.create({
      data: {
        projectId: project.id,
        number: 1,
        proposerKind: "offline",
        instructionVersionId: instructions.id,
        optimizationId: optimization.id,
        filesRead: ["candidates/a/harness.ts", "candidates/a/traces/t1.jsonl"],
        filesReadCount: 2,
        progress: { stage: "proposing" },
      },
    });
    const seed = await db.candidate.create({
      data: {
        projectId: project.id,
        number: 1,
        source: "export default {}",
        sha256: "a".repeat(64),
        origin: "seed",
        status: "valid",
      },
    });
    const child = await db.candidate.create({
      data: {
        projectId: project.id,
        number: 2,
        source: "export default { async run() { return 3 } }",
        sha256: "b".repeat(64),
        origin: "proposer",
        rationale: "Show worked examples",
        hypothesis: "Examples fix format errors",
        axis: "exploit",
        iterationId: iteration.id,
        iterationNumber: 1,
        parents: { create: [{ parentId: seed.id }] },
      },
    });
    const evaluation = await db.evaluation.create({
      data: {
        candidateId: child.id,
        split: "search",
        model: "claude-sonnet-5-5",
        status: "done",
        score: 1,
        inputTokens: 10,
        outputTokens: 2,
        costUsd: 0.001,
        taskCount: 1,
        passedCount: 1,
        isolation: "bubblewrap",
      },
    });
    const taskRun = await db.taskRun.create({
      data: {
        evaluationId: evaluation.id,
        taskId: task.id,
        status: "passed",
        output: 3,
        score: 1,
        gradeExplanation: "3 = 3",
        inputTokens: 10,
        outputTokens: 2,
      },
    });
    await db.traceEvent.createMany({
      data: [
        {
          taskRunId: taskRun.id,
          seq: 0,
          kind: "model_call",
          genAiSystem: "anthropic",
          genAiOperationName: "chat",
          genAiRequestModel: "claude-sonnet-4-5",
          genAiResponseModel: "claude-sonnet-4-5-20250929",
          genAiResponseFinishReasons: ["end_turn"],
          genAiUsageInputTokens: 10,
          genAiUsageOutputTokens: 2,
          preview: "What is 1 + 2?",
          body: { request: { messages: [] }, response: { content: [] } },
          bodyBytes: 64,
        },
        { iterationId: iteration.id, seq: 0, kind: "tool_call", name: "read_file", preview: "candidates/a/harness.ts" },
      ],
    });
    await db.modelPrice.create({ data: { model: "my-model", inputPerMTok: 1, outputPerMTok: 2 } });

    const read = await db.project.findUniqueOrThrow({
      where: { id: project.id },
      include: {
        suite: { include: { tasks: true } },
        instructions: true,
        optimizations: { include: { iterations: true } },
        iterations: { include: { events: true, candidates: true, instructionVersion: true } },
        candidates: {
          orderBy: { number: "asc" },
          include: {
            parents: true,
            children: true,
            evaluations: { include: { taskRuns: { include: { events: true } } } },
          },
        },
      },
    });
    expect(read.settings).toEqual({ budgets: { proposer: { usd: 5 } } });
    expect(read.suite!.tasks[0]).toMatchObject({
      key: "t1",
      split: "search",
      input: { a: 1, b: 2 },
      expected: 3,
      meta: { level: 1 },
    });
    expect(read.iterations[0].filesRead).toEqual(["candidates/a/harness.ts", "candidates/a/traces/t1.jsonl"]);
    expect(read.iterations[0].events[0]).toMatchObject({ kind: "tool_call", name: "read_file" });
    expect(read.iterations[0].instructionVersion!.text).toBe("Read the traces.");
    expect(read.iterations[0].candidates.map((c) => c.number)).toEqual([2]);
    expect(read.optimizations[0].iterations.map((i) => i.id)).toEqual([iteration.id]);
    expect(read.candidates[1].parents).toEqual([{ childId: child.id, parentId: seed.id }]);
    expect(read.candidates[0].children).toEqual([{ childId: child.id, parentId: seed.id }]);
    const event = read.candidates[1].evaluations[0].taskRuns[0].events[0];
    expect(event).toMatchObject({
      kind: "model_call",
      genAiResponseFinishReasons: ["end_turn"],
      genAiUsageInputTokens: 10,
      body: { request: { messages: [] }, response: { content: [] } },
    });
    expect(typeof event.id).toBe("bigint");
    expect(await db.modelPrice.findUnique({ where: { model: "my-model" } })).toMatchObject({
      inputPerMTok: 1,
      outputPerMTok: 2,
    });

    // Lineage and results go with the project.
    await db.project.delete({ where: { id: project.id } });
    expect(
      await db.traceEvent.count({ where: { OR: [{ taskRunId: taskRun.id }, { iterationId: iteration.id }] } }),
    ).toBe(0);
  });

  it("refuses a second task run for the same task in one evaluation (nothing counted twice)", async () => {
    const project = await db.project.create({ data: { name: "unique" } });
    const suite = await db.taskSuite.create({ data: { projectId: project.id, name: "s", grader: { type: "exact" } } });
    const task = await db.task.create({
      data: { suiteId: suite.id, key: "t", split: "search", position: 0, input: 1, expected: 1 },
    });
    const candidate = await db.candidate.create({
      data: { projectId: project.id, number: 1, source: "x", sha256: "c".repeat(64), origin: "seed" },
    });
    const evaluation = await db.evaluation.create({
      data: { candidateId: candidate.id, split: "search", model: "claude-sonnet-5-5" },
    });
    await db.taskRun.create({ data: { evaluationId: evaluation.id, taskId: task.id } });
    await expect(db.taskRun.create({ data: { evaluationId: evaluation.id, taskId: task.id } })).rejects.toThrow();
  });
});
