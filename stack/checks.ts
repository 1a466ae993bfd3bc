// The suites `npm test` runs, each reporting how many checks passed and failed.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadProjectConfig } from "./project-config.ts";
import { projectRoot, stateDir } from "./settings.ts";
import { CommandError, run, type RunResult } from "./shell.ts";
import { countTap } from "./tap.ts";
import { generatedApiFiles, type GeneratedFile } from "./openapi.ts";
import { psqlPath } from "./cluster.ts";

export interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  detail?: string;
}

const bin = (name: string) => path.join(projectRoot, "node_modules", ".bin", name);
export const typesFile = path.join(projectRoot, "supabase", "types", "database.ts");
const advisorsFile = path.join(projectRoot, "supabase", "advisors.json");

/** Runs a command and returns its result whether or not it failed. */
async function attempt(cmd: string, args: string[], options: { env?: NodeJS.ProcessEnv; inherit?: boolean } = {}): Promise<RunResult> {
  try {
    return await run(cmd, args, { cwd: projectRoot, ...options });
  } catch (error) {
    if (error instanceof CommandError) return error.result;
    throw error;
  }
}

function single(name: string, result: RunResult): SuiteResult {
  const ok = result.code === 0;
  return { name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, detail: ok ? undefined : (result.stdout + result.stderr).trim() };
}

export async function typecheck(): Promise<SuiteResult> {
  return single("tsc", await attempt(bin("tsc"), ["-p", "tsconfig.json"]));
}

