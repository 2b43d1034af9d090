// The command proposer with real processes: small Node scripts stand in for a coding agent. The
// process-group tests run in both sandboxes (bubblewrap where it works, and the plain process);
// what a sandboxed proposer can reach of a running studio is tests/integration/proposer/command-reach.test.ts,
// and its model calls through the recording proxy with the iteration's credential, command-credential.test.ts.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createProposer, DEFAULT_INSTRUCTIONS, type ProposerInput } from "../../../lib/proposer/index.ts";
import { COMMAND_KILL_GRACE_MS } from "../../../lib/proposer/limits.ts";
import { probeIsolation } from "../../../lib/runner/sandbox/isolation.ts";
import { isRoot } from "../../../lib/runner/sandbox/uid-pool.ts";
import { makeWorkspace, recorder, type TestWorkspace } from "./workspace.ts";

let workspace: TestWorkspace;
afterEach(() => workspace?.remove());

const probe = await probeIsolation();
// Under CI an installed bubblewrap must work: a sandbox silently weakened to a process is a failure.
if (process.env.CI === "true" && probe.bwrapPath && probe.isolation !== "bubblewrap")
  throw new Error(`bubblewrap is installed but the proposer sandbox fell back: ${probe.fallbackReason}`);
/** The sandboxes this machine can run: the plain process always, bubblewrap where it works. */
const MODES = (probe.isolation === "bubblewrap" ? ["process", "bubblewrap"] : ["process"]) as (
  "process" | "bubblewrap"
)[];
const isolationOption = (mode: "process" | "bubblewrap") => (mode === "process" ? "process" : "auto");

/** Live processes (not zombies) of this machine whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return cmdline.includes(marker) && !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitUntilNone(marker: string, ms = 2_000): Promise<number[]> {
  const until = Date.now() + ms;
  while (Date.now() < until && processesWith(marker).length) await new Promise((r) => setTimeout(r, 50));
  return processesWith(marker);
}

/** Writes a script into the test's temp folder and returns the command line that runs it. */
function script(name: string, source: string): string {
  const file = path.join(workspace.root, name);
  fs.writeFileSync(file, source);
  return `${JSON.stringify(process.execPath)} ${JSON.stringify(file)}`;
}

function input(record: ProposerInput["record"], overrides: Partial<ProposerInput> = {}): ProposerInput {
  return {
    workspaceDir: workspace.workspaceDir,
    proposalDir: workspace.proposalDir,
    iteration: 3,
    candidatesWanted: 2,
    instructions: DEFAULT_INSTRUCTIONS,
    model: "claude-opus-5-5",
    maxTurns: 50,
    record,
    client: { baseURL: "http://127.0.0.1:9/proxy", apiKey: "sk-studio-iteration-credential" },
    ...overrides,
  };
}

