// Price overrides through their two writers, against a real studio: the JSON route the settings
// page uses (PUT/GET/DELETE /api/prices, validated, all or nothing) and `studio prices`, and
// "unpriced" as `studio eval` reports it: a fake Anthropic server over real HTTP answers as a
// made-up model; without an override the CLI says unpriced (JSON: costUsd null, unpriced true),
// with one it reports the override's figure exactly.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../../lib/db/generated/client.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../helpers/studio.ts";

const MODEL = "acme-large-2";
let studio: RunningStudio;
let fake: FakeAnthropic;
let db: PrismaClient;
let env: NodeJS.ProcessEnv;
let projectId: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-prices-cli-"));
fs.chmodSync(dir, 0o755);

const send = (method: string, p: string, body?: unknown) =>
  fetch(`${studio.url}${p}`, {
    method,
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });

beforeAll(async () => {
  [studio, fake] = await Promise.all([
    startStudio(),
    startFakeAnthropic({
      requireApiKey: "the-real-key",
      respond: (request) => ({
        text: "ok",
        model: String(request.body?.model),
        usage: { input_tokens: 1_000, output_tokens: 200, cache_read_input_tokens: 5_000 },
      }),
    }),
  ]);
  const databaseUrl = studioDatabaseUrl(studio.dataDir);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  env = studioEnv({ DATABASE_URL: databaseUrl, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: "the-real-key" });

  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "say ok", description: "Say ok.", mode: "independent", grader: { type: "exact" } }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    [0, 1].map((i) => JSON.stringify({ id: `t${i}`, input: i, expected: "ok", split: "search" })).join("\n"),
  );
  fs.writeFileSync(
    path.join(dir, "harness.ts"),
    `import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(_task: unknown, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: ${JSON.stringify(MODEL)}, max_tokens: 64, messages: [{ role: "user", content: "Say ok." }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};\n`,
  );
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "harness.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = JSON.parse(created.stdout).projectId;
  await db.project.update({ where: { id: projectId }, data: { model: MODEL } });
}, 240_000);

afterAll(async () => {
  await db?.$disconnect();
  await fake?.close();
  await studio?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("PUT/GET/DELETE /api/prices", () => {
  it("refuses invalid prices with one sentence per field, saving nothing", async () => {
    const response = await send("PUT", "/api/prices", {
      model: "",
      inputPerMTok: "3",
      outputPerMTok: -2,
      cacheWritePerMTok: 1e9,
      per: "million",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "This price is not valid; nothing was saved.",
      fields: {
        model: "The model must not be empty",
        inputPerMTok: "The input price must be a number of dollars per million tokens",
        outputPerMTok: "The output price must be $0 or more per million tokens",
        cacheWritePerMTok: "The cache write price must be at most $10,000 per million tokens",
        per: "Not a price field: use model, inputPerMTok, outputPerMTok, cacheReadPerMTok, cacheWritePerMTok",
      },
    });
    const missing = await send("PUT", "/api/prices", { model: "acme-x" });
    expect((await missing.json()).fields).toEqual({
      inputPerMTok: "The input price must be a number of dollars per million tokens",
      outputPerMTok: "The output price must be a number of dollars per million tokens",
    });
    expect((await send("PUT", "/api/prices", "{not json")).status).toBe(400);
    expect(await db.modelPrice.count()).toBe(0);
  });

  it("adds, lists, replaces and deletes an override", async () => {
    const saved = await send("PUT", "/api/prices", { model: "Acme-X", inputPerMTok: 3, outputPerMTok: 15 });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ model: "acme-x", inputPerMTok: 3, cacheReadPerMTok: null });

    // A built-in family can be overridden too, and the list says which row it replaces.
    await send("PUT", "/api/prices", { model: "claude-haiku-4-5", inputPerMTok: 0.5, outputPerMTok: 2.5 });
    const listed = await (await send("GET", "/api/prices")).json();
    expect(
      listed.overrides.map((row: { model: string; replaces: string | null }) => [row.model, row.replaces]),
    ).toEqual([
      ["acme-x", null],
      ["claude-haiku-4-5", "claude-haiku-4-5"],
    ]);
    expect(listed.builtIn).toContain("claude-sonnet-4-5");

    await send("PUT", "/api/prices", { model: "acme-x", inputPerMTok: 4, outputPerMTok: 16, cacheReadPerMTok: 0.4 });
    expect(await db.modelPrice.findUnique({ where: { model: "acme-x" } })).toMatchObject({
      inputPerMTok: 4,
      outputPerMTok: 16,
      cacheReadPerMTok: 0.4,
      cacheWritePerMTok: null,
    });

    expect((await send("DELETE", "/api/prices?model=acme-x")).status).toBe(200);
    expect((await send("DELETE", "/api/prices?model=claude-haiku-4-5")).status).toBe(200);
    const again = await send("DELETE", "/api/prices?model=acme-x");
    expect(again.status).toBe(404);
    expect((await again.json()).error).toBe("There is no price override for acme-x.");
    expect(await db.modelPrice.count()).toBe(0);
  });
});