/** `deno check` every function entrypoint registered in config.toml, with its import map. */
export async function denoCheck(): Promise<SuiteResult> {
  const results: SuiteResult[] = [];
  for (const fn of loadProjectConfig().functions) {
    const args = ["check", "--quiet"];
    if (fn.importMap) args.push("--config", fn.importMap);
    results.push(single(`deno check ${fn.name}`, await attempt(bin("deno"), [...args, fn.entrypoint])));
  }
  return {
    name: "deno check",
    passed: results.reduce((n, r) => n + r.passed, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    detail: results.map((r) => r.detail).filter(Boolean).join("\n") || undefined,
  };
}

/**
 * pgTAP files under supabase/tests, each run by psql exactly as pg_prove runs it, its TAP
 * counted by tap-parser (stack/tap.ts): a file that dies counts every planned test it did
 * not run as failed.
 */
export async function pgtap(dbUrl: string): Promise<SuiteResult> {
  const dir = path.join(projectRoot, "supabase", "tests");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sql")).sort().map((f) => path.join("supabase", "tests", f));
  if (files.length === 0) return { name: "pgTAP", passed: 0, failed: 1, detail: "no pgTAP files found" };
  let passed = 0;
  let failed = 0;
  const details: string[] = [];
  for (const file of files) {
    // pg_prove's psql invocation (TAP::Parser::SourceHandler::pgTAP).
    const result = await attempt(psqlPath(), [
      "--no-psqlrc", "--no-align", "--quiet", "--pset", "pager=off", "--pset", "tuples_only=true",
      "--set", "ON_ERROR_STOP=1", "--dbname", dbUrl, "--file", file,
    ]);
    const count = await countTap(result.stdout, result.code);
    passed += count.passed;
    failed += count.failed;
    if (count.failed > 0) {
      const notOk = result.stdout.split("\n").filter((line) => /^(not ok|#)/.test(line));
      details.push(`${file}: ${count.passed} passed, ${count.failed} failed (${count.problems.join("; ") || "not ok"})`,
        ...notOk.map((line) => `  ${line}`), ...result.stderr.trim().split("\n").filter(Boolean).map((line) => `  ${line}`));
    }
  }
  return { name: "pgTAP", passed, failed, detail: details.join("\n") || undefined };
}

/** One vitest run (a config file), counted from its JSON report; a crash counts as a failure. */
async function vitestRun(env: NodeJS.ProcessEnv, config: string, report: string): Promise<{ passed: number; failed: number }> {
  rmSync(report, { force: true }); // a run that writes no report must not be counted from an earlier one
  const result = await attempt(bin("vitest"), ["run", "--config", config, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], {
    env,
    inherit: true,
  });
  if (!existsSync(report)) return { passed: 0, failed: 1 };
  const summary = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
  const crashed = result.code !== 0 && summary.numFailedTests === 0 ? 1 : 0;
  return { passed: summary.numPassedTests, failed: summary.numFailedTests + crashed };
}

/** tests/unit and tests/integration in parallel, then tests/alone with nothing else running. */
export async function vitest(env: NodeJS.ProcessEnv): Promise<SuiteResult> {
  mkdirSync(stateDir, { recursive: true });
  const runs = [
    await vitestRun(env, "vitest.config.ts", path.join(stateDir, "vitest-report.json")),
    await vitestRun(env, "vitest.alone.config.ts", path.join(stateDir, "vitest-alone-report.json")),
  ];
  return { name: "vitest", passed: runs[0].passed + runs[1].passed, failed: runs[0].failed + runs[1].failed };
}

/** The browser suite (tests/e2e): the admin console in Debian's Chromium, against a stack of its own. */
export async function browser(env: NodeJS.ProcessEnv): Promise<SuiteResult> {
  mkdirSync(stateDir, { recursive: true });
  const run = await vitestRun(env, "vitest.e2e.config.ts", path.join(stateDir, "vitest-e2e-report.json"));
  return { name: "browser (admin console)", ...run };
}

/** What `npm test` asks of the isolation fuzzer: enough operations to matter, few enough for CI. */
export const fuzzOperations = 100_000;

/**
 * The isolation fuzzer's bounded run (tests/fuzz, issue 14), with a fresh seed each time
 * (printed, so a failure replays). One check: its last line must say no failure and the
 * operations it was asked for; a crash or a short run fails it.
 */
export async function fuzz(env: NodeJS.ProcessEnv): Promise<SuiteResult> {
  const result = await attempt(bin("tsx"), [path.join("tests", "fuzz", "run.ts"), "--ops", String(fuzzOperations)], { env });
  const output = (result.stdout + result.stderr).trim();
  // The summary is the last line of stdout (a warning on stderr must not hide it).
  const last = result.stdout.trim().split("\n").pop() ?? "";
  const summary = /^fuzz seed=(\d+): (\d+) operations, (\d+) row checks, (\d+) failures$/.exec(last);
  const ok = result.code === 0 && !!summary && Number(summary[2]) >= fuzzOperations && Number(summary[3]) > 0 && Number(summary[4]) === 0;
  return { name: summary ? last : "isolation fuzzer", passed: ok ? 1 : 0, failed: ok ? 0 : 1, detail: ok ? undefined : output.split("\n").slice(-60).join("\n") };
}

async function generateTypes(dbUrl: string): Promise<string> {
  const result = await run(bin("supabase"), ["gen", "types", "--lang", "typescript", `--remote=${dbUrl}`, "--schema", "public"], {
    cwd: projectRoot,
  });
  // The CLI may print notices (e.g. about TLS) on stdout ahead of the code; keep the code.
  const start = result.stdout.search(/^export /m);
  if (start < 0) throw new Error(`supabase gen types produced no types:\n${result.stdout}${result.stderr}`);
  return result.stdout.slice(start);
}

const migrationsDir = path.join(projectRoot, "supabase", "migrations");
export const migrationsModuleFile = path.join(projectRoot, "functions", "_shared", "migrations.ts");

/**
 * The migrations the functions ship with: a deployed function has no access to
 * supabase/migrations, and readiness (GET /health/ready) and GET /admin/status/db compare
 * this list with what the database has applied.
 */
export function migrationsModule(): GeneratedFile {
  const migrations = readdirSync(migrationsDir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => ({ version: f.split("_")[0], name: f.slice(f.indexOf("_") + 1, -".sql".length) }));
  const lines = migrations.map((m) => `  { version: ${JSON.stringify(m.version)}, name: ${JSON.stringify(m.name)} },`);
  const content = [
    "// Generated by `npm run types` from supabase/migrations: do not edit.",
    "// The migrations these functions were built with, oldest first (a deployed function",
    "// cannot read supabase/migrations): what GET /health/ready and GET /admin/status/db",
    "// compare with supabase_migrations.schema_migrations.",
    "export interface ShippedMigration {",
    "  version: string;",
    "  name: string;",
    "}",
    "",
    "export const shippedMigrations: readonly ShippedMigration[] = [",
    ...lines,
    "];",
    "",
  ].join("\n");
  return { file: migrationsModuleFile, content };
}

/** Every generated file: the database types, each function's OpenAPI document and client types, the shipped migrations. */
async function generatedFiles(dbUrl: string): Promise<GeneratedFile[]> {
  return [{ file: typesFile, content: await generateTypes(dbUrl) }, ...(await generatedApiFiles()), migrationsModule()];
}

export async function writeGeneratedFiles(dbUrl: string): Promise<string[]> {
  const files = await generatedFiles(dbUrl);
  for (const { file, content } of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return files.map(({ file }) => path.relative(projectRoot, file));
}

/** The committed generated files must equal what the migrated schema and the endpoint definitions generate now. */
export async function generatedFilesUpToDate(dbUrl: string): Promise<SuiteResult> {
  const files = await generatedFiles(dbUrl);
  const stale = files
    .filter(({ file, content }) => (existsSync(file) ? readFileSync(file, "utf8") : "") !== content)
    .map(({ file }) => path.relative(projectRoot, file));
  const total = files.length;
  return {
    name: "generated files",
    passed: total - stale.length,
    failed: stale.length,
    detail: stale.length ? `out of date (run \`npm run types\` and commit them):\n${stale.join("\n")}` : undefined,
  };
}

interface AdvisorFinding {
  name: string;
  title?: string;
  level?: string;
  detail?: string;
  /** Stable id of the finding: lint name plus the object it is about. */
  cacheKey: string;
}

interface AcceptedFinding {
  cacheKey: string;
  reason: string;
}

/** `supabase db advisors`: every finding must be listed in supabase/advisors.json with a reason. */
export async function advisors(dbUrl: string): Promise<SuiteResult> {
  const result = await run(bin("supabase"), ["db", "advisors", `--remote=${dbUrl}`, "--output-format", "json"], { cwd: projectRoot });
  const findings = (JSON.parse(result.stdout) as { results: AdvisorFinding[] }).results;
  const accepted: AcceptedFinding[] = existsSync(advisorsFile)
    ? (JSON.parse(readFileSync(advisorsFile, "utf8")) as { accepted: AcceptedFinding[] }).accepted
    : [];
  const explained = new Set(accepted.filter((a) => a.reason.trim() !== "").map((a) => a.cacheKey));
  const unexplained = findings.filter((finding) => !explained.has(finding.cacheKey));
  if (unexplained.length === 0) {
    return { name: "advisors", passed: 1, failed: 0, detail: `${findings.length} finding(s), all explained` };
  }
  return {
    name: "advisors",
    passed: 0,
    failed: 1,
    detail: unexplained.map((f) => `[${f.level}] ${f.name}: ${f.detail ?? f.title}`).join("\n"),
  };
}