const AGENT = `
import fs from "node:fs";
import path from "node:path";
const stdin = fs.readFileSync(0, "utf8");
const env = process.env;
const attempt = (what) => { try { return { ok: true, value: what() ?? null }; } catch (error) { return { ok: false, code: error.code ?? String(error) }; } };
fs.writeFileSync(path.join(env.PROPOSAL_DIR, "seen.json"), JSON.stringify({ stdin, cwd: process.cwd(), names: Object.keys(env), env: {
  PROPOSAL_DIR: env.PROPOSAL_DIR, ITERATION: env.ITERATION, CANDIDATES_WANTED: env.CANDIDATES_WANTED, WORKSPACE_DIR: env.WORKSPACE_DIR,
  PROPOSER_MODEL: env.PROPOSER_MODEL, INSTRUCTIONS_FILE: env.INSTRUCTIONS_FILE, ANTHROPIC_API_KEY: env.ANTHROPIC_API_KEY,
  ANTHROPIC_BASE_URL: env.ANTHROPIC_BASE_URL, DATABASE_URL: env.DATABASE_URL ?? null, STUDIO_TOKEN: env.STUDIO_TOKEN ?? null,
  STUDIO_TEST_MARKER: env.STUDIO_TEST_MARKER ?? null, EXTRA: env.EXTRA ?? null },
  home: { path: env.HOME, writable: attempt(() => fs.writeFileSync(path.join(env.HOME, ".agent-state"), "x")) },
  readme: attempt(() => fs.readFileSync("README.md", "utf8").length),
  overwriteCandidate: attempt(() => fs.writeFileSync("candidates/cand-seed/harness.ts", "overwritten")),
  outside: attempt(() => fs.readFileSync(env.OUTSIDE_FILE, "utf8")) }));
const write = (name, source, meta) => {
  fs.mkdirSync(path.join(env.PROPOSAL_DIR, name), { recursive: true });
  fs.writeFileSync(path.join(env.PROPOSAL_DIR, name, "harness.ts"), source);
  fs.writeFileSync(path.join(env.PROPOSAL_DIR, name, "proposal.json"), JSON.stringify(meta));
};
const line = (value) => process.stdout.write(JSON.stringify(value) + "\\n");
line({ type: "system", subtype: "init", cwd: process.cwd() });
line({ type: "assistant", message: { id: "m1", content: [{ type: "tool_use", id: "r1", name: "Read", input: { file_path: path.join(process.cwd(), "README.md") } }] } });
line({ type: "assistant", message: { id: "m2", content: [{ type: "tool_use", id: "r2", name: "Read", input: { file_path: "candidates/cand-seed/traces/divide.jsonl" } }, { type: "tool_use", id: "r3", name: "Read", input: { file_path: "/etc/hostname" } }] } });
write("alpha", "export default { async run() { return 'alpha'; } };\\n", { hypothesis: "Parse a final ANSWER line.", axis: "exploit", base: "cand-seed", rationale: "divide: the last number was 3" });
write("beta", "export default { async run() { return 'beta'; } };\\n", { hypothesis: "Vote over samples.", axis: "explore", base: null, rationale: "untried" });
process.stderr.write("wrote 2 proposals\\n");
line({ type: "result", subtype: "success", total_cost_usd: 0.0123, usage: { input_tokens: 1000, cache_read_input_tokens: 500, cache_creation_input_tokens: 200, output_tokens: 300 } });
`;

