// `npm test`: every suite, against the local cluster's tenantry_test database (rebuilt
// for each run; the development database is left exactly as it was, which the last
// check proves) or against SUPABASE_DB_URL.
// Ends with one line "tests: N passed, M failed" and a non-zero exit on any failure.
import { advisors, browser, denoCheck, fuzz, pgtap, typecheck, generatedFilesUpToDate, vitest, type SuiteResult } from "./checks.ts";
import { ensureCluster } from "./cluster.ts";
import { ensureTestDatabase, redact, testDbUrlVariable } from "./database.ts";
import { databaseFingerprint, fingerprintChanges } from "./fingerprint.ts";
import { externalDbUrl, localDbUrl } from "./settings.ts";

async function main(): Promise<number> {
  const began = Date.now();
  const local = !externalDbUrl();
  let devBefore: Map<string, string> | undefined;
  if (local) {
    await ensureCluster();
    devBefore = await databaseFingerprint(localDbUrl("supabase_admin"));
  }
  const db = await ensureTestDatabase();
  const suites: Array<() => Promise<SuiteResult>> = [
    typecheck,
    denoCheck,
    () => pgtap(db.url),
    () => vitest({ ...process.env, [testDbUrlVariable]: db.url }),
    () => browser({ ...process.env, [testDbUrlVariable]: db.url }),
    () => fuzz({ ...process.env, [testDbUrlVariable]: db.url }),
    () => generatedFilesUpToDate(db.url),
    () => advisors(db.url),
  ];
  if (devBefore) {
    suites.push(async () => {
      const changes = fingerprintChanges(devBefore!, await databaseFingerprint(localDbUrl("supabase_admin")));
      return {
        name: `development database untouched (${redact(localDbUrl())})`,
        passed: changes.length === 0 ? 1 : 0,
        failed: changes.length === 0 ? 0 : 1,
        detail: changes.join("\n") || undefined,
      };
    });
  }
  const results: SuiteResult[] = [];
  for (const suite of suites) {
    const started = Date.now();
    const result = await suite();
    results.push(result);
    const mark = result.failed === 0 ? "ok  " : "FAIL";
    console.log(`${mark} ${result.name}: ${result.passed} passed, ${result.failed} failed (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    if (result.detail && result.failed > 0) console.log(result.detail.replace(/^/gm, "     "));
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`\nall suites finished in ${((Date.now() - began) / 1000).toFixed(1)}s`);
  console.log(`tests: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
