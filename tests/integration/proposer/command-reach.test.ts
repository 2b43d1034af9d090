// Proposer reach: what a command proposer can get of a running studio. A real studio (embedded
// Postgres in its data folder, its job worker holding DATABASE_URL, its HTTP API on loopback) and
// `studio optimize` with a command proposer whose script tries, in turn: the embedded Postgres
// credentials file in the data folder, /proc/<worker pid>/environ and every other process's
// environment (DATABASE_URL), the suite folder with the test split's answers, and the studio's
// HTTP API. It writes what it got into its proposal folder. Each target is first shown to hold
// its secret (read from the test, as the studio's user), so the test fails if the sandbox leaks;
// the script must also have read the workspace and written its proposal.
//
// Under bubblewrap every target is out of reach. As a plain process (STUDIO_SANDBOX=process) with
// the studio as root, the command runs as its own uid: the credentials and other processes'
// environments stay out of reach; the network and world-readable files do not, and the iteration
// records the weaker isolation. Under CI an installed bubblewrap must work.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../../fakes/anthropic-server.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../../helpers/studio.ts";
import { probeIsolation } from "../../../lib/runner/sandbox/isolation.ts";
import { isRoot } from "../../../lib/runner/sandbox/uid-pool.ts";

const probe = await probeIsolation();
if (process.env.CI === "true" && probe.bwrapPath && probe.isolation !== "bubblewrap")
  throw new Error(
    `bubblewrap is installed but cannot run, so the proposer would not be sandboxed: ${probe.fallbackReason}`,
  );

/** The test split's answer: a number no other file holds. */
const TEST_ANSWER = 7431987;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-command-reach-"));
fs.chmodSync(dir, 0o755);
const suiteDir = path.join(dir, "suite");

let studio: RunningStudio;
let fake: FakeAnthropic;
let env: NodeJS.ProcessEnv;
let projectId: string;
let databaseUrl: string;
let workerPid: number;

/** The studio's job worker: its process whose environment holds this studio's DATABASE_URL. */
function findWorker(url: string): number {
  for (const entry of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes("studio.js\0worker") && fs.readFileSync(`/proc/${entry}/environ`, "utf8").includes(url))
        return Number(entry);
    } catch {
      // gone, or not ours
    }
  }
  throw new Error("the studio's worker process was not found");
}

