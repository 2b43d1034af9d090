// Every request passes here before Next.js sees it: the access token (when one is set),
// the Host header on loopback (against DNS rebinding), and origin checks on state changes.
import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLoopback, type ServerConfig } from "./config.ts";

export const SESSION_COOKIE = "studio_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Paths reachable without a token: the login page and what it needs to render. */
const PUBLIC_PATHS = [/^\/login$/, /^\/_next\/static\//, /^\/favicon\.(ico|svg)$/];

/** The cookie holds a digest of the token, never the token itself. */
export function sessionValue(token: string): string {
  return crypto.createHmac("sha256", token).update("harness-studio-session").digest("base64url");
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return decodeURIComponent(value.join("="));
  }
  return null;
}

function deny(res: ServerResponse, status: number, message: string): true {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify({ error: message }));
  return true;
}

function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (origin) {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  const site = req.headers["sec-fetch-site"];
  // No Origin and no Sec-Fetch-Site: not a browser (curl, the CLI), so no CSRF risk.
  return site === undefined || site === "same-origin" || site === "none";
}

export function createGuard(config: ServerConfig) {
  const session = config.token ? sessionValue(config.token) : null;

  function authorised(req: IncomingMessage): boolean {
    if (!config.token || !session) return true;
    const header = req.headers.authorization;
    if (header?.startsWith("Bearer ") && equal(header.slice(7).trim(), config.token)) return true;
    const cookie = readCookie(req, SESSION_COOKIE);
    return cookie !== null && equal(cookie, session);
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, 4096);
    const form = new URLSearchParams(body);
    const next = safeNext(form.get("next"));
    if (config.token && session && equal(form.get("token") ?? "", config.token)) {
      res.writeHead(303, {
        location: next,
        "set-cookie": `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict${req.headers["x-forwarded-proto"] === "https" ? "; Secure" : ""}`,
      });
      res.end();
      return;
    }
    res.writeHead(303, { location: `/login?error=1&next=${encodeURIComponent(next)}` });
    res.end();
  }

  /** Returns true when it answered the request itself. */
  return async function guard(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://studio.invalid");

    if (isLoopback(config.host) && !isLoopback(hostname(req.headers.host ?? ""))) {
      return deny(res, 421, "This studio answers only to localhost addresses.");
    }
    if (!SAFE_METHODS.has(method) && !sameOrigin(req)) {
      return deny(res, 403, "Cross-origin request refused.");
    }
    if (method === "POST" && url.pathname === "/api/login") {
      await login(req, res);
      return true;
    }
    if (authorised(req) || PUBLIC_PATHS.some((pattern) => pattern.test(url.pathname))) return false;
    const wantsHtml = method === "GET" && (req.headers.accept ?? "").includes("text/html");
    if (wantsHtml) {
      res.writeHead(303, { location: `/login?next=${encodeURIComponent(url.pathname + url.search)}` });
      res.end();
      return true;
    }
    return deny(
      res,
      401,
      "This studio needs its access token: send `Authorization: Bearer <STUDIO_TOKEN>`, or sign in at /login.",
    );
  };
}

function hostname(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  return hostHeader.split(":")[0];
}

/** Only same-site paths: never an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > limit) {
        reject(new Error("request body too large"));
        req.destroy();
      }
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}
