// `npm run bench`: benchmarks against the local stack (or SUPABASE_DB_URL). Prints a
// table and writes bench/results/latest.json, a flat object of named figures.
// Figures are medians/percentiles over repeated runs; compare ratios against the floor
// measured in the same run, since machines are noisy.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureDatabase } from "../stack/database.ts";
import { projectRoot } from "../stack/settings.ts";
import { startStack } from "../stack/stack.ts";
import { platformBench } from "./platform.ts";

const db = await ensureDatabase({ quiet: true });
const stack = await startStack({ db, port: 0, output: () => {} });
const figures: Record<string, number> = {};
try {
  Object.assign(figures, await platformBench(stack));
} finally {
  await stack.stop();
}

console.table(Object.entries(figures).map(([name, value]) => ({ figure: name, value })));
const out = path.join(projectRoot, "bench", "results", "latest.json");
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(figures, null, 2)}\n`);
console.log(`wrote ${path.relative(projectRoot, out)}`);
