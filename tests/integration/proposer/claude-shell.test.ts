// The Claude proposer's bash tool over real HTTP: the fake Anthropic server scripts bash calls,
// each run for real in the sandbox (bubblewrap where it works, and the plain process). The
// proposer prototypes against a logged trace with node, is kept read-only outside its proposal
// folder, has no network under bubblewrap, and gets timeouts, nonzero exits and floods of output
// back as tool results while the iteration goes on. check_candidate's trace paths, read by the
// proposer (read_file and bash), are tests/integration/checks.test.ts.
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  scripted,
  startFakeAnthropic,
  type FakeAnthropic,
  type FakeMessageReply,
  type FakeRequest,
} from "../../fakes/anthropic-server.ts";
import { createProposer, DEFAULT_INSTRUCTIONS } from "../../../lib/proposer/index.ts";
import { BASH_OUTPUT_BYTES } from "../../../lib/proposer/limits.ts";
import { probeIsolation } from "../../../lib/runner/sandbox/isolation.ts";
import { isRoot } from "../../../lib/runner/sandbox/uid-pool.ts";
import { makeWorkspace, recorder, type TestWorkspace } from "./workspace.ts";

const probe = await probeIsolation();
// Under CI an installed bubblewrap must work: a shell silently weakened to a process is a failure.
if (process.env.CI === "true" && probe.bwrapPath && probe.isolation !== "bubblewrap")
  throw new Error(`bubblewrap is installed but the proposer's shell would fall back: ${probe.fallbackReason}`);
const MODES = (probe.isolation === "bubblewrap" ? ["process", "bubblewrap"] : ["process"]) as (
  "process" | "bubblewrap"
)[];

let fake: FakeAnthropic;
let workspace: TestWorkspace;
beforeAll(async () => {
  fake = await startFakeAnthropic({ requireApiKey: "sk-iteration-credential" });
});
afterAll(async () => {
  await fake?.close();
});
afterEach(() => {
  workspace?.remove();
  fake.requests.length = 0;
});

const USAGE = { input_tokens: 100, output_tokens: 20 };
const bash = (id: string, command: string, timeout_seconds?: number): FakeMessageReply => ({
  content: [
    { type: "tool_use", id, name: "bash", input: { command, ...(timeout_seconds ? { timeout_seconds } : {}) } },
  ],
  usage: USAGE,
});

/** Every tool result the proposer sent back, by tool_use id (each request carries the last ones). */
function toolResults(): Map<string, { content: string; is_error?: boolean }> {
  const results = new Map<string, { content: string; is_error?: boolean }>();
  for (const request of fake.requests.filter((r: FakeRequest) => r.path === "/v1/messages"))
    for (const block of request.body.messages.at(-1).content)
      if (block.type === "tool_result") results.set(block.tool_use_id, block);
  return results;
}

/** A trace parser, as the proposer would prototype one: the grade of each line, and the last number of the output. */
const PARSE_TRACE = `node -e '
const fs = require("node:fs");
const events = fs.readFileSync("candidates/cand-seed/traces/divide.jsonl", "utf8").trim().split("\\n").map(JSON.parse);
const grade = events.find((e) => e.kind === "grade");
const output = events.find((e) => e.kind === "output").body.value;
console.log("kinds=" + events.map((e) => e.kind).join(","), "expected=" + grade.body.expected, "last=" + output.match(/-?[\\d.]+/g).pop());
'`;

/** The proposal, bundled with esbuild and run on the logged divide task with a ctx.model that replays its logged response. */
const REPLAY = `esbuild proposals/3/last/harness.ts --bundle --platform=node --format=esm --external:@anthropic-ai/sdk --log-level=warning --outfile="$SCRATCH_DIR/last.mjs" && node --input-type=module -e '
import fs from "node:fs";
const events = fs.readFileSync("candidates/cand-seed/traces/divide.jsonl", "utf8").trim().split("\\n").map(JSON.parse);
const call = events.find((e) => e.kind === "model_call").body;
const ctx = { model: { messages: { create: async () => call.response.body } } };
const harness = (await import(process.env.SCRATCH_DIR + "/last.mjs")).default;
console.log("replayed:", await harness.run({ input: call.request.body.messages[0].content }, ctx));
'`;

