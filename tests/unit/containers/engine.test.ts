// Finding the container engine, the containers.conf the studio hands podman, and reading rewards.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findEngine, NO_ENGINE } from "../../../lib/runner/containers/engine.ts";
import { parseReward } from "../../../lib/runner/containers/verifier.ts";

const has = (command: string, args: string[]) => spawnSync(command, args, { stdio: "ignore" }).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-engine-unit-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
/** This process's environment without the person's engine settings, plus `extra`. */
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  CONTAINERS_CONF: undefined,
  STUDIO_CONTAINER_ENGINE: undefined,
  ...extra,
});

describe("findEngine", () => {
  it.skipIf(!has("podman", ["--version"]))(
    "gives podman the studio's containers.conf unless the person set CONTAINERS_CONF",
    () => {
      const engine = findEngine(dir, env())!;
      expect(engine.kind).toBe("podman");
      expect(engine.env.CONTAINERS_CONF).toBe(path.join(dir, "containers.conf"));
      const conf = fs.readFileSync(engine.env.CONTAINERS_CONF!, "utf8");
      expect(conf).toContain('default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]');
      // runc where crun is absent: crun refuses some cgroup layouts.
      expect(conf.includes('runtime = "runc"')).toBe(!has("crun", ["--version"]) && has("runc", ["--version"]));

      const own = findEngine(dir, env({ CONTAINERS_CONF: "/etc/mine.conf" }))!;
      expect(own.env.CONTAINERS_CONF).toBe("/etc/mine.conf");
    },
  );

  it.skipIf(has("docker", ["info"]))("finds none when the one asked for is absent, and says what to install", () => {
    expect(findEngine(dir, env({ STUDIO_CONTAINER_ENGINE: "docker" }))).toBeNull();
    expect(NO_ENGINE).toMatch(/install podman/);
  });
});

describe("parseReward", () => {
  it("reads reward.txt as a number and reward.json's reward (or the mean of its numbers), within 0 to 1", () => {
    expect(parseReward("reward.txt", "0.75\n")).toEqual({ reward: 0.75, problem: "" });
    expect(parseReward("reward.json", '{"reward": 1, "tests": 4}')).toEqual({ reward: 1, problem: "" });
    expect(parseReward("reward.json", '{"style": 0.5, "tests": 1}')).toEqual({ reward: 0.75, problem: "" });
    expect(parseReward("reward.txt", "")).toMatchObject({ reward: null, problem: 'reward.txt holds no reward: ""' });
    expect(parseReward("reward.txt", "7")).toMatchObject({
      reward: null,
      problem: "reward.txt holds 7, outside 0 to 1",
    });
  });
});
