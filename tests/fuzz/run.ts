// `npm run fuzz -- --ops N --seed S`: the isolation fuzzer (issue 14). Builds a world,
// runs N random operations as random callers the way PostgREST runs them, and after
// every batch compares every caller's view of every client-reachable table and the
// database's state with the reference model. On a failure it shrinks the operation
// sequence (replaying candidates in fresh worlds), prints the shortest one it found and
// writes it where `--replay FILE` runs it again. The last line is always
// `fuzz seed=<n>: <ops> operations, <checks> row checks, <failures> failures`.
import { randomInt } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type postgres from "postgres";
import { createPool } from "../../functions/_shared/db.ts";
import { ensureLocalDatabase, testDatabaseTarget, testDbUrlVariable, trustAuthIssuer, distrustAuthIssuer, type Database } from "../../stack/database.ts";
import { externalDbUrl, stateDir } from "../../stack/settings.ts";
import { checkColumns, checkState, checkViews, reachableTables, type ReachableTable } from "./checks.ts";
import { orgRank, orgRolePermissions, platformRolePermissions } from "./model.ts";
import { startHttpPath, type HttpPath } from "./http.ts";
import { describeOperation, generate, runOperation, sendThroughFunctions, type Operation } from "./operations.ts";
import { Random } from "./random.ts";
import { buildWorld } from "./world.ts";

const { values } = parseArgs({
  options: {
    ops: { type: "string", default: "20000" },
    seed: { type: "string" },
    batch: { type: "string", default: "1000" },
    replay: { type: "string" },
    "shrink-seconds": { type: "string", default: "120" },
    lanes: { type: "string", default: "3" },
    "http-share": { type: "string", default: "0.03" },
  },
});
const seed = values.seed === undefined ? randomInt(2 ** 31) : Number(values.seed);
const totalOps = Number(values.ops);
const batch = Number(values.batch);
const lanes = Math.max(1, Number(values.lanes));
/** Each lane is a world of its own with its own operations, run alongside the others; lane 0's seed is the run's. */
const laneSeed = (lane: number) => (seed + lane * 7919) % 2 ** 31;
const stackIssuer = "http://127.0.0.1:54321/auth/v1";

let http: HttpPath | undefined;

interface Trial {
  executed: number;
  /** Of them, through the edge functions. */
  overHttp: number;
  rowChecks: number;
  failures: string[];
  /** The operations up to and including the one whose check failed. */
  sequence: Operation[];
}

/** Runs operations in a fresh world until `target` of them executed (or they run out); stops at the first failed check. */
async function trial(sql: postgres.Sql, tables: ReachableTable[], worldSeed: number, ops: Iterable<Operation>, opts: { checkEvery: number; target?: number; quiet?: boolean }): Promise<Trial> {
  const world = await buildWorld(sql, new Random(worldSeed), http);
  const sequence: Operation[] = [];
  let executed = 0;
  let overHttp = 0;
  let rowChecks = 0;
  const check = async (): Promise<string[]> => {
    const state = await checkState(sql, world);
    const views = await checkViews(sql, world, tables);
    rowChecks += views.rowChecks;
    const [{ last }] = await sql<{ last: string }[]>`select coalesce(max(id), 0)::text as last from public.audit_events`;
    world.ids.auditSince = BigInt(last);
    return [...state, ...views.failures];
  };
  const initial = await check();
  if (initial.length) return { executed, overHttp, rowChecks, failures: initial, sequence };
  let sinceCheck = 0;
  const started = Date.now();
  for (const op of ops) {
    if (executed >= (opts.target ?? Infinity)) break;
    sequence.push(op);
    const step = await runOperation(sql, world, op);
    if (step.executed) executed++;
    if (step.overHttp) overHttp++;
    if (step.mismatch) return { executed, overHttp, rowChecks, failures: [step.mismatch], sequence };
    if (++sinceCheck >= opts.checkEvery) {
      sinceCheck = 0;
      const failures = await check();
      if (failures.length) return { executed, overHttp, rowChecks, failures, sequence };
      if (!opts.quiet && executed % (opts.checkEvery * 20) < opts.checkEvery) {
        console.log(`  ${executed} operations, ${rowChecks} row checks (${Math.round(executed / ((Date.now() - started) / 1000))} ops/s)`);
      }
    }
  }
  const failures = await check();
  return { executed, overHttp, rowChecks, failures, sequence };
}

