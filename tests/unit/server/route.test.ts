// The JSON routes' one wrapper: input parsed with the route's schemas, and every StudioError
// answered with its code's status, whichever route threw it.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { StudioError } from "../../../lib/errors.ts";
import { ERROR_STATUS, route } from "../../../lib/server/route.ts";

const context = (params: object = {}) => ({ params: Promise.resolve(params) });
const post = (body: string, url = "http://studio.test/api/x") =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("route", () => {
  const handler = route(
    {
      params: z.object({ id: z.string() }),
      query: z.object({ n: z.coerce.number().optional() }),
      body: z.object({ text: z.string().min(1, { error: "must not be empty" }) }).strict(),
      invalid: "Send { text }.",
      status: 201,
    },
    async ({ params, query, body }) => ({ id: params.id, n: query.n ?? null, text: body.text }),
  );

  it("hands the parsed params, query and body to the lib call, and answers with the route's status", async () => {
    const response = await handler(
      post(JSON.stringify({ text: "hi" }), "http://studio.test/api/x?n=3"),
      context({ id: "p1" }),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: "p1", n: 3, text: "hi" });
  });

  it("refuses input the schema refuses, or a body that is not JSON, with 400 and one message per field", async () => {
    const bad = await handler(post(JSON.stringify({ text: "", extra: 1 })), context({ id: "p1" }));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "Send { text }.",
      fields: { text: "must not be empty", extra: "is not a setting the studio knows" },
    });
    const notJson = await handler(post("{nope"), context({ id: "p1" }));
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: "Send { text }.", fields: { body: "must be JSON" } });
  });

  it("answers each StudioError code with its one status, with the hint and details beside the message", async () => {
    for (const [code, status] of Object.entries(ERROR_STATUS)) {
      const failing = route({}, async () => {
        throw new StudioError(`refused: ${code}`, {
          code: code as keyof typeof ERROR_STATUS,
          hint: "try again",
          details: { problems: [] },
        });
      });
      const response = await failing(new Request("http://studio.test/api/x"), context());
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: `refused: ${code}`, hint: "try again", problems: [] });
    }
    const plain = route({}, async () => {
      throw new StudioError("already running");
    });
    expect((await plain(new Request("http://studio.test/api/x"), context())).status).toBe(409);
  });

  it("leaves any other error to Next.js (a 500), never dressed as a refusal", async () => {
    const broken = route({}, async () => {
      throw new TypeError("a bug");
    });
    await expect(broken(new Request("http://studio.test/api/x"), context())).rejects.toThrow("a bug");
  });
});
