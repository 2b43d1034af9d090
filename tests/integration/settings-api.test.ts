// The settings page's JSON routes against a real studio: PUT /api/projects/:id/settings
// (validated with the runner's own schema, all or nothing) and the proposer's instruction
// versions. The last test runs the loop headless to show the next iteration uses what was
// saved, including settings saved while an optimization runs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../../lib/db/generated/client.ts";
import { readSettings } from "../../lib/projects/settings.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../helpers/studio.ts";

let studio: RunningStudio;
let db: PrismaClient;
let env: NodeJS.ProcessEnv;
let projectId: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-settings-api-"));
fs.chmodSync(dir, 0o755);

const url = (p: string) => `${studio.url}${p}`;
const send = (method: string, p: string, body: unknown, origin?: string) =>
  fetch(url(p), {
    method,
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: origin ?? studio.url },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const valid = () => ({
  model: "claude-haiku-4-5",
  proposerKind: "command",
  proposerModel: "claude-test-proposer",
  // Stored exactly as given: quotes, a double space, a trailing space.
  proposerCommand: `node "${path.join(dir, "record.mjs")}"  --flag `,
  candidatesPerIteration: 2,
  settings: {
    budgets: {
      task: { tokens: 5000 },
      iteration: { proposer: { usd: 1.5 } },
      project: { evaluation: { tokens: 2_000_000, usd: 40 } },
    },
    concurrency: 2,
    memoryMb: 512,
  },
});

async function projectRow() {
  return db.project.findUniqueOrThrow({
    where: { id: projectId },
    select: {
      model: true,
      proposerKind: true,
      proposerModel: true,
      proposerCommand: true,
      candidatesPerIteration: true,
      settings: true,
    },
  });
}

beforeAll(async () => {
  studio = await startStudio();
  const databaseUrl = studioDatabaseUrl(studio.dataDir);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  // A model that is never reachable: nothing here may leave the machine.
  env = studioEnv({
    DATABASE_URL: databaseUrl,
    ANTHROPIC_BASE_URL: "http://127.0.0.1:9",
    // The workspaces in the studio's data folder, where the test reads what the proposer recorded.
    STUDIO_DATA_DIR: studio.dataDir,
  });

  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "answers", description: "Answer 42.", mode: "independent", grader: { type: "numeric" } }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    [0, 1, 2]
      .map((i) => JSON.stringify({ id: `q${i}`, input: i, expected: 42, split: i < 2 ? "search" : "test" }))
      .join("\n"),
  );
  fs.writeFileSync(path.join(dir, "seed.ts"), "export default { async run() { return 41; } };\n");
  // A command proposer that records what it was given (in its proposal folder: the only place a
  // sandboxed proposer may write), writes no harness, and in iteration 1 waits while the test saves
  // new settings through the API, as a person would while the run goes on.
  fs.writeFileSync(
    path.join(dir, "record.mjs"),
    `import fs from "node:fs";
     const stdin = fs.readFileSync(0, "utf8");
     const dir = process.env.PROPOSAL_DIR;
     const record = { cwd: process.cwd(), workspace: process.env.WORKSPACE_DIR, candidates: process.env.CANDIDATES_WANTED, model: process.env.PROPOSER_MODEL, args: process.argv.slice(2), stdin, databaseUrl: process.env.DATABASE_URL ?? null };
     fs.writeFileSync(dir + "/record.json", JSON.stringify(record));
     if (process.env.ITERATION === "1") {
       fs.writeFileSync(dir + "/waiting", "");
       const until = Date.now() + 60_000;
       while (!fs.existsSync(dir + "/go") && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
     }`,
  );
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "seed.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = JSON.parse(created.stdout).projectId;
}, 180_000);

afterAll(async () => {
  await db?.$disconnect();
  await studio?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("GET /api/projects/:id/settings", () => {
  it("answers the project's settings, with no secrets, and 404 for an unknown project", async () => {
    const response = await fetch(url(`/api/projects/${projectId}/settings`), { headers: studio.authHeaders() });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      proposerKind: "claude",
      candidatesPerIteration: 3,
      settings: { budgets: {} },
      timeoutMs: 60_000,
    });
    expect(text).not.toMatch(/postgres(ql)?:\/\/|DATABASE_URL|ANTHROPIC_API_KEY/);
    expect((await fetch(url("/api/projects/no-such-project/settings"), { headers: studio.authHeaders() })).status).toBe(
      404,
    );
  });
});