/** Operations per world: a long run moves on to a fresh world rather than let one grow without end. */
const operationsPerWorld = 10_000;

/** One lane: worlds one after another until its share of operations ran, or one failed. */
async function runLane(sql: postgres.Sql, tables: ReachableTable[], lane: number, share: number): Promise<Trial & { worldSeed: number }> {
  const total: Trial & { worldSeed: number } = { executed: 0, overHttp: 0, rowChecks: 0, failures: [], sequence: [], worldSeed: laneSeed(lane) };
  for (let world = 0; total.executed < share; world++) {
    const worldSeed = (laneSeed(lane) + world * 104_729) % 2 ** 31;
    const target = Math.min(operationsPerWorld, share - total.executed);
    const result = await trial(sql, tables, worldSeed, generated(worldSeed), { checkEvery: batch, target, quiet: lane > 0 });
    total.executed += result.executed;
    total.overHttp += result.overHttp;
    total.rowChecks += result.rowChecks;
    if (result.failures.length || result.executed === 0) return { ...total, failures: result.failures, sequence: result.sequence, worldSeed };
  }
  return total;
}

function* generated(worldSeed: number): Generator<Operation> {
  const random = new Random(worldSeed ^ 0x5bd1e995);
  for (;;) yield generate(random);
}

/** Delta debugging (ddmin) within a time budget: the shortest subsequence that still fails. */
async function shrink(sql: postgres.Sql, tables: ReachableTable[], worldSeed: number, failing: Operation[], seconds: number): Promise<{ ops: Operation[]; failures: string[] }> {
  const deadline = Date.now() + seconds * 1000;
  let current = failing;
  let failures: string[] = [];
  let chunks = 2;
  while (current.length > 1 && Date.now() < deadline) {
    const size = Math.ceil(current.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.length && Date.now() < deadline; start += size) {
      const candidate = [...current.slice(0, start), ...current.slice(start + size)];
      const result = await trial(sql, tables, worldSeed, candidate, { checkEvery: Math.max(1, Math.ceil(candidate.length / 20)), quiet: true });
      if (result.failures.length) {
        current = result.sequence;
        failures = result.failures;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (size === 1) break;
      chunks = Math.min(chunks * 2, current.length);
    }
  }
  return { ops: current, failures };
}

async function verifyCatalog(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ scope: string; role: string; permissions: string[] }[]>`
    select scope, role, array_agg(permission order by permission) as permissions from public.role_permissions group by 1, 2`;
  const failures: string[] = [];
  const expected = [
    ...Object.entries(orgRolePermissions).map(([role, p]) => ["org", role, p] as const),
    ...Object.entries(platformRolePermissions).map(([role, p]) => ["platform", role, p] as const),
  ];
  for (const [scope, role, permissions] of expected) {
    const row = rows.find((r) => r.scope === scope && r.role === role);
    if (JSON.stringify(row?.permissions ?? []) !== JSON.stringify([...permissions].sort())) {
      failures.push(`the ${scope} role ${role} holds [${row?.permissions.join(" ")}] in the catalog, the README says [${permissions.join(" ")}]`);
    }
  }
  if (rows.length !== expected.length) failures.push(`the catalog has ${rows.length} roles, the README ${expected.length}`);
  const ranks = await sql<{ scope: string; name: string; rank: number }[]>`select scope, name, rank from public.roles`;
  for (const [role, rank] of Object.entries(orgRank)) {
    const found = ranks.find((r) => r.scope === "org" && r.name === role)?.rank;
    if (found !== rank) failures.push(`the org role ${role} ranks ${found} in the catalog, ${rank} in the README`);
  }
  return failures;
}

