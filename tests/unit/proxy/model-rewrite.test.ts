// A holder registered with a model: whatever model its request names, the call goes upstream with
// that model (plain and streamed), and the exchange keeps both names. Without one, nothing changes.
import { afterEach, describe, expect, it } from "vitest";
import { startRig, type Rig } from "./rig.ts";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ask = (model: string) => ({
  model,
  max_tokens: 64,
  messages: [{ role: "user" as const, content: "Say ok." }],
});

describe("recording proxy: the holder's model", () => {
  it("points a call naming another model at the holder's, and records both names", async () => {
    rig = await startRig({
      fake: { respond: (request) => ({ text: "ok", model: String(request.body?.model) }) },
      attribution: { taskRunId: "run_1", evaluationId: "eval_1", model: "claude-haiku-4-5" },
    });
    const message = await rig.client.messages.create(ask("claude-opus-4-6"));
    const streamed = await rig.client.messages.stream(ask("claude-sonnet-4-5")).finalMessage();
    expect(message.model).toBe("claude-haiku-4-5");
    expect(streamed.model).toBe("claude-haiku-4-5");
    expect(rig.fake.requests.map((request) => request.body.model)).toEqual(["claude-haiku-4-5", "claude-haiku-4-5"]);

    const [plain, stream] = await rig.waitForExchanges(2);
    expect(plain).toMatchObject({ requestModel: "claude-haiku-4-5", harnessModel: "claude-opus-4-6" });
    expect((plain.request.body as { model: string }).model).toBe("claude-haiku-4-5");
    expect(stream).toMatchObject({ stream: true, requestModel: "claude-haiku-4-5", harnessModel: "claude-sonnet-4-5" });
    // Priced as the model that answered.
    expect(plain.model).toBe("claude-haiku-4-5");
    expect(plain.priced).toBe(true);
  });

  it("leaves a call that names the holder's model, or a holder without one, as it is", async () => {
    rig = await startRig({
      fake: { respond: (request) => ({ text: "ok", model: String(request.body?.model) }) },
      attribution: { taskRunId: "run_2", model: "claude-haiku-4-5" },
    });
    await rig.client.messages.create(ask("claude-haiku-4-5"));
    const [same] = await rig.waitForExchanges(1);
    expect(same.harnessModel).toBeUndefined();
    await rig.close();

    rig = await startRig({
      fake: { respond: (request) => ({ text: "ok", model: String(request.body?.model) }) },
      attribution: { taskRunId: "run_3" },
    });
    await rig.client.messages.create(ask("claude-opus-4-6"));
    const [free] = await rig.waitForExchanges(1);
    expect(rig.fake.requests[0].body.model).toBe("claude-opus-4-6");
    expect(free.harnessModel).toBeUndefined();
    expect(free.requestModel).toBe("claude-opus-4-6");
  });
});
