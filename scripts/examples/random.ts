// Seeded randomness and file output shared by the example-suite generators. A fixed seed makes
// a generator print the same files on every machine, so the committed suites can be checked by
// re-running it (`git diff` stays empty).
import fs from "node:fs";
import path from "node:path";

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32: tiny, fast, and good enough to pick templates and slot fillers. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)],
    shuffle: (items) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(0, i);
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
  };
}

export interface TaskRecord {
  id: string;
  input: unknown;
  expected: unknown;
  split: "search" | "test";
  meta?: Record<string, unknown>;
}

/** Writes tasks.jsonl (one task a line, keys in the order the suite format lists them). */
export function writeTasks(dir: string, tasks: TaskRecord[]): string {
  const file = path.join(dir, "tasks.jsonl");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, tasks.map((task) => JSON.stringify(task)).join("\n") + "\n");
  return file;
}

/** Fills `{slot}` placeholders; an unknown slot is a bug in a template, so it throws. */
export function fill(template: string, slots: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (!(name in slots)) throw new Error(`template ${JSON.stringify(template)} uses unknown slot {${name}}`);
    return slots[name];
  });
}
