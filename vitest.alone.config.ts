// Tests that must run with nothing else writing to the database (they compare a digest
// of every table before and after): `npm test` runs them after the other files, one
// file at a time, against a stack of their own.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/alone/**/*.test.ts"],
    globalSetup: ["tests/setup/stack.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