describe.each(MODES)("the command proposer (%s)", (mode) => {
  it("runs the command in the workspace with the instructions and a built environment, and turns its harness.ts files into proposals with their metadata and usage", async () => {
    workspace = makeWorkspace();
    const saved = {
      DATABASE_URL: process.env.DATABASE_URL,
      STUDIO_TOKEN: process.env.STUDIO_TOKEN,
      ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY,
      STUDIO_TEST_MARKER: process.env.STUDIO_TEST_MARKER,
    };
    Object.assign(process.env, {
      DATABASE_URL: "postgres://secret@localhost/studio",
      STUDIO_TOKEN: "a-secret-access-token",
      ANTHROPIC_API_KEY: "sk-ant-the-real-key",
      STUDIO_TEST_MARKER: "inherited",
    });
    const log = recorder();
    let result;
    try {
      const proposer = createProposer("command", {
        command: script("agent.mjs", AGENT),
        env: { EXTRA: "given", OUTSIDE_FILE: path.join(workspace.outsideDir, "secret.txt") },
        isolation: isolationOption(mode),
      });
      expect(proposer.kind).toBe("command");
      result = await proposer.propose(input(log.record));
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }

    expect(result.error).toBeUndefined();
    expect(result.stopReason).toBe("done");
    expect(result.isolation).toBe(mode);
    expect(result.proposals).toEqual([
      {
        dir: "proposals/3/alpha",
        source: "export default { async run() { return 'alpha'; } };\n",
        hypothesis: "Parse a final ANSWER line.",
        axis: "exploit",
        baseCandidateId: "cand-seed",
        rationale: "divide: the last number was 3",
      },
      {
        dir: "proposals/3/beta",
        source: "export default { async run() { return 'beta'; } };\n",
        hypothesis: "Vote over samples.",
        axis: "explore",
        baseCandidateId: null,
        rationale: "untried",
      },
    ]);
    expect(result.inputTokens).toBe(1700);
    expect(result.outputTokens).toBe(300);
    expect(result.costUsd).toBeCloseTo(0.0123, 10);
    // Read tool calls inside the workspace, relative; the one outside is not the workspace's.
    expect(result.filesRead).toEqual(["README.md", "candidates/cand-seed/traces/divide.jsonl"]);

    const seen = JSON.parse(fs.readFileSync(path.join(workspace.proposalDir, "seen.json"), "utf8"));
    const realWorkspace = fs.realpathSync(workspace.workspaceDir);
    const instructionsFile = path.join(fs.realpathSync(workspace.proposalDir), "INSTRUCTIONS.md");
    expect(seen.cwd).toBe(realWorkspace);
    expect(seen.stdin.startsWith(DEFAULT_INSTRUCTIONS.trimEnd())).toBe(true);
    expect(seen.stdin).toContain("# Iteration 3: write 2 new candidate harnesses");
    expect(fs.readFileSync(instructionsFile, "utf8")).toBe(seen.stdin);
    expect(seen.env).toEqual({
      PROPOSAL_DIR: fs.realpathSync(workspace.proposalDir),
      ITERATION: "3",
      CANDIDATES_WANTED: "2",
      WORKSPACE_DIR: realWorkspace,
      PROPOSER_MODEL: "claude-opus-5-5",
      INSTRUCTIONS_FILE: instructionsFile,
      // The client the loop handed in (the proxy and the iteration's credential: command-credential.test.ts), never the studio's key.
      ANTHROPIC_API_KEY: "sk-studio-iteration-credential",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9/proxy",
      // Built, not inherited: nothing of the studio's environment but what the proposer sets.
      DATABASE_URL: null,
      STUDIO_TOKEN: null,
      STUDIO_TEST_MARKER: null,
      EXTRA: "given",
    });
    // A scratch HOME of its own, writable, not the studio's.
    expect(seen.home.path).not.toBe(process.env.HOME);
    expect(seen.home.writable.ok).toBe(true);
    expect(fs.existsSync(seen.home.path)).toBe(false); // removed after the run
    // The workspace is readable, and read-only outside the proposal folder.
    expect(seen.readme).toEqual({ ok: true, value: expect.any(Number) });
    expect(seen.overwriteCandidate.ok).toBe(false);
    expect(fs.readFileSync(path.join(workspace.workspaceDir, "candidates/cand-seed/harness.ts"), "utf8")).not.toBe(
      "overwritten",
    );
    // Under bubblewrap a folder beside the workspace is not there at all; a plain process can read world-readable files.
    if (mode === "bubblewrap") expect(seen.outside).toEqual({ ok: false, code: "ENOENT" });
    else expect(seen.outside).toEqual({ ok: true, value: "the studio's secret\n" });
    // The proposal folder is the studio's again afterwards.
    expect(fs.statSync(path.join(workspace.proposalDir, "alpha", "harness.ts")).uid).toBe(process.getuid!());

    // The transcript: the command with its sandbox, its output line by line (each stream in
    // order; the two pipes interleave as they arrive), how it ended.
    expect(log.kinds()[0]).toBe("note");
    expect(log.rows[0].preview).toContain("$ ");
    expect(log.body(log.rows[0])).toMatchObject({
      isolation: mode,
      writable: [fs.realpathSync(workspace.proposalDir)],
    });
    const lines = (kind: string) =>
      log.rows.filter((row) => row.kind === kind).map((row) => log.body(row).text as string);
    // Its stream-json became a transcript: the session's start and end as notes, each tool call
    // with its input; no line of it is left as raw output.
    expect(lines("stdout")).toEqual([]);
    const calls = log.rows.filter((row) => row.kind === "tool_call");
    expect(calls.map((row) => [row.name, log.body(row).input])).toEqual([
      ["Read", { file_path: path.join(fs.realpathSync(workspace.workspaceDir), "README.md") }],
      ["Read", { file_path: "candidates/cand-seed/traces/divide.jsonl" }],
      ["Read", { file_path: "/etc/hostname" }],
    ]);
    const notes = log.rows.filter((row) => row.kind === "note").map((row) => row.preview);
    expect(notes).toContain("the session started: model unknown, tools none");
    expect(
      notes.some((note) =>
        note?.startsWith("the session finished (success, turns unknown); the client estimated $0.0123"),
      ),
    ).toBe(true);
    expect(lines("stderr")).toEqual(["wrote 2 proposals"]);
    expect(log.kinds().at(-1)).toBe("note");
    expect(log.body(log.rows.at(-1)!)).toMatchObject({ exitCode: 0, signal: null });
  });

  it("kills a command that hangs at the time limit, with everything it started, even if it ignores SIGTERM", async () => {
    workspace = makeWorkspace();
    const marker = `studio-hang-${randomUUID()}`;
    const command = script(
      "hang.mjs",
      `import fs from "node:fs";
       import { spawn } from "node:child_process";
       process.on("SIGTERM", () => {});
       spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", ${JSON.stringify(marker)}], { stdio: "ignore" });
       fs.mkdirSync(process.env.PROPOSAL_DIR + "/half", { recursive: true });
       fs.writeFileSync(process.env.PROPOSAL_DIR + "/half/harness.ts", "export default { async run() { return 1; } };\\n");
       console.log("working…");
       setInterval(() => {}, 1000);`,
    );
    const log = recorder();
    const started = Date.now();
    // The shell ignores SIGTERM too, so in a plain process only the SIGKILL after the grace
    // period ends them; bubblewrap ends its whole pid namespace at the first signal.
    const run = createProposer("command", {
      command: `trap '' TERM; ${command} ${marker}`,
      timeoutMs: 1_500,
      isolation: isolationOption(mode),
    }).propose(input(log.record));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(processesWith(marker).length).toBeGreaterThanOrEqual(2); // the script and its child, running
    const result = await run;
    const elapsed = Date.now() - started;

    expect(result.stopReason).toBe("error");
    expect(result.error).toBe("the command did not finish within 1.5 s and was killed (with everything it started)");
    expect(elapsed).toBeGreaterThanOrEqual(mode === "process" ? 1_500 + COMMAND_KILL_GRACE_MS : 1_500);
    expect(elapsed).toBeLessThan(1_500 + COMMAND_KILL_GRACE_MS + 5_000);
    expect(await waitUntilNone(marker)).toEqual([]);
    // What it had written is still handed back; the loop's validation decides.
    expect(result.proposals.map((p) => p.dir)).toEqual(["proposals/3/half"]);
    expect(log.kinds()).toContain("error");
    expect(log.rows.find((row) => row.kind === "stdout")?.preview).toBe("working…");
  });

  it("kills a command whose process tree passes its memory limit, and says so", async () => {
    workspace = makeWorkspace();
    // The memory is held by a child, so only a watch of the whole tree sees it.
    const command = script(
      "hoard.mjs",
      `import { spawn } from "node:child_process";
       console.log("hoarding…");
       const child = spawn(process.execPath, ["-e", "const h = []; setInterval(() => h.push(Buffer.alloc(16 * 1024 * 1024, 1)), 10);"], { stdio: "inherit" });
       child.on("exit", () => process.exit(0));`,
    );
    const log = recorder();
    const started = Date.now();
    const result = await createProposer("command", {
      command,
      memoryMb: 128,
      timeoutMs: 60_000,
      isolation: isolationOption(mode),
    }).propose(input(log.record));
    expect(result.stopReason).toBe("error");
    expect(result.error).toMatch(
      /^the command used [\d.]+ MiB of memory, past its limit of 128 MiB, and was killed \(with everything it started\)$/,
    );
    expect(Date.now() - started).toBeLessThan(30_000); // the memory watch, not the time limit
    expect(log.kinds()).toContain("error");
    expect(log.rows.find((row) => row.kind === "stdout")?.preview).toBe("hoarding…");
  });

  it("ends what a command left running after it exited", async () => {
    workspace = makeWorkspace();
    const marker = `studio-left-${randomUUID()}`;
    const command = script(
      "leave.mjs",
      `import fs from "node:fs";
       import { spawn } from "node:child_process";
       const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", ${JSON.stringify(marker)}], { stdio: "ignore", detached: ${mode === "bubblewrap" || isRoot()} });
       child.unref();
       fs.writeFileSync(process.env.PROPOSAL_DIR + "/started", "yes");`,
    );
    // A child that left the process group too: bubblewrap's pid namespace ends it, and so does
    // the sandbox uid's kill-all when the studio is root (not root, a plain process cannot).
    const result = await createProposer("command", { command, isolation: isolationOption(mode) }).propose(
      input(recorder().record),
    );
    expect(result.stopReason).toBe("done");
    expect(fs.readFileSync(path.join(workspace.proposalDir, "started"), "utf8")).toBe("yes");
    expect(await waitUntilNone(marker)).toEqual([]);
  });

  it("never follows a link the command left: not to read its proposal.json, not to write the next INSTRUCTIONS.md", async () => {
    workspace = makeWorkspace();
    // Files only the studio's user may read or write.
    const secret = path.join(workspace.outsideDir, "secret.json");
    fs.writeFileSync(secret, JSON.stringify({ rationale: "the studio's secret", hypothesis: "the studio's secret" }));
    fs.chmodSync(secret, 0o600);
    const target = path.join(workspace.outsideDir, "target.txt");
    fs.writeFileSync(target, "untouched\n");
    fs.chmodSync(target, 0o600);
    const command = script(
      "links.mjs",
      `import fs from "node:fs";
       const dir = process.env.PROPOSAL_DIR;
       fs.mkdirSync(dir + "/p1", { recursive: true });
       fs.writeFileSync(dir + "/p1/harness.ts", "export default { async run() { return 1; } };\\n");
       fs.symlinkSync(${JSON.stringify(secret)}, dir + "/p1/proposal.json");
       fs.rmSync(dir + "/INSTRUCTIONS.md");
       fs.symlinkSync(${JSON.stringify(target)}, dir + "/INSTRUCTIONS.md");`,
    );
    const log = recorder();
    const first = await createProposer("command", { command, isolation: isolationOption(mode) }).propose(
      input(log.record),
    );
    expect(first.error).toBeUndefined();
    expect(first.proposals).toEqual([
      expect.objectContaining({ dir: "proposals/3/p1", rationale: "", hypothesis: "" }),
    ]);
    expect(JSON.stringify(log.rows)).not.toContain("the studio's secret");
    expect(fs.lstatSync(path.join(workspace.proposalDir, "INSTRUCTIONS.md")).isSymbolicLink()).toBe(true);

    // The same proposal folder again (a resumed iteration): the instructions replace the link.
    const again = await createProposer("command", { command: "true", isolation: isolationOption(mode) }).propose(
      input(recorder().record),
    );
    expect(again.error).toBeUndefined();
    expect(fs.readFileSync(target, "utf8")).toBe("untouched\n");
    const instructions = path.join(workspace.proposalDir, "INSTRUCTIONS.md");
    expect(fs.lstatSync(instructions).isSymbolicLink()).toBe(false);
    expect(fs.readFileSync(instructions, "utf8")).toContain("# Iteration 3");
  });
});

