// The command proposer with real processes: small Node scripts stand in for a coding agent.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createProposer, DEFAULT_INSTRUCTIONS, type ProposerInput } from "../../../lib/proposer/index.ts";
import { COMMAND_KILL_GRACE_MS } from "../../../lib/proposer/limits.ts";
import { makeWorkspace, recorder, type TestWorkspace } from "./workspace.ts";

let workspace: TestWorkspace;
afterEach(() => workspace?.remove());

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

/** A process that is gone (or a zombie nobody has reaped yet: it runs nothing). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function waitUntilGone(pids: number[], ms = 2_000): Promise<number[]> {
  const until = Date.now() + ms;
  while (Date.now() < until && pids.some(alive)) await new Promise((r) => setTimeout(r, 50));
  return pids.filter(alive);
}

const AGENT = `
import fs from "node:fs";
import path from "node:path";
const stdin = fs.readFileSync(0, "utf8");
const env = process.env;
fs.writeFileSync(env.SEEN_FILE, JSON.stringify({ stdin, cwd: process.cwd(), env: {
  PROPOSAL_DIR: env.PROPOSAL_DIR, ITERATION: env.ITERATION, CANDIDATES_WANTED: env.CANDIDATES_WANTED, WORKSPACE_DIR: env.WORKSPACE_DIR,
  PROPOSER_MODEL: env.PROPOSER_MODEL, INSTRUCTIONS_FILE: env.INSTRUCTIONS_FILE, ANTHROPIC_API_KEY: env.ANTHROPIC_API_KEY,
  ANTHROPIC_BASE_URL: env.ANTHROPIC_BASE_URL, DATABASE_URL: env.DATABASE_URL ?? null, STUDIO_TOKEN: env.STUDIO_TOKEN ?? null } }));
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

describe("the command proposer", () => {
  it("runs the command in the workspace with the instructions, and turns its harness.ts files into proposals with their metadata and usage", async () => {
    workspace = makeWorkspace();
    const seenFile = path.join(workspace.root, "seen.json");
    const saved = {
      DATABASE_URL: process.env.DATABASE_URL,
      STUDIO_TOKEN: process.env.STUDIO_TOKEN,
      ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY,
    };
    Object.assign(process.env, {
      DATABASE_URL: "postgres://secret@localhost/studio",
      STUDIO_TOKEN: "a-secret-access-token",
      ANTHROPIC_API_KEY: "sk-ant-the-real-key",
    });
    const log = recorder();
    let result;
    try {
      const proposer = createProposer("command", { command: script("agent.mjs", AGENT), env: { SEEN_FILE: seenFile } });
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

    const seen = JSON.parse(fs.readFileSync(seenFile, "utf8"));
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
      // The iteration's credential for the recording proxy, never the studio's key or its database.
      ANTHROPIC_API_KEY: "sk-studio-iteration-credential",
      ANTHROPIC_BASE_URL: "http://127.0.0.1:9/proxy",
      DATABASE_URL: null,
      STUDIO_TOKEN: null,
    });

    // The transcript: the command, its output line by line (each stream in order; the two
    // pipes interleave as they arrive), how it ended.
    expect(log.kinds()[0]).toBe("note");
    expect(log.rows[0].preview).toContain("$ ");
    const lines = (kind: string) =>
      log.rows.filter((row) => row.kind === kind).map((row) => log.body(row).text as string);
    expect(lines("stdout").map((text) => JSON.parse(text).type)).toEqual([
      "system",
      "assistant",
      "assistant",
      "result",
    ]);
    expect(JSON.parse(lines("stdout")[3])).toMatchObject({ type: "result", total_cost_usd: 0.0123 });
    expect(lines("stderr")).toEqual(["wrote 2 proposals"]);
    expect(log.kinds().at(-1)).toBe("note");
    expect(log.body(log.rows.at(-1)!)).toMatchObject({ exitCode: 0, signal: null });
  });

  it("kills a command that hangs at the time limit, with everything it started, even if it ignores SIGTERM", async () => {
    workspace = makeWorkspace();
    const pidsFile = path.join(workspace.root, "pids.json");
    const command = script(
      "hang.mjs",
      `import fs from "node:fs";
       import { spawn } from "node:child_process";
       process.on("SIGTERM", () => {});
       const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
       fs.mkdirSync(process.env.PROPOSAL_DIR + "/half", { recursive: true });
       fs.writeFileSync(process.env.PROPOSAL_DIR + "/half/harness.ts", "export default { async run() { return 1; } };\\n");
       fs.writeFileSync(${JSON.stringify(pidsFile)}, JSON.stringify([process.pid, child.pid]));
       console.log("working…");
       setInterval(() => {}, 1000);`,
    );
    const log = recorder();
    const started = Date.now();
    // The shell ignores SIGTERM too, so only the SIGKILL after the grace period ends them.
    const result = await createProposer("command", { command: `trap '' TERM; ${command}`, timeoutMs: 1_500 }).propose(
      input(log.record),
    );
    const elapsed = Date.now() - started;

    expect(result.stopReason).toBe("error");
    expect(result.error).toBe("the command did not finish within 1.5 s and was killed (with everything it started)");
    expect(elapsed).toBeGreaterThanOrEqual(1_500 + COMMAND_KILL_GRACE_MS);
    expect(elapsed).toBeLessThan(1_500 + COMMAND_KILL_GRACE_MS + 5_000);
    const pids: number[] = JSON.parse(fs.readFileSync(pidsFile, "utf8"));
    expect(pids).toHaveLength(2);
    expect(await waitUntilGone(pids)).toEqual([]);
    // What it had written is still handed back; the loop's validation decides.
    expect(result.proposals.map((p) => p.dir)).toEqual(["proposals/3/half"]);
    expect(log.kinds()).toContain("error");
    expect(log.rows.find((row) => row.kind === "stdout")?.preview).toBe("working…");
  });

  it("ends what a command left running after it exited", async () => {
    workspace = makeWorkspace();
    const pidFile = path.join(workspace.root, "pid");
    const command = script(
      "leave.mjs",
      `import fs from "node:fs";
       import { spawn } from "node:child_process";
       const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
       child.unref();
       fs.writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));`,
    );
    const result = await createProposer("command", { command }).propose(input(recorder().record));
    expect(result.stopReason).toBe("done");
    expect(await waitUntilGone([Number(fs.readFileSync(pidFile, "utf8"))])).toEqual([]);
  });

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
