// The JSON routes behind the run controls: they validate input, answer in plain words, and
// only enqueue work (the job worker runs it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStudio, type RunningStudio } from "../helpers/studio.ts";

let studio: RunningStudio;
beforeAll(async () => {
  studio = await startStudio();
});
afterAll(async () => {
  await studio?.stop();
});

const post = (path: string, body: unknown) =>
  fetch(`${studio.url}${path}`, {
    method: "POST",
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
    body: JSON.stringify(body),
  });

describe("POST /api/projects", () => {
  it("refuses an unknown example, naming the bundled ones", async () => {
    const response = await post("/api/projects", { example: "no-such-example" });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain('No example "no-such-example"');
  });

  it("refuses a malformed body", async () => {
    const response = await post("/api/projects", { nope: true });
    expect(response.status).toBe(400);
  });
});

describe("POST /api/projects/:id/optimizations", () => {
  it("refuses a malformed request and an unknown project with clear errors", async () => {
    expect((await post("/api/projects/x/optimizations", { iterations: 0 })).status).toBe(400);
    const unknown = await post("/api/projects/does-not-exist/optimizations", { iterations: 1, offline: true });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toContain("No project");
  });
});

describe("GET /api/projects/:id/progress", () => {
  it("answers for a project with no runs", async () => {
    const response = await fetch(`${studio.url}/api/projects/does-not-exist/progress`, {
      headers: studio.authHeaders(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ running: false, optimization: null, modelConfigured: false });
  });
});