describe.each(MODES)("the Claude proposer's bash tool (%s)", (mode) => {
  it("prototypes on a logged trace with node, writes only its proposal folder and scratch, and gets limits back as results", async () => {
    workspace = makeWorkspace();
    const seedHarness = path.join(workspace.workspaceDir, "candidates/cand-seed/harness.ts");
    const seedBefore = fs.readFileSync(seedHarness, "utf8");
    const secret = path.join(workspace.outsideDir, "secret.txt");
    // A proposal that imports the SDK, prototyped below on a logged response.
    const harness = `import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: string }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: String(task.input) }] });
    const text = reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
    return typeof Anthropic.APIError + " " + (text.match(/-?\\d+\\.\\d+/)?.[0] ?? text);
  },
};`;
    fake.setRespond(
      scripted([
        bash("b1", PARSE_TRACE),
        bash(
          "b2",
          `echo overwritten > candidates/cand-seed/harness.ts; echo "candidate: $?"; touch new-file; echo "root: $?"; ` +
            `echo kept > "$SCRATCH_DIR/notes" && echo "scratch: $?"; echo "pwd: $(pwd)"`,
        ),
        bash(
          "b3",
          `cat "$SCRATCH_DIR/notes"; mkdir -p "$PROPOSAL_DIR/last" && echo "plan: parse the decimal" > "$PROPOSAL_DIR/last/notes.md"`,
        ),
        bash(
          "b4",
          `echo "beside: $(ls ${workspace.root} | tr '\\n' ' ')"; cat ${secret}; node -e 'fetch("${fake.url}/v1/models", { signal: AbortSignal.timeout(3000) }).then((r) => console.log("network: reached", r.status), (e) => console.log("network: none", e.cause?.code ?? e.name))'`,
        ),
        bash("b5", "echo started; sleep 30; echo never", 2),
        bash("b6", `node -e 'for (let i = 0; i < 20000; i++) console.log("line " + i + " " + "x".repeat(40))'`),
        bash("b7", "echo to-stderr >&2; exit 3"),
        {
          content: [
            {
              type: "tool_use",
              id: "w1",
              name: "write_file",
              input: { path: "proposals/3/last/harness.ts", content: harness },
            },
          ],
          usage: USAGE,
        },
        bash("b8", REPLAY),
        {
          content: [
            {
              type: "tool_use",
              id: "f1",
              name: "finish",
              input: {
                proposals: [
                  {
                    path: "proposals/3/last",
                    hypothesis: "Parse the last number.",
                    axis: "exploit",
                    base_candidate_id: "cand-seed",
                    rationale: "divide: expected 0.333, the last number was 3",
                  },
                ],
              },
            },
          ],
          usage: USAGE,
        },
      ]),
    );
    const log = recorder();
    const started = performance.now();
    const result = await createProposer("claude", { shellIsolation: mode === "process" ? "process" : "auto" }).propose({
      workspaceDir: workspace.workspaceDir,
      proposalDir: workspace.proposalDir,
      iteration: 3,
      candidatesWanted: 1,
      instructions: DEFAULT_INSTRUCTIONS,
      model: "claude-opus-5-5",
      maxTurns: 20,
      record: log.record,
      client: { baseURL: fake.url, apiKey: "sk-iteration-credential" },
    });
    const elapsed = performance.now() - started;

    expect(result.stopReason).toBe("done");
    expect(result.proposals.map((p) => [p.dir, p.source.trim()])).toEqual([["proposals/3/last", harness]]);
    const results = toolResults();

    // Prototyping: a node script parsed the logged trace; its output is derived from the file's content.
    expect(results.get("b1")!.content).toMatch(
      /^kinds=model_call,output,grade expected=0\.333 last=3\n\[exit code 0 after/,
    );
    expect(results.get("b1")!.is_error).toBeUndefined();

    // Read-only outside the proposal folder and scratch; the command runs in the workspace root.
    const b2 = results.get("b2")!.content;
    expect(b2).toMatch(/candidate: [1-9]/);
    expect(b2).toMatch(/root: [1-9]/);
    expect(b2).toContain("scratch: 0");
    expect(b2).toContain(`pwd: ${fs.realpathSync(workspace.workspaceDir)}`);
    expect(fs.readFileSync(seedHarness, "utf8")).toBe(seedBefore);
    expect(fs.existsSync(path.join(workspace.workspaceDir, "new-file"))).toBe(false);
    // The scratch folder lasts the session; the proposal folder is writable.
    expect(results.get("b3")!.content).toMatch(/^kept\n\[exit code 0/);
    expect(fs.readFileSync(path.join(workspace.proposalDir, "last/notes.md"), "utf8")).toBe(
      "plan: parse the decimal\n",
    );
    // A proposal prototyped before finishing: bundled, loaded with the SDK, run on a logged response.
    expect(results.get("b8")!.content).toMatch(/^replayed: function 0\.333\n\[exit code 0 after/);

    // Outside the workspace and the network: nothing under bubblewrap. A plain process has them
    // (the transcript says so); as root, it runs as its own uid.
    const b4 = results.get("b4")!.content;
    if (mode === "bubblewrap") {
      // The folder holding the workspace (as the data folder holds it) shows the workspace alone.
      expect(b4).toMatch(/^beside: workspace \n/);
      expect(b4).not.toContain("the studio's secret");
      expect(b4).toContain("No such file or directory");
      expect(b4).toMatch(/network: none/);
    } else {
      expect(b4).toMatch(/network: reached \d+/);
      expect(b4).toMatch(/^beside: outside workspace \n/);
      const gapNote = log.rows.find((row) => row.kind === "note" && row.preview?.startsWith("bash runs sandboxed"));
      expect(gapNote?.preview).toContain("not covered: ");
      if (!isRoot()) expect(b4).toContain("the studio's secret");
    }
    expect(
      log.rows.find((row) => row.kind === "note" && row.preview?.startsWith("bash runs sandboxed"))?.preview,
    ).toContain(`(${mode})`);

    // The scratch folder is gone with the session.
    const scratchDir = /scratch ([^\s;]+)/.exec(
      log.rows.find((row) => row.kind === "note" && row.preview?.startsWith("bash runs sandboxed"))!.preview!,
    )![1];
    expect(scratchDir).toMatch(/studio-bash-scratch-/);
    expect(fs.existsSync(scratchDir)).toBe(false);

    // A timeout is a result, and the iteration goes on.
    const b5 = results.get("b5")!;
    expect(b5.is_error).toBe(true);
    expect(b5.content).toMatch(/^started\n\[timed out after 2 s: the command and everything it started were killed\]$/);
    expect(elapsed).toBeLessThan(25_000); // not the 30 s sleep

    // A flood is cut at the limit, with a marker saying how much.
    const b6 = results.get("b6")!.content;
    const total = Array.from({ length: 20000 }, (_, i) => `line ${i} ${"x".repeat(40)}\n`).join("").length;
    const marker = /\[output cut: (\d+) more bytes \((\d+) lines\) not shown; 64 KiB are kept per call\./.exec(b6);
    expect(marker).not.toBeNull();
    const shown = b6.slice(0, marker!.index);
    expect(Buffer.byteLength(shown)).toBeLessThanOrEqual(BASH_OUTPUT_BYTES + 1);
    expect(shown.startsWith("line 0 x")).toBe(true);
    expect(Buffer.byteLength(shown) - 1 + Number(marker![1])).toBe(total);
    expect(b6).toMatch(/\[exit code 0 after [\d.]+ s\]$/);

    // A nonzero exit is an error result with the output (stderr too).
    expect(results.get("b7")).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/^to-stderr\n\[exit code 3 after/),
    });

    // Each bash call is in the transcript as a tool call and its result.
    const calls = log.rows.filter((row) => row.kind === "tool_call" && row.name === "bash");
    const answers = log.rows.filter((row) => row.kind === "tool_result" && row.name === "bash");
    expect(calls.map((row) => log.body(row).id)).toEqual(["b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"]);
    expect(log.body(calls[0]).input).toEqual({ command: PARSE_TRACE });
    expect(answers.map((row) => log.body(row).text)).toEqual(
      ["b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8"].map((id) => results.get(id)!.content),
    );
    expect(answers.map((row) => log.body(row).isError)).toEqual([false, false, false, false, true, false, true, false]);
    // The tool is offered to the model.
    const tools = fake.requests[0].body.tools as { name: string; input_schema: { properties: object } }[];
    expect(tools.find((tool) => tool.name === "bash")?.input_schema.properties).toHaveProperty("command");
  }, 60_000);
});
