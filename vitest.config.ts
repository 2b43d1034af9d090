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
    // Two files at once keep a 2-core machine busy (the default, cores - 1, runs one at a time
    // there). A third gains nothing: the tests spend CPU (CLI processes, studios, Chromium), so 13
    // files took the same wall time with 3 workers and a third longer each.
    maxWorkers: 2,
  },
});
