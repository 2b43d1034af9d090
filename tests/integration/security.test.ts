// The guard in front of every request: access token (bearer or login cookie), origin
// checks on state changes, and loopback-only Host names against DNS rebinding.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStudio, type RunningStudio } from "../helpers/studio.ts";

const TOKEN = "test-token-0123456789abcdef";
let studio: RunningStudio;

beforeAll(async () => {
  studio = await startStudio({ env: { STUDIO_TOKEN: TOKEN } });
});
afterAll(async () => {
  await studio?.stop();
});

describe("with STUDIO_TOKEN set", () => {
  it("sends a browser without the token to the login page", async () => {
    const response = await fetch(`${studio.url}/projects`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/login?next=%2Fprojects");
    const login = await fetch(`${studio.url}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Access token");
  });

  it("answers API clients without the token with 401", async () => {
    const response = await fetch(`${studio.url}/projects`);
    expect(response.status).toBe(401);
    expect((await response.json()).error).toContain("Authorization: Bearer");
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
    expect(cookie).toContain("SameSite=Strict");
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
