// The browser suite: the admin console in Debian's Chromium driven by playwright-core,
// against a stack of its own (npm test runs it after the other vitest runs).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.test.ts"],
    globalSetup: ["tests/setup/chromium.ts", "tests/setup/stack.ts"],
    // One file at a time: the audit test breaks the hash chain for a moment (and repairs it), and
    // the Database test re-applies protect_table to every registered table.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