async function main(): Promise<number> {
  // npm test's database (TENANTRY_TEST_DB_URL), a given one, or a fresh local tenantry_fuzz.
  const db: Database = process.env[testDbUrlVariable] || externalDbUrl()
    ? { ...testDatabaseTarget(), ...(process.env[testDbUrlVariable] ? { url: process.env[testDbUrlVariable]! } : {}) }
    : await ensureLocalDatabase("tenantry_fuzz", { fresh: true, seed: true });
  const url = db.url;
  const sql = createPool(url, lanes + 1);
  const httpShare = Number(values["http-share"]);
  sendThroughFunctions(httpShare);
  let addedIssuer = false;
  let result: Trial = { executed: 0, overHttp: 0, rowChecks: 0, failures: [], sequence: [] };
  try {
    const [{ issuers }] = await sql<{ issuers: string[] }[]>`select auth_issuers as issuers from private.settings`;
    if (issuers.length === 0) addedIssuer = await trustAuthIssuer(url, stackIssuer);
    if (httpShare > 0) http = await startHttpPath(db);
    const tables = await reachableTables(sql);
    const catalog = [...(await verifyCatalog(sql)), ...(await checkColumns(sql, tables))];
    if (catalog.length) {
      result.failures = catalog;
    } else if (values.replay) {
      const ops = JSON.parse(readFileSync(values.replay, "utf8")) as Operation[];
      console.log(`fuzz: replaying ${ops.length} operations from ${values.replay} in the world of seed ${seed}`);
      result = await trial(sql, tables, seed, ops, { checkEvery: Math.max(1, Math.ceil(ops.length / 20)) });
    } else {
      console.log(`fuzz: seed ${seed}, ${totalOps} operations in ${lanes} worlds side by side, ${tables.length} client-reachable tables, a check every ${batch}`);
      const share = Math.ceil(totalOps / lanes);
      const results = await Promise.all(Array.from({ length: lanes }, (_, lane) => runLane(sql, tables, lane, share)));
      const failed = results.findIndex((r) => r.failures.length > 0);
      result = {
        executed: results.reduce((n, r) => n + r.executed, 0),
        overHttp: results.reduce((n, r) => n + r.overHttp, 0),
        rowChecks: results.reduce((n, r) => n + r.rowChecks, 0),
        failures: results.flatMap((r) => r.failures),
        sequence: failed >= 0 ? results[failed].sequence : [],
      };
      if (failed >= 0 && result.sequence.length) {
        const worldSeed = results[failed].worldSeed;
        console.log(`FAILED in the world of seed ${worldSeed} after ${result.sequence.length} operations:\n  ${results[failed].failures.slice(0, 10).join("\n  ")}`);
        console.log(`shrinking (up to ${values["shrink-seconds"]} s) ...`);
        const shrunk = await shrink(sql, tables, worldSeed, result.sequence, Number(values["shrink-seconds"]));
        const ops = shrunk.failures.length ? shrunk.ops : result.sequence;
        mkdirSync(stateDir, { recursive: true });
        const file = path.join(stateDir, `fuzz-failure-${worldSeed}.json`);
        writeFileSync(file, JSON.stringify(ops, null, 1));
        console.log(`shortest failing sequence found (${ops.length} operations; replay: npm run fuzz -- --seed ${worldSeed} --replay ${file}):`);
        ops.forEach((op, i) => console.log(`  ${i + 1}. ${describeOperation(op)}`));
        console.log(`  which fails with:\n    ${(shrunk.failures.length ? shrunk.failures : results[failed].failures).slice(0, 10).join("\n    ")}`);
      }
    }
    if (result.failures.length && (values.replay || !result.sequence.length)) {
      console.log(`FAILED:\n  ${result.failures.slice(0, 20).join("\n  ")}`);
    }
  } finally {
    await http?.stop();
    if (addedIssuer) await distrustAuthIssuer(url, stackIssuer);
    await sql.end();
  }
  // A short run (fewer operations than asked, or nothing compared) is a failure too.
  if (!values.replay && result.failures.length === 0 && (result.executed < totalOps || result.rowChecks === 0)) {
    result.failures.push(`only ${result.executed} of ${totalOps} operations ran, with ${result.rowChecks} row checks`);
    console.log(`FAILED: ${result.failures[0]}`);
  }
  console.log(`${result.overHttp} of the operations went through the edge functions`);
  console.log(`fuzz seed=${seed}: ${result.executed} operations, ${result.rowChecks} row checks, ${result.failures.length} failures`);
  return result.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error, (error as { query?: string }).query);
    console.log(`fuzz seed=${seed}: 0 operations, 0 row checks, 1 failures`);
    process.exit(1);
  },
);
