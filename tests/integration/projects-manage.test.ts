// Catching mistakes early and naming things the same everywhere, against a started studio over
// real HTTP and the real CLI: a seed harness without run() is refused at create (CLI, API
// upload) and at edit; projects are renamed and deleted (everything of them goes); the CLI
// prints the project's address, names candidates #N and iterations by their project-wide number;
// `studio --help` fits 100 columns.
import { PrismaPg } from "@prisma/adapter-pg";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELP_COLUMNS } from "../../lib/cli/commands.ts";
import { PrismaClient } from "../../lib/db/generated/client.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../helpers/studio.ts";

let studio: RunningStudio;
let db: PrismaClient;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  studio = await startStudio();
  env = studioEnv({ STUDIO_DATA_DIR: studio.dataDir });
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
}, 180_000);
afterAll(async () => {
  await db?.$disconnect();
  await studio?.stop();
});

const NO_RUN = "export const helper = 1;\n";
const TASKS = [
  '{"id":"a","input":"1","expected":"1","split":"search"}',
  '{"id":"b","input":"2","expected":"2","split":"test"}',
];

function suiteFolder(harness: string): { dir: string; harnessFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "names-suite-"));
  fs.writeFileSync(
    path.join(dir, "suite.json"),
    JSON.stringify({ name: "Echo", description: "Echo the input.", mode: "independent", grader: { type: "exact" } }),
  );
  fs.writeFileSync(path.join(dir, "tasks.jsonl"), TASKS.join("\n") + "\n");
  fs.writeFileSync(path.join(dir, "seed.ts"), harness);
  return { dir, harnessFile: path.join(dir, "seed.ts") };
}