describe("the command proposer", () => {
  it("reports a command that exits non-zero with the tail of its stderr", async () => {
    workspace = makeWorkspace();
    const command = `${JSON.stringify(process.execPath)} -e 'console.error("x".repeat(5000)); console.error("boom: the agent crashed"); process.exit(3)'`;
    const log = recorder();
    const result = await createProposer("command", { command }).propose(input(log.record));
    expect(result.stopReason).toBe("error");
    expect(result.error).toMatch(/^the command exited with code 3; stderr ends with:\n/);
    expect(result.error).toContain("boom: the agent crashed");
    expect(result.error!.length).toBeLessThan(2_200);
    expect(result.proposals).toEqual([]);
    expect(log.rows.filter((row) => row.kind === "stderr").map((row) => log.body(row).text)).toEqual([
      "x".repeat(5000),
      "boom: the agent crashed",
    ]);
  });

  it("takes missing or malformed proposal.json as defaults, with a note, and caps what it records", async () => {
    workspace = makeWorkspace();
    const command = script(
      "sloppy.mjs",
      `import fs from "node:fs";
       const dir = process.env.PROPOSAL_DIR;
       const put = (file, text) => { fs.mkdirSync(dir + "/" + file.split("/")[0], { recursive: true }); fs.writeFileSync(dir + "/" + file, text); };
       put("p1/harness.ts", "export default { async run() { return 1; } };\\n");
       put("p1/proposal.json", "{ not json");
       put("p2/harness.ts", "export default { async run() { return 2; } };\\n");
       put("p3/harness.ts", "export default { async run() { return 3; } };\\n");
       put("p3/proposal.json", JSON.stringify({ hypothesis: 42, axis: "sideways", base_candidate_id: "cand-two", rationale: "kept" }));
       put("p4/harness.ts", "   \\n");
       process.stdout.write("y".repeat(3000) + "\\n" + "not json either\\n");`,
    );
    const log = recorder();
    const result = await createProposer("command", { command, maxOutputBytes: 1_000 }).propose(
      input(log.record, { candidatesWanted: 3 }),
    );
    expect(result.stopReason).toBe("done");
    expect(
      result.proposals.map(({ dir, hypothesis, axis, baseCandidateId, rationale }) => ({
        dir,
        hypothesis,
        axis,
        baseCandidateId,
        rationale,
      })),
    ).toEqual([
      { dir: "proposals/3/p1", hypothesis: "", axis: "explore", baseCandidateId: null, rationale: "" },
      { dir: "proposals/3/p2", hypothesis: "", axis: "explore", baseCandidateId: null, rationale: "" },
      { dir: "proposals/3/p3", hypothesis: "", axis: "explore", baseCandidateId: "cand-two", rationale: "kept" },
    ]);
    const notes = log.rows.filter((row) => row.kind === "note").map((row) => log.body(row).message as string);
    expect(notes).toContainEqual(
      expect.stringMatching(/^proposals\/3\/p1\/proposal\.json is not valid JSON \(.+\); using defaults$/),
    );
    expect(notes).toContain(
      'proposals/3/p2/proposal.json is missing: no hypothesis or rationale; axis "explore", no base candidate',
    );
    expect(notes).toContain(
      'proposals/3/p3/proposal.json: ignored hypothesis, axis "sideways" (must be "exploit" or "explore"); defaults used for those',
    );
    expect(notes).toContain("proposals/3/p4/harness.ts is empty; not a proposal");
    // The 3,000-byte line is past the 1,000-byte cap: counted, not recorded; the short line after it still fits.
    expect(log.rows.filter((row) => row.kind === "stdout").map((row) => log.body(row).text)).toEqual([
      "not json either",
    ]);
    expect(notes).toContain("stdout: 3001 bytes in 1 line not recorded (the record keeps 1000 bytes per stream)");
  });

  it("stops as cancelled when the signal fires", async () => {
    workspace = makeWorkspace();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await createProposer("command", { command: "sleep 30" }).propose(
      input(recorder().record, { signal: controller.signal }),
    );
    expect(result.stopReason).toBe("cancelled");
  });

  it("refuses to be created without a command", () => {
    expect(() => createProposer("command", { command: "  " })).toThrow(/needs a command/);
  });
});
