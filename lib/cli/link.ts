// `studio link`: prints the sign-in link of the studio running on this data folder, read from
// <data>/studio-server.json (its address) and <data>/studio-secret (both 0600, this user's only).
import path from "node:path";
import { parseArgs } from "node:util";
import { StudioError } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { readSecret, readServerFile, SECRET_FILE, signInLink } from "../server/secret.ts";

export async function linkCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {} });
  const folder = dataDir();
  const server = readServerFile(folder);
  if (!server)
    throw new StudioError(
      `No studio is running on ${folder}.`,
      "Start it with `npm start` (it prints the link), or set STUDIO_DATA_DIR to the running studio's data folder.",
    );
  let secret: string;
  if (server.secret === "STUDIO_TOKEN") {
    const token = process.env.STUDIO_TOKEN?.trim();
    if (!token)
      throw new StudioError(
        `The studio at ${server.url} uses STUDIO_TOKEN, which this shell does not set.`,
        "Run `studio link` with the same STUDIO_TOKEN, or sign in at /login with it.",
      );
    secret = token;
  } else {
    secret = readSecret(path.join(folder, SECRET_FILE));
  }
  process.stdout.write(`${signInLink(server.url, secret)}\n`);
  return 0;
}