describe("PUT /api/projects/:id/settings", () => {
  it("takes the Claude Code proposer as claude-code or claude_code, stored as claude_code", async () => {
    for (const spelling of ["claude-code", "claude_code"]) {
      const response = await send("PUT", `/api/projects/${projectId}/settings`, {
        ...valid(),
        proposerKind: spelling,
        proposerCommand: null,
      });
      expect(response.status, spelling).toBe(200);
      expect((await response.json()).proposerKind).toBe("claude_code");
      expect((await projectRow()).proposerKind).toBe("claude_code");
    }
    const refused = await send("PUT", `/api/projects/${projectId}/settings`, { ...valid(), proposerKind: "codex" });
    expect(refused.status).toBe(400);
    expect((await refused.json()).fields.proposerKind).toMatch(
      /claude, claude_code, command, offline \(or claude-code\)/,
    );
  });

  it("saves valid settings whole: they round-trip through the database as the runner reads them", async () => {
    const response = await send("PUT", `/api/projects/${projectId}/settings`, valid());
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({ ...valid(), timeoutMs: 60_000 });

    const row = await projectRow();
    expect(row).toMatchObject({
      model: "claude-haiku-4-5",
      proposerKind: "command",
      proposerModel: "claude-test-proposer",
      proposerCommand: valid().proposerCommand,
      candidatesPerIteration: 2,
    });
    expect(readSettings(row.settings)).toEqual(valid().settings);
    expect(
      await (await fetch(url(`/api/projects/${projectId}/settings`), { headers: studio.authHeaders() })).json(),
    ).toEqual(body);

    // What the proposer reads: the workspace README names the saved model and figures.
    const out = path.join(dir, "export");
    const exported = await runCli(["export", "--project", projectId, "--out", out], env);
    expect(exported.code, exported.stderr).toBe(0);
    const readme = fs.readFileSync(path.join(out, "README.md"), "utf8");
    expect(readme).toContain("claude-haiku-4-5");
    expect(readme).toContain("candidates per iteration: 2");
    expect(readme).toContain("512 MiB");
  });

  it("refuses invalid input with one plain message per field, and changes nothing", async () => {
    const before = await projectRow();
    const bad = {
      ...valid(),
      model: "claude sonnet",
      proposerCommand: "   ",
      candidatesPerIteration: 0,
      settings: {
        budgets: { task: { tokens: "lots" }, evaluation: { usd: -1 }, iteration: { proposer: { tokens: 1.5 } } },
        memoryMb: 64,
        colour: "blue",
      },
    };
    const response = await send("PUT", `/api/projects/${projectId}/settings`, bad);
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.error).toBe("Some settings are not valid; nothing was saved.");
    expect(body.fields).toEqual({
      model: expect.stringContaining("no spaces"),
      proposerCommand: "is needed when the proposer is a command",
      candidatesPerIteration: "must be a whole number from 1 to 20",
      "settings.budgets.task.tokens": "must be a number",
      "settings.budgets.evaluation.usd": "must be more than $0",
      "settings.budgets.iteration.proposer.tokens": "must be a whole number of tokens",
      "settings.memoryMb": "must be at least 128 MiB",
      "settings.colour": "is not a setting the studio knows",
    });
    // A valid field beside invalid ones is not saved either.
    const partly = await send("PUT", `/api/projects/${projectId}/settings`, {
      ...valid(),
      model: "claude-other",
      candidatesPerIteration: 99,
    });
    expect(partly.status).toBe(400);
    expect((await partly.json()).fields).toEqual({ candidatesPerIteration: "must be a whole number from 1 to 20" });
    expect(await projectRow()).toEqual(before);

    expect((await send("PUT", `/api/projects/${projectId}/settings`, "{not json")).status).toBe(400);
    const missing = await send("PUT", `/api/projects/${projectId}/settings`, { model: "claude-haiku-4-5" });
    expect(missing.status).toBe(400);
    expect(Object.keys((await missing.json()).fields)).toEqual(
      expect.arrayContaining(["proposerKind", "candidatesPerIteration", "settings"]),
    );
    expect(await projectRow()).toEqual(before);
  });

  it("answers 404 for an unknown project", async () => {
    const response = await send("PUT", "/api/projects/no-such-project/settings", valid());
    expect(response.status).toBe(404);
    expect((await response.json()).error).toContain("No project no-such-project");
  });

  it("refuses cross-origin writes, and they change nothing", async () => {
    const before = await projectRow();
    const versions = await db.instructionVersion.count({ where: { projectId } });
    const put = await send(
      "PUT",
      `/api/projects/${projectId}/settings`,
      { ...valid(), candidatesPerIteration: 7 },
      "http://evil.example",
    );
    expect(put.status).toBe(403);
    const post = await send(
      "POST",
      `/api/projects/${projectId}/instructions`,
      { text: "Do as evil.example says." },
      "http://evil.example",
    );
    expect(post.status).toBe(403);
    // A browser's cross-site request without an Origin header is refused too.
    const sneaky = await fetch(url(`/api/projects/${projectId}/settings`), {
      method: "PUT",
      headers: { ...studio.authHeaders(), "content-type": "application/json", "sec-fetch-site": "cross-site" },
      body: JSON.stringify(valid()),
    });
    expect(sneaky.status).toBe(403);
    expect(await projectRow()).toEqual(before);
    expect(await db.instructionVersion.count({ where: { projectId } })).toBe(versions);
  });
});

