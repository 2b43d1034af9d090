// The offline proposer on real workspaces: projects in Postgres, seeds evaluated through the real
// engine against the real offline model, the workspace built from the database, then the
// proposer. Three small suites, each failing its own way: answers wrapped in a sentence (an
// independent classification suite), a stream with nothing remembered (sequential, no learn),
// and arithmetic answered without reasoning. The proposals must compile, differ from the base,
// carry the expected transformation, name trace files that exist and that it read, and do
// better when evaluated.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disconnectDb } from "../../helpers/db.ts";
import { startOfflineModel, type OfflineModel } from "../../../lib/offline/model.ts";
import type { Proposal } from "../../../lib/proposer/index.ts";
import { runCheckTasks } from "../../../lib/evaluations/check-run.ts";
import { compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { addCandidate, body, evaluate, projectFrom, proposeOffline, scratchDir, type Proposed } from "./helpers.ts";

const scratch = scratchDir("studio-offline-proposer-");
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

let model: OfflineModel;
beforeAll(async () => {
  model = await startOfflineModel();
});
afterAll(async () => {
  await model?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Shaped like the product's classification seed: one prompt with Labels: and Text: lines. */
const CLASSIFY_SEED = `import type Anthropic from "@anthropic-ai/sdk";

export default {
  async run(task: { input: { text: string; labels: string[] } }, ctx: { model: Anthropic }) {
    const prompt = [
      "Classify this customer support ticket into one of the categories below.",
      \`Labels: \${task.input.labels.join(", ")}\`,
      \`Text: \${task.input.text}\`,
    ].join("\\n");
    const reply = await ctx.model.messages.create({ model: "claude-haiku-5-5", max_tokens: 100, messages: [{ role: "user", content: prompt }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("").trim();
  },
};
`;

/** Shaped like the product's math seed: the question as the whole message, no prompt text of its own. */
const MATH_SEED = `import type Anthropic from "@anthropic-ai/sdk";

export default {
  async run(task: { input: string }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-5-5", max_tokens: 200, messages: [{ role: "user", content: task.input }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("").trim();
  },
};
`;

const tickets = (rows: [string, string, "search" | "test"][], labels: string[]) =>
  rows.map(([text, label, split], i) => ({
    id: `t${String(i + 1).padStart(2, "0")}`,
    input: { text, labels },
    expected: label,
    split,
  }));

/** Checks every proposal must pass, whatever the suite. */
async function expectSoundProposals(proposed: Proposed, base: { id: string; source: string }) {
  const { result, workspaceDir, events } = proposed;
  expect(result).toMatchObject({ stopReason: "done", inputTokens: 0, outputTokens: 0, costUsd: 0 });
  expect(result.proposals.length).toBeGreaterThan(0);
  expect(new Set(result.proposals.map((proposal) => proposal.source)).size).toBe(result.proposals.length);

  // It read what a proposer should, and recorded each read as an event.
  expect(result.filesRead.slice(0, 2)).toEqual(["README.md", "leaderboard.md"]);
  expect(result.filesRead).toEqual(
    expect.arrayContaining([`candidates/${base.id}/harness.ts`, `candidates/${base.id}/scores.json`]),
  );
  const readEvents = events.filter((event) => event.kind === "file_read").map((event) => event.name);
  expect([...new Set(readEvents)]).toEqual(result.filesRead);
  expect(events.filter((event) => event.kind === "note").length).toBeGreaterThan(2);
  for (const file of result.filesRead) expect(fs.existsSync(path.join(workspaceDir, file)), file).toBe(true);

  for (const proposal of result.proposals) {
    expect(proposal.source).not.toBe(base.source);
    const compiled = await compileHarness(proposal.source);
    expect(compiled.ok, `${proposal.dir} compiles`).toBe(true);

    // The files on disk are the proposal, with proposal.json beside the harness.
    const folder = path.join(workspaceDir, proposal.dir);
    expect(fs.readFileSync(path.join(folder, "harness.ts"), "utf8")).toBe(proposal.source);
    const meta = JSON.parse(fs.readFileSync(path.join(folder, "proposal.json"), "utf8"));
    expect(meta).toEqual({
      hypothesis: proposal.hypothesis,
      axis: proposal.axis,
      base: base.id,
      rationale: proposal.rationale,
    });
    expect(meta.hypothesis.length).toBeGreaterThan(20);
    expect(["exploit", "explore"]).toContain(meta.axis);

    // The rationale names trace files that exist, that it read, and quotes what it saw there.
    const named = proposal.rationale.match(/candidates\/[^\s:]+\/traces\/[^\s:]+\.jsonl/g) ?? [];
    expect(named.length, proposal.dir).toBeGreaterThan(0);
    for (const file of named) {
      expect(fs.existsSync(path.join(workspaceDir, file)), file).toBe(true);
      expect(result.filesRead).toContain(file);
    }
  }
  expect(result.proposals[0].axis).toBe("exploit");
}

async function checkScore(projectId: string, proposal: Proposal, tasks: number) {
  const checkRun = await runCheckTasks(projectId, proposal.source, tasks, { upstreamUrl: model.url, apiKey: null });
  if (!checkRun.ok) throw new Error(`${proposal.dir} does not compile`);
  return checkRun.results.filter((run) => run.status === "passed").length;
}

describe("the offline proposer", () => {
  it("sees answers wrapped in a sentence and asks for only the label", async () => {
    const labels = ["billing", "shipping", "password", "refund"];
    const tasks = tickets(
      [
        ["I was charged twice on my billing statement", "billing", "search"],
        ["The shipping is late by a whole week", "shipping", "search"],
        ["I forgot my password and cannot sign in", "password", "search"],
        ["Please send a refund for the broken lamp", "refund", "search"],
        ["Your billing page shows the wrong plan", "billing", "search"],
        ["Shipping to Oslo takes too long", "shipping", "search"],
        ["Refund my last order please", "refund", "test"],
        ["Reset my password link expired", "password", "test"],
      ],
      labels,
    );
    const project = await projectFrom(scratch, {
      suite: {
        name: "Ticket labels",
        description:
          "Label each support ticket with one of task.input.labels. The grader compares the whole output with the label.",
        mode: "independent",
        grader: { type: "normalized" },
      },
      tasks,
      harness: CLASSIFY_SEED,
    });
    const seed = await evaluate(project.seedCandidateId, model.url);
    expect(seed).toMatchObject({ status: "done", passed: 0, score: 0 });

    const proposed = await proposeOffline(project.projectId, scratch);
    await expectSoundProposals(proposed, { id: project.seedCandidateId, source: CLASSIFY_SEED });
    const [exploit] = proposed.result.proposals;
    expect(exploit.dir).toBe("proposals/1/1-bare-answer");
    // An edit of the base: the instruction opens the prompt; the rest of the seed is untouched.
    expect(exploit.source).toContain(
      '"Answer with only the label, nothing else.\\nClassify this customer support ticket into one of the categories below."',
    );
    expect(exploit.source.replace("Answer with only the label, nothing else.\\n", "")).toBe(CLASSIFY_SEED);
    expect(exploit.rationale).toMatch(
      new RegExp(
        `candidates/${project.seedCandidateId}/traces/t01\\.jsonl: the model answered \`I think this is about billing\\.\` but the grader wanted \`billing\` \\(the right value, wrapped in a sentence\\)`,
      ),
    );
    expect(exploit.rationale).toContain(
      `Changes (an edit of candidates/${project.seedCandidateId}/harness.ts):\n- the prompt now says "Answer with only the label, nothing else."`,
    );
    // The second candidate explores: the same fix in a fresh harness from the template.
    expect(proposed.result.proposals[1]).toMatchObject({ axis: "explore", dir: "proposals/1/2-bare-answer-fresh" });

    expect(await checkScore(project.projectId, exploit, 6)).toBe(6);
  });

  it("sees a sequential stream with no learn() and adds a memory of labelled examples", async () => {
    // No label name shares a word with any text: only examples from earlier tasks can help.
    const labels = ["relocation", "crash", "mixup"];
    const tasks = tickets(
      [
        ["The parcel went to my old flat on Elm road", "relocation", "search"],
        ["The screen freezes when I open the camera", "crash", "search"],
        ["I received blue socks instead of red socks", "mixup", "search"],
        ["Parcel delivered to my old flat again", "relocation", "search"],
        ["Camera screen freezes again today", "crash", "search"],
        ["Ordered red socks but got blue socks", "mixup", "search"],
        ["Please stop sending parcels to the old flat", "relocation", "search"],
        ["Opening the camera freezes the screen", "crash", "search"],
        ["Blue socks arrived, I wanted red", "mixup", "test"],
        ["The old flat keeps getting my parcel", "relocation", "test"],
      ],
      labels,
    );
    const project = await projectFrom(scratch, {
      suite: {
        name: "Ticket stream",
        description: "Label each ticket of the stream; after each one, learn() is told the right label.",
        mode: "sequential",
        grader: { type: "normalized" },
      },
      tasks,
      harness: CLASSIFY_SEED,
    });
    const seed = await evaluate(project.seedCandidateId, model.url);
    expect(seed).toMatchObject({ status: "done", passed: 0 });

    const proposed = await proposeOffline(project.projectId, scratch, { candidatesWanted: 4 });
    await expectSoundProposals(proposed, { id: project.seedCandidateId, source: CLASSIFY_SEED });
    const [exploit, ...explore] = proposed.result.proposals;
    // One change at a time: the lead fix alone (a tie in traces goes to bare-answer, first in the
    // table), the other diagnosed fix alone, the lead fix in a fresh harness. No plan merges them.
    expect(proposed.result.proposals.map((proposal) => proposal.dir)).toEqual([
      "proposals/1/1-bare-answer",
      "proposals/1/2-learn-examples",
      "proposals/1/3-bare-answer-fresh",
    ]);
    const [learnAlone] = explore;
    expect(learnAlone.source).toMatch(
      /async learn\(task: \{ input: unknown \}, feedback: \{ expected: unknown \}, ctx: \{ state: Record<string, unknown> \}\) \{\n\s+exampleMemory\.remember\(ctx, task\.input, feedback\.expected\);/,
    );
    expect(learnAlone.source).toContain("messages.create({ system: exampleMemory.system(ctx, task.input), model:");
    expect(learnAlone.source).toContain("`Text: ${example.text}`, `Label: ${example.label}`");
    expect(learnAlone.source).not.toContain("Answer with only the label");
    expect(learnAlone.rationale).toContain("README.md: the suite is sequential");
    expect(learnAlone.rationale).toContain(`candidates/${project.seedCandidateId}/harness.ts: defines no learn()`);
    expect(learnAlone.rationale).toMatch(
      new RegExp(
        `candidates/${project.seedCandidateId}/traces/t02\\.jsonl: the prompt held no labelled examples from earlier tasks; the model answered \`I think this is about relocation\\.\` and the grader wanted \`crash\``,
      ),
    );
    expect(exploit.rationale).not.toContain("README.md: the suite is sequential"); // not this candidate's fix

    // Alone, bare answers get only the tickets of the first listed label, and memory nothing at
    // all (its right labels are still wrapped in a sentence): a proposal worse than its parent.
    expect(await checkScore(project.projectId, exploit, 8)).toBe(3);
    expect(await checkScore(project.projectId, learnAlone, 8)).toBe(0);
    expect(await checkScore(project.projectId, explore[1], 8)).toBe(3);

    // The next iteration starts from the bare-answer candidate, whose traces still show no
    // examples: memory is its lead fix now, and with it all but the first crash and mixup pass.
    const bare = await addCandidate(project.projectId, exploit.source, model.url);
    expect(bare.summary).toMatchObject({ status: "done", passed: 3 });
    const next = await proposeOffline(project.projectId, scratch, { iteration: 2 });
    await expectSoundProposals(next, { id: bare.candidateId, source: exploit.source });
    expect(next.result.proposals[0].dir).toBe("proposals/2/1-learn-examples");
    expect(next.result.proposals[0].source).toContain("Answer with only the label, nothing else.");
    expect(await checkScore(project.projectId, next.result.proposals[0], 8)).toBe(6);
  });

  it("sees arithmetic answered without reasoning and asks for step-by-step work, even with no prompt text to edit", async () => {
    const problems: [string, number, "search" | "test"][] = [
      ["Sam has 12 apples, buys 5 more, and then gives away 3. How many apples does Sam have now?", 14, "search"],
      ["Mia has 20 stickers, gives away 4, and then buys 7 more. How many stickers does Mia have now?", 23, "search"],
      ["Leo has 9 pens and buys 6 more. How many pens does Leo have now?", 15, "search"],
      ["What is 7 times 6 plus 5?", 47, "search"],
      ["Ana has 30 coins, loses 8, and then finds 11. How many coins does Ana have now?", 33, "search"],
      ["What is 4 times 5 minus 2?", 18, "test"],
    ];
    const project = await projectFrom(scratch, {
      suite: {
        name: "Sums",
        description: "Solve each word problem; the last number of the answer is graded.",
        mode: "independent",
        grader: { type: "numeric" },
      },
      tasks: problems.map(([input, expected, split], i) => ({ id: `p${i + 1}`, input, expected, split })),
      harness: MATH_SEED,
    });
    const seed = await evaluate(project.seedCandidateId, model.url);
    expect(seed).toMatchObject({ status: "done", tasks: 5, passed: 1 });

    const proposed = await proposeOffline(project.projectId, scratch);
    await expectSoundProposals(proposed, { id: project.seedCandidateId, source: MATH_SEED });
    const [exploit, bareToo, fresh] = proposed.result.proposals;
    // A numeric grader reads a number out of a sentence, so bare-answer is only an exploration.
    expect(proposed.result.proposals.map((proposal) => proposal.dir)).toEqual([
      "proposals/1/1-step-by-step",
      "proposals/1/2-step-by-step-bare-answer",
      "proposals/1/3-step-by-step-fresh",
    ]);
    expect(bareToo.rationale).toContain("bare-answer: no trace showed the need; tried as exploration.");
    expect(exploit.source).toContain('content: "Think step by step, and give the final answer last.\\n" + task.input');
    expect(exploit.rationale).toMatch(
      /traces\/p1\.jsonl: the prompt `Sam has 12 apples.*` asks for no reasoning; the model answered `Let me see\. The answer is \d+\.` \(\d+\) but the grader wanted `14`/,
    );
    expect(exploit.rationale).not.toMatch(/p3\.jsonl/); // the one-step problem passed: its trace is not a failure
    // Reasoning keeps these two-operation problems exact. Asked for a bare number too, the model
    // has no room to reason: only the one-operation problem passes, a failed exploration.
    expect(await checkScore(project.projectId, exploit, 5)).toBe(5);
    expect(await checkScore(project.projectId, bareToo, 5)).toBe(1);
    expect(await checkScore(project.projectId, fresh, 5)).toBe(5);
  });

  it("is deterministic, and proposes nothing already in the workspace", async () => {
    const problems = [
      "Sam has 12 apples, buys 5 more, and then gives away 3. How many apples does Sam have now?",
      "What is 7 times 6 plus 5?",
    ];
    const project = await projectFrom(scratch, {
      suite: { name: "Twice", description: "Word problems.", mode: "independent", grader: { type: "numeric" } },
      tasks: [
        ...problems.map((input, i) => ({ id: `q${i + 1}`, input, expected: i ? 47 : 14, split: "search" })),
        { id: "q9", input: "What is 2 plus 2?", expected: 4, split: "test" },
      ],
      harness: MATH_SEED,
    });
    await evaluate(project.seedCandidateId, model.url);
    const first = await proposeOffline(project.projectId, scratch, { iteration: 1 });
    const second = await proposeOffline(project.projectId, scratch, { iteration: 2 });
    const strip = (proposals: Proposal[]) =>
      proposals.map(({ dir, ...rest }) => ({ ...rest, name: path.basename(dir) }));
    expect(strip(second.result.proposals)).toEqual(strip(first.result.proposals));
    expect(second.result.filesRead).toEqual(first.result.filesRead);

    // Once the exploit is a candidate (and the best), it is not proposed again, nor is its fix.
    await addCandidate(project.projectId, first.result.proposals[0].source, model.url);
    const third = await proposeOffline(project.projectId, scratch, { iteration: 3 });
    expect(third.result.stopReason).toBe("done");
    expect(third.result.proposals.map((proposal) => proposal.source)).not.toContain(first.result.proposals[0].source);
    expect(third.result.proposals.every((proposal) => !/step-by-step/.test(proposal.dir))).toBe(true);
    const notes = third.events.filter((event) => event.kind === "note").map((event) => String(body(event).message));
    expect(notes.some((note) => /no known failure pattern|done: 0 of 3/.test(note))).toBe(true);
  });
});
