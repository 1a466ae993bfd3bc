// Brings up the local stack once for the whole vitest run: the test database (the
// local cluster's tenantry_test, which `npm test` has just rebuilt and a bare `vitest`
// rebuilds itself; or SUPABASE_DB_URL) and every edge function behind a gateway on a
// free port, so a running `npm start` is never disturbed.
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { ensureTestDatabase, testDatabaseTarget, testDbUrlVariable } from "../../stack/database.ts";
import { stateDir } from "../../stack/settings.ts";
import { startStack } from "../../stack/stack.ts";

export interface StackInfo {
  url: string;
  dbUrl: string;
  authAdminUrl: string;
  publishableKey: string;
  secretKey: string;
  functionLog: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

export default (project: TestProject) => stackSetup(project);

/** The stack for a vitest run; functionVariables: toggles its functions start with. */
export async function stackSetup(project: TestProject, functionVariables: Record<string, string> = {}) {
  const given = process.env[testDbUrlVariable];
  const db = given ? testDatabaseTarget() : await ensureTestDatabase({ quiet: true });
  if (given && given !== db.url) throw new Error(`${testDbUrlVariable} is ${given}, not the test database ${db.url}`);
  mkdirSync(stateDir, { recursive: true });
  const functionLog = path.join(stateDir, "functions-test.log");
  const log = createWriteStream(functionLog, { flags: "w" });
  const stack = await startStack({ db, port: 0, output: (line) => log.write(`${line}\n`), functionVariables });
  project.provide("stack", {
    url: stack.url,
    dbUrl: db.url,
    authAdminUrl: db.authAdminUrl,
    publishableKey: stack.keys.publishableKey,
    secretKey: stack.keys.secretKey,
    functionLog,
  });
  return async () => {
    await stack.stop();
    log.end();
  };
}
