// Which files a command line makes visible inside the command sandbox: its program found on PATH
// and the absolute paths it names, never anything in (or holding) a hidden folder.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { namedPaths } from "../../../lib/runner/sandbox/command-sandbox.ts";

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "studio-command-paths-")));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const bin = path.join(root, "bin");
const data = path.join(root, "data");
fs.mkdirSync(bin);
fs.mkdirSync(data);
fs.writeFileSync(path.join(bin, "agent"), "#!/bin/sh\n", { mode: 0o755 });
fs.writeFileSync(path.join(root, "my script.mjs"), "");
fs.writeFileSync(path.join(data, "postgres-credentials.json"), "{}");
fs.symlinkSync(path.join(bin, "agent"), path.join(root, "agent-link"));

describe("namedPaths", () => {
  it("shows the program found on PATH and each absolute path named, quoted or not, through links", () => {
    const saved = process.env.PATH;
    process.env.PATH = `${bin}:${saved}`;
    try {
      const { paths, refused } = namedPaths(
        `FOO=1 agent --script "${root}/my script.mjs" --also ${root}/agent-link /usr/bin/env /no/such/file`,
        [data],
      );
      expect(paths.sort()).toEqual(
        [path.join(bin, "agent"), path.join(root, "my script.mjs"), path.join(root, "agent-link")].sort(),
      );
      expect(refused).toEqual([]);
    } finally {
      process.env.PATH = saved;
    }
  });

  it("refuses anything inside a hidden folder, or holding it, however it is named", () => {
    const { paths, refused } = namedPaths(
      `cat ${data}/postgres-credentials.json; ls '${root}'; node ${data}/../bin/agent`,
      [data],
    );
    expect(refused).toEqual([`${data}/postgres-credentials.json`, root]);
    expect(paths).toEqual([path.join(bin, "agent")]);
  });
});
