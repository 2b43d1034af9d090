import { defineConfig } from "vitest/config";
import path from "node:path";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["tests/**/*.test.ts", "e2e/**/*.test.ts"],
    globalSetup: [
      "tests/setup/global-build.ts",
      "tests/setup/global-db.ts",
      "tests/setup/global-claude-code.ts",
      "tests/setup/global-chromium.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Most of a test's time is waiting on a studio, Postgres or a browser: two files at once keep
    // a 2-core machine busy (the default, cores - 1, runs one at a time there).
    maxWorkers: 2,
  },
});
