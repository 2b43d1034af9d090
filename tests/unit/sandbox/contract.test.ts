// The contract check before a harness is stored: the compiled module is loaded in a real
// sandbox worker, and what host.ts says about its default export comes back as the reason.
import { describe, expect, it } from "vitest";
import { compileGrader, compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { contractProblem } from "../../../lib/runner/sandbox/contract.ts";

async function harnessProblem(source: string) {
  const compiled = await compileHarness(source);
  if (!compiled.ok) throw new Error(`did not compile: ${JSON.stringify(compiled.errors)}`);
  return contractProblem(compiled.code, "harness");
}

describe("contractProblem", () => {
  it("refuses a module without a default export, naming what is missing", async () => {
    const problem = await harnessProblem("export const helper = 1;");
    expect(problem?.kind).toBe("contract");
    expect(problem?.message).toContain("it has no default export");
  });

  it("refuses a default export without a run function, and one of the wrong kind", async () => {
    const noRun = await harnessProblem("export default { helper: 1 };");
    expect(noRun).toMatchObject({ kind: "contract" });
    expect(noRun?.message).toContain("has no run function (run is undefined)");
    const number = await harnessProblem("export default 3;");
    expect(number?.message).toContain("its default export is number");
  });

  it("refuses a module that throws while loading, with its message", async () => {
    const problem = await harnessProblem(
      "throw new Error('no config here'); export default { async run() { return 1; } };",
    );
    expect(problem).toMatchObject({ kind: "throw" });
    expect(problem?.message).toContain("no config here");
  });

  it("accepts a harness whose shape only shows once it runs (a factory's result)", async () => {
    const source = "const make = () => ({ async run(task) { return task.input; } });\nexport default make();";
    expect(await harnessProblem(source)).toBeNull();
  });

  it("checks a grader's default export is a function", async () => {
    const compiled = await compileGrader("export default { score: 1 };");
    if (!compiled.ok) throw new Error("did not compile");
    expect((await contractProblem(compiled.code, "grader"))?.kind).toBe("contract");
  });
});