describe("studio prices and studio eval", () => {
  it("says unpriced for a model with no price, in words and as null in JSON, never $0", async () => {
    const json = await runCli(["eval", "--project", projectId, "--concurrency", "1", "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ status: "done", passed: 2, costUsd: null, unpriced: true });
    expect(summary.inputTokens).toBe(2 * 6_000);

    const text = await runCli(["eval", "--project", projectId, "--concurrency", "1", "--fresh"], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/tokens +12k in, 400 out · unpriced\n/);
    expect(text.stdout).not.toContain("$0.00");
  }, 120_000);

  it("sets, lists and deletes a price from the CLI, and the next evaluation costs exactly the override's figure", async () => {
    const bad = await runCli(["prices", "--set", MODEL, "input=abc", "output=15"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      "studio: This price is not valid; nothing was saved.\n  input: The input price must be a number of dollars per million tokens\n",
    );
    const unknownKey = await runCli(["prices", "--set", MODEL, "in=3"], env);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain('"in=3" is not a price: use input=N output=N');
    expect(await db.modelPrice.count()).toBe(0);

    const set = await runCli(
      ["prices", "--set", MODEL, "input=3", "output=15", "cacheRead=0.3", "cacheWrite=3.75", "--json"],
      env,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      model: MODEL,
      inputPerMTok: 3,
      outputPerMTok: 15,
      cacheReadPerMTok: 0.3,
      cacheWritePerMTok: 3.75,
    });
    const listed = await runCli(["prices"], env);
    expect(listed.stdout).toBe(
      `Price overrides (USD per million tokens, for every project):\n  ${MODEL}  input $3  output $15  cache read $0.3  cache write $3.75\n`,
    );
    // The API sees what the CLI wrote: one table.
    expect((await (await send("GET", "/api/prices")).json()).overrides).toHaveLength(1);

    const json = await runCli(["eval", "--project", projectId, "--concurrency", "1", "--fresh", "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout.trim().split("\n").at(-1)!);
    // Per call: 1,000 × $3 + 200 × $15 + 5,000 × $0.30 = $7,500 per million tokens.
    expect(summary).toMatchObject({ status: "done", unpriced: false });
    expect(summary.costUsd).toBeCloseTo((2 * 7_500) / 1_000_000, 15);
    const stored = await db.evaluation.findUniqueOrThrow({ where: { id: summary.evaluationId } });
    expect(stored.costUsd).toBe(summary.costUsd);

    const deleted = await runCli(["prices", "--delete", MODEL], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`Deleted the price of ${MODEL}`);
    expect((await runCli(["prices"], env)).stdout).toContain("No price overrides.");
    const missing = await runCli(["prices", "--delete", MODEL], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`There is no price override for ${MODEL}.`);

    const help = await runCli(["--help"], env);
    expect(help.stdout).toContain("studio prices [--set MODEL input=N output=N");
  }, 180_000);

  it("refuses to start an evaluation or optimization under a dollar budget while the model is unpriced, and says why", async () => {
    await db.project.update({ where: { id: projectId }, data: { settings: { budgets: { evaluation: { usd: 2 } } } } });
    const before = { requests: fake.requests.length, evaluations: await db.evaluation.count() };
    const message = `Dollar budget cannot be enforced: the model ${MODEL} has no price, and the evaluation budget is in dollars.`;

    const run = await runCli(["eval", "--project", projectId, "--fresh"], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`studio: ${message} Add its price on the settings page (Model prices)`);

    const optimize = await runCli(["optimize", "--project", projectId, "--iterations", "1", "--offline"], env);
    expect(optimize.code).toBe(1);
    expect(optimize.stderr).toContain(`studio: ${message}`);

    // The candidate page's button: refused with the same words, nothing queued.
    const seed = await db.candidate.findFirstOrThrow({ where: { projectId }, select: { id: true } });
    const response = await send("POST", `/api/candidates/${seed.id}/evaluations`, { projectId, split: "test" }); // never evaluated on test
    expect(response.status).toBe(409);
    expect((await response.json()).error).toContain(message);

    expect(fake.requests.length).toBe(before.requests);
    expect(await db.evaluation.count()).toBe(before.evaluations); // nothing recorded
    expect(await db.optimization.count()).toBe(0);

    // A token budget alone is fine: tokens are counted whatever the price.
    await db.project.update({
      where: { id: projectId },
      data: { settings: { budgets: { evaluation: { tokens: 1e6 } } } },
    });
    const tokens = await runCli(["eval", "--project", projectId, "--fresh", "--json"], env);
    expect(tokens.code, tokens.stderr).toBe(0);
    expect(JSON.parse(tokens.stdout.trim().split("\n").at(-1)!)).toMatchObject({ status: "done", unpriced: true });
  }, 120_000);
});
