import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    // tests/alone/ runs on its own afterwards (vitest.alone.config.ts).
    // One local stack (database, functions in Deno, gateway on a free port) for all files.
    globalSetup: ["tests/setup/stack.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
