// Every request passes here before Next.js sees it: the secret (always, loopback included:
// any local process can reach 127.0.0.1), the Host header on loopback (against DNS
// rebinding), and origin checks on state changes. The secret is the install's studio-secret
// file or STUDIO_TOKEN (secret.ts); a browser holds it as a session cookie after the sign-in link.
import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isLoopback, type ServerConfig } from "./config.ts";

/** Named per port: cookies ignore ports, and two studios on one machine have two secrets. */
export function sessionCookie(port: number): string {
  return `studio_session_${port}`;
}
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Paths reachable without the secret: the login page and what it needs to render. */
const PUBLIC_PATHS = [/^\/login$/, /^\/_next\/static\//, /^\/(favicon\.(ico|svg)|logo\.svg)$/];

/** The cookie holds a digest of the secret, never the secret itself. */
export function sessionValue(secret: string): string {
  return crypto.createHmac("sha256", secret).update("harness-studio-session").digest("base64url");
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

export function createGuard(config: ServerConfig, secret: string) {
  const session = sessionValue(secret);
  const cookieName = sessionCookie(config.port);

  function authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (header?.startsWith("Bearer ") && equal(header.slice(7).trim(), secret)) return true;
    const cookie = readCookie(req, cookieName);
    return cookie !== null && equal(cookie, session);
  }

  /** Right secret: the cookie, and on to `next` (which also drops the secret from the address bar). */
  function signIn(req: IncomingMessage, res: ServerResponse, token: string, next: string): void {
    if (!equal(token, secret)) {
      res.writeHead(303, { location: `/login?error=1&next=${encodeURIComponent(next)}` });
      res.end();
      return;
    }
    // SameSite=Lax: the link opened from a terminal or another app still signs in; state
    // changes from other sites are refused by the origin check below, whatever the cookie.
    const secure = req.headers["x-forwarded-proto"] === "https" ? "; Secure" : "";
    res.writeHead(303, {
      location: next,
      "set-cookie": `${cookieName}=${session}; Path=/; HttpOnly; SameSite=Lax${secure}`,
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    });
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
    if (method === "GET" && url.pathname === "/login" && url.searchParams.has("token")) {
      signIn(req, res, url.searchParams.get("token") ?? "", safeNext(url.searchParams.get("next")));
      return true;
    }
    if (method === "POST" && url.pathname === "/api/login") {
      const form = new URLSearchParams(await readBody(req, 4096));
      signIn(req, res, form.get("token") ?? "", safeNext(form.get("next")));
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
      "This studio needs its secret, even on this machine. API clients: send `Authorization: Bearer <secret>` (the studio-secret file in its data folder, or STUDIO_TOKEN when set). Browsers: open the sign-in link `npm start` printed, or print it again with `npx studio link`.",
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
