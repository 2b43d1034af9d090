// The per-install secret every HTTP request must carry (loopback is not a credential: any
// local process can reach 127.0.0.1). It lives in <data>/studio-secret, mode 0600, made on
// first start; STUDIO_TOKEN, when set, takes its place. A running server also writes
// <data>/studio-server.json (0600) so `studio link` can print its sign-in link again.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { StudioError } from "../errors.ts";
import { MIN_TOKEN_LENGTH } from "./config.ts";

export const SECRET_FILE = "studio-secret";
export const SERVER_FILE = "studio-server.json";

/** Where the secret came from: the file, or the operator's STUDIO_TOKEN (never written to disk). */
export type SecretSource = "file" | "STUDIO_TOKEN";

export interface RunningServer {
  url: string;
  pid: number;
  secret: SecretSource;
}

/** The install's secret, made (32 random bytes) on first call; tightened to 0600 if loosened. */
export function readOrCreateSecret(dataFolder: string): string {
  const file = path.join(dataFolder, SECRET_FILE);
  fs.mkdirSync(dataFolder, { recursive: true, mode: 0o755 });
  try {
    // "wx": two studios starting at once agree on one secret; the loser reads the winner's.
    fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url") + "\n", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return readSecret(file);
}

/** Reads an existing secret file (the CLI's side); never creates one. */
export function readSecret(file: string): string {
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const secret = fs.readFileSync(file, "utf8").trim();
  if (secret.length < MIN_TOKEN_LENGTH)
    throw new StudioError(
      `${file} does not hold a usable secret (at least ${MIN_TOKEN_LENGTH} characters).`,
      "Delete it and start the studio again: a new one is made (browsers then sign in again).",
    );
  return secret;
}

/** The one link that signs a browser in: it sets the session cookie and drops the token from the address. */
export function signInLink(url: string, secret: string): string {
  return `${url}/login?token=${encodeURIComponent(secret)}`;
}

/** The address to print for a listening host: a wildcard bind is reached through loopback. */
export function serverUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}

export function writeServerFile(dataFolder: string, server: RunningServer): void {
  const file = path.join(dataFolder, SERVER_FILE);
  fs.mkdirSync(dataFolder, { recursive: true }); // nothing else makes it with DATABASE_URL and STUDIO_TOKEN
  fs.rmSync(file, { force: true }); // a fresh file, so the 0600 mode applies
  fs.writeFileSync(file, JSON.stringify(server, null, 2) + "\n", { mode: 0o600 });
}

/** Removes the file only if it names this process (another studio may have started since). */
export function removeServerFile(dataFolder: string): void {
  const server = readServerFile(dataFolder);
  if (server?.pid === process.pid) fs.rmSync(path.join(dataFolder, SERVER_FILE), { force: true });
}

/** The studio running on this data folder, or null (no file, or its process is gone). */
export function readServerFile(dataFolder: string): RunningServer | null {
  let server: RunningServer;
  try {
    server = JSON.parse(fs.readFileSync(path.join(dataFolder, SERVER_FILE), "utf8"));
  } catch {
    return null;
  }
  try {
    process.kill(server.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return null;
  }
  return server;
}
