// `npm run bench`: benchmarks on the local stack. Prints a table and writes
// bench/results/latest.json, a flat object of named figures. Figures are medians or
// percentiles over repeated runs; ratios compare against a floor measured in the same
// run, since machines are noisy. The data-heavy benchmarks use their own database in
// the local cluster (tenantry_bench), so the development database stays small.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { ensureDatabase, ensureLocalDatabase } from "../stack/database.ts";
import { externalDbUrl, localDbUrl, projectRoot } from "../stack/settings.ts";
import { startStack } from "../stack/stack.ts";
import { apiBench } from "./api.ts";
import { concurrencyBench } from "./concurrency.ts";
import { jitBench } from "./jit.ts";
import { platformBench } from "./platform.ts";
import { provisioningBench } from "./provisioning.ts";
import { rlsBench } from "./rls.ts";
import { tokensAuditBench } from "./tokens-audit.ts";

const log = (msg: string) => console.log(msg);
const figures: Record<string, number> = {};

const db = await ensureDatabase({ quiet: true });
const stack = await startStack({ db, port: 0, output: () => {}, checkResponses: false });
try {
  log("platform path ...");
  Object.assign(figures, await platformBench(stack));
  log("JIT provisioning ...");
  Object.assign(figures, await jitBench(stack));
} finally {
  await stack.stop();
}

if (externalDbUrl()) {
  log("SUPABASE_DB_URL is set: skipping the benchmarks that seed 1,000,000 rows (they run on the local cluster only).");
} else {
  const bench = await ensureLocalDatabase("tenantry_bench");
  const sql = postgres(bench.url, { max: 1, onnotice: () => {} });
  try {
    log("RLS at scale ...");
    Object.assign(figures, await rlsBench(sql, log));
    log("personal access tokens and the audit log at scale ...");
    Object.assign(figures, await tokensAuditBench(sql, log));
    log("the operator's HTTP API under load (1, 4, 16 clients) ...");
    const apiStack = await startStack({ db: bench, port: 0, output: () => {}, checkResponses: false });
    try {
      Object.assign(figures, await apiBench(apiStack, sql, log));
    } finally {
      await apiStack.stop();
    }
  } finally {
    await sql.end();
  }
  log("audited writes at 1 and 8 clients ...");
  Object.assign(figures, await concurrencyBench(bench.url, bench.authAdminUrl, log));
  log("signup trigger and token hook ...");
  Object.assign(figures, await provisioningBench(localDbUrl("supabase_admin", "tenantry_bench"), bench.authAdminUrl));
}

console.table(Object.entries(figures).map(([name, value]) => ({ figure: name, value })));
const out = path.join(projectRoot, "bench", "results", "latest.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`wrote ${path.relative(projectRoot, out)}`);