const request = (method: string, url: string, body?: unknown) =>
  fetch(`${studio.url}${url}`, {
    method,
    headers: { ...studio.authHeaders(), origin: studio.url, ...(body ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** A project from the bundled example, through the API (the CLI's create has tests of its own above). */
async function createExample(): Promise<{ projectId: string }> {
  const response = await request("POST", "/api/projects", { example: "text-classification" });
  expect(response.status).toBe(201);
  return (await response.json()) as { projectId: string };
}

describe("the harness contract at create and edit", () => {
  it("the CLI refuses a seed harness without run(), with the reason, and stores nothing", async () => {
    const { dir, harnessFile } = suiteFolder(NO_RUN);
    const before = await db.project.count();
    const result = await runCli(["project", "create", "--suite", dir, "--harness", harnessFile], env, 120_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Cannot create the project");
    expect(result.stderr).toContain("seed.ts: a harness module must `export default { async run(task, ctx)");
    expect(result.stderr).toContain("it has no default export");
    expect(result.stdout).toBe("");
    expect(await db.project.count()).toBe(before);
  });

  it("the API refuses an uploaded seed harness whose default export has no run function", async () => {
    const form = new FormData();
    form.append(
      "suite",
      new Blob([
        JSON.stringify({ name: "Echo", description: "Echo.", mode: "independent", grader: { type: "exact" } }),
      ]),
      "echo/suite.json",
    );
    form.append("suite", new Blob([TASKS.join("\n") + "\n"]), "echo/tasks.jsonl");
    form.append("harness", new Blob(["export default { helper: 1 };\n"]), "seed.ts");
    const before = await db.project.count();
    const response = await fetch(`${studio.url}/api/projects`, {
      method: "POST",
      headers: { ...studio.authHeaders(), origin: studio.url },
      body: form,
    });
    const body = (await response.json()) as { error: string; problems: { file: string; message: string }[] };
    expect(response.status).toBe(400);
    expect(body.error).toContain("nothing was saved");
    expect(body.problems).toEqual([
      expect.objectContaining({ file: "seed.ts", message: expect.stringContaining("has no run function") }),
    ]);
    expect(await db.project.count()).toBe(before);
  });

  it("the CLI accepts a harness that honours it, and prints the project's address beside its id", async () => {
    const { dir, harnessFile } = suiteFolder("export default { async run(task) { return String(task.input); } };\n");
    const result = await runCli(["project", "create", "--suite", dir, "--harness", harnessFile], env, 120_000);
    expect(result.code, result.stderr).toBe(0);
    const [id, url] = result.stdout.trim().split(/\s+/);
    expect(url).toBe(`${studio.url}/projects/${id}`);
    const page = await fetch(url, { headers: studio.authHeaders() });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Echo");
    await db.project.delete({ where: { id } });
  });

  it("saving an edited candidate without run() is refused with the reason; nothing is saved", async () => {
    const { projectId } = await createExample();
    const seed = await db.candidate.findFirstOrThrow({ where: { projectId }, select: { id: true } });
    const response = await request("POST", "/api/candidates", { projectId, parentId: seed.id, source: NO_RUN });
    const body = (await response.json()) as { error: string };
    expect(response.status).toBe(422);
    expect(body.error).toContain("does not honour the contract; nothing was saved");
    expect(body.error).toContain("it has no default export");
    expect(await db.candidate.count({ where: { projectId } })).toBe(1);
  });
});

describe("wording", () => {
  it("the diff page names missing candidates in the address's order", async () => {
    const { projectId } = await createExample();
    const page = await fetch(`${studio.url}/projects/${projectId}/diff?a=first-x&b=second-y`, {
      headers: studio.authHeaders(),
    });
    const text = (await page.text()).replace(/<!-- -->/g, "");
    expect(text).toContain("No candidate first-x or second-y in this project.");
  });
});

describe("renaming and deleting a project", () => {
  it("renames through the API and the CLI; refuses an empty name", async () => {
    const { projectId } = await createExample();
    const renamed = await request("PATCH", `/api/projects/${projectId}`, { name: "  Triage, take two " });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toEqual({ id: projectId, name: "Triage, take two" });
    expect((await request("PATCH", `/api/projects/${projectId}`, { name: "   " })).status).toBe(400);
    expect((await request("PATCH", `/api/projects/nope`, { name: "x" })).status).toBe(404);

    const cli = await runCli(["project", "rename", "--project", projectId, "--name", "Triage 3"], env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`Renamed project ${projectId} to "Triage 3"`);
    expect((await db.project.findUniqueOrThrow({ where: { id: projectId } })).name).toBe("Triage 3");
  });

  it("deletes through the API with everything of the project; other projects stay", async () => {
    const { projectId } = await createExample();
    const other = await createExample();
    const run = await runCli(["eval", "--project", projectId, "--offline", "--yes", "--json"], env, 300_000);
    expect(run.code, run.stderr).toBe(0);
    const owned = async (id: string) => ({
      tasks: await db.task.count({ where: { suite: { projectId: id } } }),
      candidates: await db.candidate.count({ where: { projectId: id } }),
      evaluations: await db.evaluation.count({ where: { candidate: { projectId: id } } }),
      taskRuns: await db.taskRun.count({ where: { task: { suite: { projectId: id } } } }),
      events: await db.traceEvent.count({ where: { taskRun: { task: { suite: { projectId: id } } } } }),
    });
    const before = await owned(projectId);
    expect(before.taskRuns).toBeGreaterThan(0);
    expect(before.events).toBeGreaterThan(0);
    const otherBefore = await owned(other.projectId);

    const response = await request("DELETE", `/api/projects/${projectId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: projectId, candidates: 1, taskRuns: before.taskRuns });
    expect(await owned(projectId)).toEqual({ tasks: 0, candidates: 0, evaluations: 0, taskRuns: 0, events: 0 });
    expect(await db.project.count({ where: { id: projectId } })).toBe(0);
    expect(await owned(other.projectId)).toEqual(otherBefore);
    expect((await request("DELETE", `/api/projects/${projectId}`)).status).toBe(404);
    expect((await fetch(`${studio.url}/projects/${projectId}`, { headers: studio.authHeaders() })).status).toBe(404);
  }, 360_000);

  it("refuses to delete while the project's work runs, naming the way out", async () => {
    const { projectId } = await createExample();
    const seed = await db.candidate.findFirstOrThrow({ where: { projectId } });
    // Held by another live worker: a fresh heartbeat.
    await db.evaluation.create({
      data: {
        candidateId: seed.id,
        split: "search",
        model: "claude-sonnet-5-5",
        status: "running",
        workerId: "elsewhere:1",
        heartbeatAt: new Date(),
      },
    });
    const response = await request("DELETE", `/api/projects/${projectId}`);
    const body = (await response.json()) as { error: string; hint: string };
    expect(response.status).toBe(409);
    expect(body.error).toContain("has work running");
    expect(body.hint).toBe(`npx studio cancel --project ${projectId}`);
    expect(await db.project.count({ where: { id: projectId } })).toBe(1);
  });

  it("the CLI asks first: without a terminal it needs --yes; with it, the project goes", async () => {
    const { projectId } = await createExample();
    const unasked = await runCli(["project", "delete", "--project", projectId], env);
    expect(unasked.code).toBe(1);
    expect(unasked.stderr).toContain("cannot be undone, and there is no terminal to ask");
    expect(unasked.stderr).toContain("--yes");
    expect(await db.project.count({ where: { id: projectId } })).toBe(1);
    const deleted = await runCli(["project", "delete", "--project", projectId, "--yes"], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toMatch(/^Deleted project "Support ticket triage" \(\w+\): 1 candidate, 0 task runs/);
    expect(await db.project.count({ where: { id: projectId } })).toBe(0);
  });
});

describe("names in the CLI", () => {
  it("optimize names candidates #N and numbers iterations project-wide; --json keeps ids and adds numbers", async () => {
    const { projectId } = await createExample();
    // Names, not the search, are what is checked here: one candidate an iteration is enough.
    await db.project.update({ where: { id: projectId }, data: { candidatesPerIteration: 1 } });
    const first = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--offline", "--yes", "--json"],
      env,
      600_000,
    );
    expect(first.code, first.stderr).toBe(0);
    const line = JSON.parse(first.stdout.trim().split("\n")[0]);
    expect(line.iteration).toBe(1);
    const candidates = await db.candidate.findMany({ where: { projectId }, select: { id: true, number: true } });
    const numberOf = new Map(candidates.map((c) => [c.id, c.number]));
    expect(line.frontier.length).toBeGreaterThan(0);
    expect(line.frontierNumbers).toEqual(line.frontier.map((id: string) => numberOf.get(id)));
    for (const candidate of line.candidates) expect(candidate.number).toBe(numberOf.get(candidate.id));

    const second = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--offline", "--yes"],
      env,
      600_000,
    );
    expect(second.code, second.stderr).toBe(0);
    // The project's second iteration is "iteration 2", though it is this run's first.
    expect(second.stdout).toMatch(/^\[simulated\] iteration 2: #\d+ /m);
    expect(second.stdout).not.toMatch(/iteration 1\b/);
    const frontier = /frontier: (.*)$/m.exec(second.stdout.trim().split("\n").at(-1)!)?.[1];
    expect(frontier).toMatch(/^#\d+(, #\d+)*$/);
    // No candidate's raw id where a person reads (the optimization keeps its id: `cancel` and resuming use it).
    for (const candidate of await db.candidate.findMany({ where: { projectId }, select: { id: true } }))
      expect(second.stdout).not.toContain(candidate.id);
  }, 1_300_000);

  it("studio --help and each command's --help fit 100 columns", async () => {
    const help = await runCli(["--help"], env);
    expect(help.code).toBe(0);
    const lines = help.stdout.split("\n");
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(HELP_COLUMNS);
    expect(help.stdout).toContain("studio project delete --project ID [--yes]");
    for (const command of ["eval", "optimize", "prices", "project"]) {
      const one = await runCli([command, "--help"], env);
      for (const line of one.stdout.split("\n")) expect(line.length, line).toBeLessThanOrEqual(HELP_COLUMNS);
    }
  });
});
