// The browser suite: the admin console in Debian's Chromium driven by playwright-core,
// against a stack of its own (npm test runs it after the other vitest runs).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    globalSetup: ["tests/setup/chromium.ts", "tests/setup/browser-stack.ts"],
    // One file at a time: the Database test re-applies protect_table to every registered table,
    // which would race another file's tables.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