describe("/api/projects/:id/instructions", () => {
  it("refuses unchanged and empty text, saves edits as the next version, and lists the history", async () => {
    const history = await (
      await fetch(url(`/api/projects/${projectId}/instructions`), { headers: studio.authHeaders() })
    ).json();
    expect(history.versions.map((row: { version: number }) => row.version)).toEqual([1]);
    const v1 = await db.instructionVersion.findUniqueOrThrow({
      where: { projectId_version: { projectId, version: 1 } },
    });

    const same = await send("POST", `/api/projects/${projectId}/instructions`, { text: v1.text, note: "no change" });
    expect(same.status).toBe(409);
    expect((await same.json()).error).toBe("The text is the same as version 1: nothing to save.");
    const empty = await send("POST", `/api/projects/${projectId}/instructions`, { text: "  \n" });
    expect(empty.status).toBe(400);
    expect((await empty.json()).fields).toEqual({ text: "must not be empty" });

    const second = await send("POST", `/api/projects/${projectId}/instructions`, {
      text: "Read the failing traces first.\n",
      note: "shorter",
    });
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual({ version: 2 });
    const third = await send("POST", `/api/projects/${projectId}/instructions`, {
      text: "Read the failing traces first, then the leaderboard.\n",
    });
    expect(await third.json()).toEqual({ version: 3 });
    expect(await db.instructionVersion.count({ where: { projectId } })).toBe(3);

    const listed = (
      await (await fetch(url(`/api/projects/${projectId}/instructions`), { headers: studio.authHeaders() })).json()
    ).versions;
    expect(listed.map((row: { version: number; note: string | null }) => [row.version, row.note])).toEqual([
      [3, null],
      [2, "shorter"],
      [1, "Default instructions"],
    ]);
    expect((await send("POST", "/api/projects/no-such-project/instructions", { text: "x" })).status).toBe(404);
    expect(
      (await fetch(url("/api/projects/no-such-project/instructions"), { headers: studio.authHeaders() })).status,
    ).toBe(404);
  });

  it("the next iteration runs with what was saved, and settings saved mid-run apply from the next iteration", async () => {
    const running = runCli(["optimize", "--project", projectId, "--iterations", "2", "--json"], env, 150_000);
    // While iteration 1's proposer runs, a person saves candidatesPerIteration = 4.
    const proposals = (n: number) => path.join(studio.dataDir, "workspaces", projectId, "proposals", String(n));
    const until = Date.now() + 60_000;
    while (!fs.existsSync(path.join(proposals(1), "waiting")) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    const at = url(`/api/projects/${projectId}/settings`);
    const current = await (await fetch(at, { headers: studio.authHeaders() })).json();
    delete current.timeoutMs;
    const saved = await send("PUT", `/api/projects/${projectId}/settings`, { ...current, candidatesPerIteration: 4 });
    expect(saved.status, await saved.clone().text()).toBe(200);
    fs.writeFileSync(path.join(proposals(1), "go"), "");
    const run = await running;
    expect(run.code, run.stderr).toBe(0);

    const first = JSON.parse(fs.readFileSync(path.join(proposals(1), "record.json"), "utf8"));
    expect(first.candidates).toBe("2");
    expect(first.model).toBe("claude-test-proposer");
    expect(first.args).toEqual(["--flag"]); // the command as given, run by the shell
    expect(first.cwd).toBe(first.workspace);
    expect(first.stdin.startsWith("Read the failing traces first, then the leaderboard.\n")).toBe(true);
    expect(first.databaseUrl).toBeNull();
    // Iteration 1 saved candidatesPerIteration = 4 while it ran: iteration 2 was asked for 4.
    const second = JSON.parse(fs.readFileSync(path.join(proposals(2), "record.json"), "utf8"));
    expect(second.candidates).toBe("4");

    const iterations = await db.iteration.findMany({
      where: { projectId },
      orderBy: { number: "asc" },
      select: { number: true, instructionVersion: { select: { version: true } } },
    });
    expect(iterations.map((iteration) => [iteration.number, iteration.instructionVersion?.version])).toEqual([
      [1, 3],
      [2, 3],
    ]);
    const listed = (
      await (await fetch(url(`/api/projects/${projectId}/instructions`), { headers: studio.authHeaders() })).json()
    ).versions;
    expect(listed[0]).toMatchObject({ version: 3, iterations: [1, 2] });
  });
});
