// The guard in front of every request: the secret (bearer or session cookie) even on
// loopback, origin checks on state changes, and loopback-only Host names against DNS rebinding.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../helpers/studio.ts";

const TOKEN = "test-token-0123456789abcdef";
let studio: RunningStudio;
let local: RunningStudio; // no STUDIO_TOKEN: the install's studio-secret file
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-security-"));
fs.chmodSync(dir, 0o755);

beforeAll(async () => {
  [studio, local] = await Promise.all([startStudio({ env: { STUDIO_TOKEN: TOKEN } }), startStudio()]);
}, 180_000);
afterAll(async () => {
  await Promise.all([studio?.stop(), local?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A test-split task run of a real evaluation on `local`: its raw trace holds the answer. */
async function testSplitRun(): Promise<string> {
  fs.mkdirSync(path.join(dir, "suite"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "sealed", description: "Answer.", mode: "independent", grader: { type: "exact" } }),
  );
  const tasks = [
    { id: "s1", input: "a", expected: "searchable-answer", split: "search" },
    { id: "t1", input: "b", expected: "held-out-answer-7731", split: "test" },
  ];
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "seed.ts"), 'export default { async run() { return "a guess"; } };\n');
  const env = studioEnv({ DATABASE_URL: studioDatabaseUrl(local.dataDir), ANTHROPIC_BASE_URL: "http://127.0.0.1:9" });
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "seed.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  const { projectId } = JSON.parse(created.stdout);
  const evaluated = await runCli(["eval", "--project", projectId, "--split", "test", "--json"], env, 120_000);
  expect(evaluated.code, evaluated.stderr).toBe(0);
  const db = new pg.Client({ connectionString: studioDatabaseUrl(local.dataDir) });
  await db.connect();
  try {
    const { rows } = await db.query(
      `select r.id from "TaskRun" r join "Task" t on t.id = r."taskId" where t.key = 't1' and t.split = 'test'`,
    );
    expect(rows).toHaveLength(1);
    return rows[0].id;
  } finally {
    await db.end();
  }
}

describe("with no STUDIO_TOKEN: loopback is not a credential", () => {
  it("refuses a local process without the secret, even a test task run's raw trace, and answers with it", async () => {
    const runId = await testSplitRun();
    const raw = `${local.url}/api/task-runs/${runId}/raw`;

    const refused = await fetch(raw);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toContain("application/json");
    const body = await refused.text();
    expect(body).not.toContain("held-out-answer-7731");
    expect(JSON.parse(body).error).toContain("npx studio link");
    for (const path of ["/api/projects/x/progress", "/projects", "/"])
      expect((await fetch(`${local.url}${path}`)).status).toBe(401);
    const wrong = await fetch(raw, { headers: { authorization: "Bearer not-the-secret-at-all" } });
    expect(wrong.status).toBe(401);

    const allowed = await fetch(raw, { headers: local.authHeaders() });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("held-out-answer-7731"); // the refusal above hid something real
  });

  it("sends a browser to a login page that says where the link and the secret are, without the secret", async () => {
    const page = await fetch(`${local.url}/projects`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/login?next=%2Fprojects");
    const login = await fetch(`${local.url}/login?next=%2Fprojects`, { headers: { accept: "text/html" } });
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain("npx studio link");
    expect(html).toContain("npm start");
    expect(html).toContain(path.join(local.dataDir, "studio-secret"));
    expect(html).not.toContain(local.secret);
    const logo = await fetch(`${local.url}/logo.svg`); // the page's own header renders
    expect(logo.status).toBe(200);
  });

  it("signs a browser in through the one-time link: an HttpOnly SameSite=Lax cookie that is not the secret", async () => {
    const wrong = await fetch(`${local.url}/login?token=wrong-secret-0123456789`, { redirect: "manual" });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toContain("/login?error=1");
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const link = await fetch(local.signInUrl, { redirect: "manual" });
    expect(link.status).toBe(303);
    expect(link.headers.get("location")).toBe("/"); // the secret leaves the address bar
    const cookie = link.headers.get("set-cookie")!;
    expect(cookie).toMatch(new RegExp(`^studio_session_${local.port}=`));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain(local.secret);

    const session = cookie.split(";")[0];
    const projects = await fetch(`${local.url}/projects`, { headers: { cookie: session, accept: "text/html" } });
    expect(projects.status).toBe(200);
    expect(await projects.text()).toContain("Projects");
    // The cookie of another studio (another port, another secret) opens nothing here.
    const foreign = await fetch(`${local.url}/projects`, {
      headers: { cookie: session.replace(`studio_session_${local.port}`, `studio_session_${studio.port}`) },
    });
    expect(foreign.status).toBe(401);
  });
});

describe("with STUDIO_TOKEN set", () => {
  it("sends a browser without the token to the login page", async () => {
    const response = await fetch(`${studio.url}/projects`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/login?next=%2Fprojects");
    const login = await fetch(`${studio.url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("STUDIO_TOKEN");
  });

  it("answers API clients without the token with 401, and refuses the studio-secret file's secret", async () => {
    const response = await fetch(`${studio.url}/projects`);
    expect(response.status).toBe(401);
    expect((await response.json()).error).toContain("Authorization: Bearer");
    expect(fs.existsSync(path.join(studio.dataDir, "studio-secret"))).toBe(false); // STUDIO_TOKEN replaces it
    const other = await fetch(`${studio.url}/projects`, { headers: local.authHeaders() });
    expect(other.status).toBe(401);
  });

  it("signs in through the link with the token too, and never prints the token", async () => {
    const link = await fetch(studio.signInUrl, { redirect: "manual" });
    expect(link.headers.get("set-cookie")).toContain(`studio_session_${studio.port}=`);
    expect(studio.output()).not.toContain(TOKEN);
    expect(studio.output()).toContain("npx studio link");
  });

  it("accepts the bearer header", async () => {
    const response = await fetch(`${studio.url}/projects`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
  });

  it("signs in with the token and then accepts the session cookie, which is not the token", async () => {
    const wrong = await fetch(`${studio.url}/api/login`, {
      method: "POST",
      body: new URLSearchParams({ token: "nope", next: "/projects" }),
      redirect: "manual",
    });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get("location")).toContain("/login?error=1");
    expect(wrong.headers.get("set-cookie")).toBeNull();

    const right = await fetch(`${studio.url}/api/login`, {
      method: "POST",
      body: new URLSearchParams({ token: TOKEN, next: "/projects" }),
      redirect: "manual",
    });
    expect(right.status).toBe(303);
    expect(right.headers.get("location")).toBe("/projects");
    const cookie = right.headers.get("set-cookie")!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain(TOKEN);

    const page = await fetch(`${studio.url}/projects`, { headers: { cookie: cookie.split(";")[0] } });
    expect(page.status).toBe(200);
  });

  it("never redirects off-site after login", async () => {
    const response = await fetch(`${studio.url}/api/login`, {
      method: "POST",
      body: new URLSearchParams({ token: TOKEN, next: "//evil.example/" }),
      redirect: "manual",
    });
    expect(response.headers.get("location")).toBe("/");
  });

  it("refuses cross-origin state changes even with the token", async () => {
    const response = await fetch(`${studio.url}/api/anything`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, origin: "http://evil.example" },
    });
    expect(response.status).toBe(403);
    const fromBrowserSite = await fetch(`${studio.url}/api/anything`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${TOKEN}`, "sec-fetch-site": "cross-site" },
    });
    expect(fromBrowserSite.status).toBe(403);
  });

  it("refuses Host names other than loopback (DNS rebinding)", async () => {
    const http = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: "127.0.0.1",
          port: studio.port,
          path: "/projects",
          headers: { host: "attacker.example", authorization: `Bearer ${TOKEN}` },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode!);
        },
      );
      request.on("error", reject);
      request.end();
    });
    expect(status).toBe(421);
  });

  it("keeps secrets out of the page", async () => {
    const html = await (
      await fetch(`${studio.url}/projects`, { headers: { authorization: `Bearer ${TOKEN}` } })
    ).text();
    expect(html).not.toContain(TOKEN);
    expect(html).not.toMatch(/postgresql:\/\//);
  });
});
