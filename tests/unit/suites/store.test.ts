// Integration: saveSuite against the test run's real Postgres.
import { db, disconnectDb } from "../../helpers/db.ts";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSuiteFolder, type LoadedSuite } from "../../../lib/suites/load.ts";
import { readStoredGrader, saveSuite } from "../../../lib/suites/store.ts";
import { fixtures } from "./helpers.ts";

afterAll(disconnectDb);

async function rowsOf(projectId: string) {
  return {
    suites: await db.taskSuite.count({ where: { projectId } }),
    tasks: await db.task.count({ where: { suite: { projectId } } }),
  };
}

describe("saveSuite", () => {
  it("writes the suite and its tasks, and reads back what was loaded", async () => {
    const project = await db.project.create({ data: { name: "suite store" } });
    const suite = await loadSuiteFolder(path.join(fixtures, "arithmetic"));
    // A null expected answer and null meta must survive the round trip as JSON null and SQL NULL.
    suite.tasks[0] = { ...suite.tasks[0], expected: null };

    const { suiteId } = await db.$transaction((tx) => saveSuite(tx, project.id, suite));

    const row = await db.taskSuite.findUniqueOrThrow({
      where: { id: suiteId },
      include: { tasks: { orderBy: { position: "asc" } } },
    });
    expect(row).toMatchObject({
      projectId: project.id,
      name: "Arithmetic",
      description: suite.config.description,
      mode: "independent",
      graderSource: null,
      timeoutMs: 30000,
      grader: { type: "numeric", tolerance: 0.01, relative: false, passThreshold: 1 },
    });
    expect(readStoredGrader(row.grader)).toEqual({ grader: suite.config.grader, passThreshold: 1 });
    expect(
      row.tasks.map((t) => ({
        key: t.key,
        input: t.input,
        expected: t.expected,
        split: t.split,
        meta: t.meta,
        position: t.position,
        envFiles: t.envFiles,
      })),
    ).toEqual(suite.tasks);
    // JSON null (a value) versus SQL NULL (no value): the runner and workspace tell them apart.
    const nulls = await db.$queryRaw<{ key: string; expected: string; meta: boolean }[]>`
      SELECT key, jsonb_typeof(expected) AS expected, meta IS NULL AS meta FROM "Task" WHERE "suiteId" = ${suiteId} AND key = 'add'`;
    expect(nulls).toEqual([{ key: "add", expected: "null", meta: true }]);
  });

  it("stores the module grader source and the pass threshold of a sequential suite", async () => {
    const project = await db.project.create({ data: { name: "suite store: stream" } });
    const suite = await loadSuiteFolder(path.join(fixtures, "stream"));
    const { suiteId } = await db.$transaction((tx) => saveSuite(tx, project.id, suite));

    const row = await db.taskSuite.findUniqueOrThrow({ where: { id: suiteId } });
    expect(row.mode).toBe("sequential");
    expect(row.graderSource).toBe(suite.graderSource);
    expect(readStoredGrader(row.grader)).toEqual({ grader: { type: "module", path: "grader.ts" }, passThreshold: 0.5 });
    const keys = await db.task.findMany({ where: { suiteId }, orderBy: { position: "asc" }, select: { key: true } });
    expect(keys.map((k) => k.key)).toEqual(["w3", "w1", "w2"]);
  });

  it("writes large suites in batches", async () => {
    const project = await db.project.create({ data: { name: "suite store: large" } });
    const base = await loadSuiteFolder(path.join(fixtures, "arithmetic"));
    const tasks = Array.from({ length: 2500 }, (_, i) => ({
      key: `t${i}`,
      input: { i },
      expected: i,
      split: i % 5 === 0 ? ("test" as const) : ("search" as const),
      meta: null,
      position: i,
      envFiles: null,
    }));
    await db.$transaction((tx) => saveSuite(tx, project.id, { ...base, tasks }));
    expect(await rowsOf(project.id)).toEqual({ suites: 1, tasks: 2500 });
  });

  it("leaves no rows behind when a save fails part way", async () => {
    const project = await db.project.create({ data: { name: "suite store: failure" } });
    const loaded = await loadSuiteFolder(path.join(fixtures, "arithmetic"));
    // The loader would refuse duplicate ids; bypass it so the Task insert fails after the TaskSuite insert.
    const broken: LoadedSuite = { ...loaded, tasks: [...loaded.tasks, { ...loaded.tasks[0], position: 99 }] };

    await expect(db.$transaction((tx) => saveSuite(tx, project.id, broken))).rejects.toThrow(/Unique constraint/);
    expect(await rowsOf(project.id)).toEqual({ suites: 0, tasks: 0 });

    // Postgres jsonb refuses \u0000, which is why the loader rejects it up front.
    const nul: LoadedSuite = { ...loaded, tasks: [{ ...loaded.tasks[0], input: "a\u0000b" }] };
    await expect(db.$transaction((tx) => saveSuite(tx, project.id, nul))).rejects.toThrow();
    expect(await rowsOf(project.id)).toEqual({ suites: 0, tasks: 0 });

    // The same project can then take a good suite.
    await db.$transaction((tx) => saveSuite(tx, project.id, loaded));
    expect(await rowsOf(project.id)).toEqual({ suites: 1, tasks: 4 });
  });
});