/** The proposer: tries every target, writes what it got, then a harness (so the run has a candidate). */
function reachScript(targets: Record<string, string | number>): string {
  return `import fs from "node:fs";
import path from "node:path";
const targets = ${JSON.stringify(targets)};
const attempt = async (what) => {
  try {
    return { ok: true, value: await what() };
  } catch (error) {
    return { ok: false, code: error.code ?? error.cause?.code ?? String(error) };
  }
};
const environs = () => fs.readdirSync("/proc").filter((name) => /^\\d+$/.test(name)).filter((pid) => {
  try { return fs.readFileSync("/proc/" + pid + "/environ", "utf8").includes("DATABASE_URL="); } catch { return false; }
});
const report = {
  credentials: await attempt(() => fs.readFileSync(targets.credentialsFile, "utf8")),
  dataFolder: await attempt(() => fs.readdirSync(targets.dataDir)),
  workerEnviron: await attempt(() => fs.readFileSync("/proc/" + targets.workerPid + "/environ", "utf8")),
  environsWithDatabaseUrl: await attempt(environs),
  suite: await attempt(() => fs.readFileSync(path.join(targets.suiteDir, "tasks.jsonl"), "utf8")),
  api: await attempt(async () => {
    const res = await fetch(targets.apiUrl, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, body: await res.text() };
  }),
  workspaceReadme: await attempt(() => fs.readFileSync(path.join(process.env.WORKSPACE_DIR, "README.md"), "utf8").length),
};
fs.writeFileSync(path.join(process.env.PROPOSAL_DIR, "reach.json"), JSON.stringify(report, null, 2));
const out = path.join(process.env.PROPOSAL_DIR, "reached");
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, "harness.ts"), "export default { async run() { return 42; } };\\n");
`;
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ respond: () => ({ text: "42" }) });
  studio = await startStudio({ env: { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: "sk-ant-reach-test" } });
  databaseUrl = studioDatabaseUrl(studio.dataDir);
  workerPid = findWorker(databaseUrl);
  env = studioEnv({
    DATABASE_URL: databaseUrl,
    STUDIO_DATA_DIR: studio.dataDir,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: "sk-ant-reach-test",
  });

  fs.mkdirSync(suiteDir);
  fs.writeFileSync(
    path.join(suiteDir, "suite.json"),
    JSON.stringify({ name: "reach", description: "Answer 42.", mode: "independent", grader: { type: "numeric" } }),
  );
  fs.writeFileSync(
    path.join(suiteDir, "tasks.jsonl"),
    [
      { id: "s1", input: 1, expected: 42, split: "search" },
      { id: "s2", input: 2, expected: 42, split: "search" },
      { id: "t1", input: 3, expected: TEST_ANSWER, split: "test" },
    ]
      .map((task) => JSON.stringify(task))
      .join("\n"),
  );
  fs.writeFileSync(path.join(dir, "seed.ts"), "export default { async run() { return 41; } };\n");
  fs.writeFileSync(
    path.join(dir, "reach.mjs"),
    reachScript({
      credentialsFile: path.join(studio.dataDir, "postgres-credentials.json"),
      dataDir: studio.dataDir,
      workerPid,
      suiteDir,
      apiUrl: `${studio.url}/api/projects`,
    }),
  );
  const created = await runCli(
    ["project", "create", "--suite", suiteDir, "--harness", path.join(dir, "seed.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = JSON.parse(created.stdout).projectId;
}, 180_000);

afterAll(async () => {
  await studio?.stop();
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs one iteration with the reach script as the proposer; its JSON line and what the script got. */
async function optimizeOnce(extraEnv: Record<string, string> = {}) {
  const result = await runCli(
    [
      "optimize",
      "--project",
      projectId,
      "--proposer",
      "command",
      "--proposer-command",
      `node ${path.join(dir, "reach.mjs")}`,
      "--json",
    ],
    { ...env, ...extraEnv },
    120_000,
  );
  expect(result.code, result.stderr).toBe(0);
  const line = JSON.parse(result.stdout.trim().split("\n").at(-1)!);
  const proposals = path.join(studio.dataDir, "workspaces", projectId, "proposals", String(line.iteration));
  return { line, reach: JSON.parse(fs.readFileSync(path.join(proposals, "reach.json"), "utf8")) };
}

describe("proposer reach", () => {
  it("each target holds its secret for the studio's own user", async () => {
    const credentials = JSON.parse(fs.readFileSync(path.join(studio.dataDir, "postgres-credentials.json"), "utf8"));
    expect(databaseUrl).toContain(encodeURIComponent(credentials.password));
    expect(fs.readFileSync(`/proc/${workerPid}/environ`, "utf8")).toContain(`DATABASE_URL=${databaseUrl}`);
    expect(fs.readFileSync(path.join(suiteDir, "tasks.jsonl"), "utf8")).toContain(String(TEST_ANSWER));
    const api = await fetch(`${studio.url}/api/projects`);
    expect(api.status).toBeLessThan(500); // it answers on loopback
  });

  it.runIf(probe.isolation === "bubblewrap")(
    "under bubblewrap, a command proposer gets none of them, yet reads the workspace and writes its proposal",
    async () => {
      const { line, reach } = await optimizeOnce();
      expect(line.proposer.isolation).toBe("bubblewrap");
      // What it could do: read the workspace, write its proposal (now a valid candidate).
      expect(reach.workspaceReadme).toEqual({ ok: true, value: expect.any(Number) });
      expect(line.candidates).toEqual([expect.objectContaining({ valid: true })]);
      // What it could not.
      expect(reach.credentials).toEqual({ ok: false, code: "ENOENT" });
      // The data folder is no more than the path down to the workspace.
      expect(reach.dataFolder).toEqual({ ok: true, value: ["workspaces"] });
      expect(reach.workerEnviron.ok && reach.workerEnviron.value.includes("DATABASE_URL")).toBe(false);
      expect(reach.environsWithDatabaseUrl).toEqual({ ok: true, value: [] });
      expect(reach.suite).toEqual({ ok: false, code: "ENOENT" });
      expect(reach.api).toEqual({ ok: false, code: "ECONNREFUSED" });
      expect(JSON.stringify(reach)).not.toContain(String(TEST_ANSWER));
    },
    150_000,
  );

  it.runIf(isRoot())(
    "as a plain process of its own uid, the credentials and the worker's environment stay out of reach, and the iteration says the isolation was weaker",
    async () => {
      const { line, reach } = await optimizeOnce({ STUDIO_SANDBOX: "process" });
      expect(line.proposer.isolation).toBe("process");
      expect(reach.workspaceReadme).toEqual({ ok: true, value: expect.any(Number) });
      expect(reach.credentials).toEqual({ ok: false, code: "EACCES" });
      expect(reach.workerEnviron).toEqual({ ok: false, code: "EACCES" });
      expect(reach.environsWithDatabaseUrl).toEqual({ ok: true, value: [] });
      // The gaps of a plain process, as the iteration's record says: world-readable files and the network.
      expect(reach.suite.ok).toBe(true);
      expect(reach.api.ok).toBe(true);
    },
    150_000,
  );
});
