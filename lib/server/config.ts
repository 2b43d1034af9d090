// Where the web server listens and whether the operator chose its secret (STUDIO_TOKEN).
// Checked before anything starts, so a refused configuration never leaves a database running.
import net from "node:net";
import { StudioError } from "../errors.ts";

export interface ServerConfig {
  host: string;
  port: number;
  /** STUDIO_TOKEN: required on any non-loopback address; on loopback it replaces the studio-secret file (secret.ts). */
  token: string | null;
}

export const MIN_TOKEN_LENGTH = 16;

export function readServerConfig(
  options: { host?: string; port?: string },
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const host = options.host ?? env.HOST ?? "127.0.0.1";
  const portText = options.port ?? env.PORT ?? "3000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new StudioError(`PORT must be a number from 1 to 65535, not "${portText}".`);
  const token = env.STUDIO_TOKEN?.trim() || null;
  if (!isLoopback(host) && !token) {
    throw new StudioError(
      `Refusing to listen on ${host}: anyone who can reach that address could run code through the studio.`,
      `Set STUDIO_TOKEN to a secret of at least ${MIN_TOKEN_LENGTH} characters (every request must then carry it), or leave HOST unset to listen on 127.0.0.1 only.`,
    );
  }
  if (token && token.length < MIN_TOKEN_LENGTH)
    throw new StudioError(`STUDIO_TOKEN is too short: use at least ${MIN_TOKEN_LENGTH} characters.`);
  return { host, port, token };
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "");
  if (bare === "localhost") return true;
  if (net.isIPv4(bare)) return bare.startsWith("127.");
  if (net.isIPv6(bare)) return bare === "::1";
  return false;
}

/** Fails fast, naming the port, when something else already listens there. */
export async function checkPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(portError(error, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export function portError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  if (error.code === "EADDRINUSE")
    return new StudioError(
      `Port ${port} on ${host} is already in use.`,
      "Stop whatever is using it, or set PORT to another port.",
    );
  if (error.code === "EACCES")
    return new StudioError(`Not allowed to listen on ${host}:${port}.`, "Use a port above 1023, or set PORT.");
  if (error.code === "EADDRNOTAVAIL")
    return new StudioError(
      `${host} is not an address of this machine.`,
      "Set HOST to one of its addresses, or leave it unset.",
    );
  return error;
}
