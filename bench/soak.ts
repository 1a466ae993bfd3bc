// Load and soak (issue 14): 16 concurrent keep-alive connections (autocannon) for a
// warm-up and then 60 s, split over three endpoints that run side by side — GET /me,
// an admin list (GET /admin/users as a platform admin) and a write (PATCH /me) — while
// the memory of the Deno processes serving them and the database's connections are
// sampled every second. A soak is judged by what does not happen: no error, no memory
// that keeps growing, no connection that leaks.
//
// The write is PATCH /me with a display name that differs on every request: each one is a
// real, audited change, and nothing in it counts towards a quota (quotas count members,
// organizations, tokens and projects), so it can repeat forever. Creating a token would
// hit tokens_per_user unless every create were paired with a revoke, two requests that
// measure as one. Each client its own user: concurrent edits of one profile would
// measure that row's lock, not the endpoint.
import autocannon from "autocannon";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { AuthService } from "../stack/auth.ts";
import { projectRoot } from "../stack/settings.ts";
import type { Stack } from "../stack/stack.ts";
import { platformAdmin } from "./api.ts";
import { floorGrowthMb, rssMb } from "./process-memory.ts";
import { percentile, round } from "./stats.ts";

/**
 * Seconds of load before anything is measured: isolates compiled, pools filled, and the
 * functions' heaps grown to their working size (about 20 s at this load; a 10 s warm-up
 * left them still filling, which read as 50 MB of "growth" in the first minute).
 */
export const WARMUP_S = 30;
/** Seconds measured (the issue's minute; `--soak-seconds` runs longer, to see whether memory settles). */
export const MEASURED_S = 60;
/** Connections per endpoint: 16 in all. */
const CONNECTIONS = { me: 6, admin_users: 5, me_patch: 5 } as const;
/** Seconds an answer may take before autocannon counts it as a timeout. */
const TIMEOUT_S = 10;
/** The functions that serve the three endpoints (their processes' memory is sampled). */
const SERVING = ["me", "admin"];

type EndpointName = keyof typeof CONNECTIONS;

interface Endpoint {
  name: EndpointName;
  method: "GET" | "PATCH";
  path: string;
  /** The bearer token of connection `n` (0-based, per endpoint). */
  token: (n: number) => string;
  body?: string;
}

interface Tally {
  /** [ms since the start, latency ms] of every 2xx answer. */
  answers: [number, number][];
  non2xx: number;
  errors: number;
  timeouts: number;
  firstFailure?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One autocannon instance: `connections` clients against one endpoint, tallied into `tally`. */
function hammer(stack: Stack, endpoint: Endpoint, seconds: number, started: number, tally: Tally) {
  let next = 0;
  const instance = autocannon({
    url: stack.url,
    connections: CONNECTIONS[endpoint.name],
    duration: seconds,
    timeout: TIMEOUT_S,
    idReplacement: true,
    setupClient: (client) =>
      client.setRequests([
        {
          method: endpoint.method,
          path: `/functions/v1/${endpoint.path}`,
          headers: {
            authorization: `Bearer ${endpoint.token(next++)}`,
            ...(endpoint.body ? { "content-type": "application/json" } : {}),
          },
          body: endpoint.body,
          onResponse: (status, body) => {
            if (status < 200 || status > 299) tally.firstFailure ??= `${status} ${body.slice(0, 300)}`;
          },
        },
      ]),
  });
  instance.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status <= 299) tally.answers.push([performance.now() - started, ms]);
  });
  instance.on("reqError", (error) => {
    tally.firstFailure ??= String(error);
  });
  return instance.then((result) => {
    tally.non2xx += result.non2xx;
    tally.errors += result.errors; // timeouts included
    tally.timeouts += result.timeouts;
  });
}

async function userToken(auth: AuthService, email: string): Promise<string> {
  const user = (await auth.findUserByEmail(email)) ?? (await auth.signUp({ email }));
  return (await auth.signIn(user.id)).accessToken;
}

export async function soakBench(stack: Stack, log: (msg: string) => void, measuredS = MEASURED_S): Promise<Record<string, number>> {
  const sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
  const auth = new AuthService({ authAdminUrl: stack.db.authAdminUrl, supabaseUrl: stack.url });
  try {
    const adminToken = await platformAdmin(sql, auth);
    const users = Math.max(CONNECTIONS.me, CONNECTIONS.me_patch);
    const tokens = await Promise.all(Array.from({ length: users }, (_, n) => userToken(auth, `soak-${n + 1}@bench.test`)));
    const endpoints: Endpoint[] = [
      { name: "me", method: "GET", path: "me", token: (n) => tokens[n % users] },
      { name: "admin_users", method: "GET", path: "admin/users", token: () => adminToken },
      {
        name: "me_patch", method: "PATCH", path: "me", token: (n) => tokens[n % users],
        // autocannon puts a fresh id in place of [<id>] on every request.
        body: JSON.stringify({ display_name: "Soak [<id>]" }),
      },
    ];
    const serving = stack.functions.filter((f) => SERVING.includes(f.name));
    if (serving.length !== SERVING.length) throw new Error(`the stack runs no ${SERVING.join("/")} function`);

    const tallies = new Map(endpoints.map((e) => [e.name, { answers: [], non2xx: 0, errors: 0, timeouts: 0 } as Tally]));
    const started = performance.now();
    const load = Promise.all(endpoints.map((e) => hammer(stack, e, WARMUP_S + measuredS, started, tallies.get(e.name)!)));

    // Samples once a second from the end of the warm-up until the load stops.
    const times: number[] = [];
    const rssByFunction = new Map(serving.map((f) => [f.name, [] as number[]]));
    const connections: number[] = [];
    let loading = true;
    void load.finally(() => (loading = false));
    await sleep(WARMUP_S * 1000);
    for (let tick = 0; loading && tick < measuredS; tick++) {
      const at = (performance.now() - started) / 1000;
      times.push(at);
      for (const f of serving) rssByFunction.get(f.name)!.push(rssMb(f.process.pid!));
      const [{ count }] = await sql<{ count: number }[]>`
        select count(*)::int as count from pg_stat_activity where datname = current_database()`;
      connections.push(count);
      // Progress every 10 s: a long soak shows whether memory settles while it runs.
      if (tick % 10 === 9) {
        log(`  ${Math.round(at)} s: ${serving.map((f) => `${f.name} ${round(rssByFunction.get(f.name)!.at(-1)!, 1)} MB`).join(", ")}, ${count} database connections`);
      }
      await sleep(Math.max(0, started + (WARMUP_S + tick + 1) * 1000 - performance.now()));
    }
    await load;

    const figures: Record<string, number> = {};
    const measured = (t: Tally) => t.answers.filter(([at]) => at >= WARMUP_S * 1000).map(([, ms]) => ms);
    const all: number[] = [];
    let errors = 0;
    let requests = 0;
    for (const [name, tally] of tallies) {
      const latencies = measured(tally).sort((a, b) => a - b);
      all.push(...latencies);
      requests += latencies.length;
      errors += tally.non2xx + tally.errors;
      figures[`soak_p99_ms_${name}`] = round(percentile(latencies, 99));
      figures[`soak_rps_${name}`] = round(latencies.length / measuredS, 1);
      log(`  ${name} (${CONNECTIONS[name]} connections): ${latencies.length} answers measured, p50 ${round(percentile(latencies, 50))} ms, p99 ${figures[`soak_p99_ms_${name}`]} ms; ` +
        `${tally.non2xx} non-2xx, ${tally.errors} socket errors (${tally.timeouts} timeouts)${tally.firstFailure ? `, first: ${tally.firstFailure}` : ""}`);
    }
    all.sort((a, b) => a - b);
    const total = times.map((_, i) => serving.reduce((sum, f) => sum + rssByFunction.get(f.name)![i], 0));
    Object.assign(figures, {
      // Counted over the whole run, warm-up included: an error is an error.
      soak_errors: errors,
      soak_p99_ms: round(percentile(all, 99)),
      soak_requests: requests,
      soak_rss_growth_mb: 0,
      soak_rss_first_mb: round(total[0] ?? NaN, 1),
      soak_rss_last_mb: round(total.at(-1) ?? NaN, 1),
      soak_rss_max_mb: round(Math.max(...total), 1),
      soak_db_connections_max: Math.max(...connections),
      soak_db_connections_first: connections[0],
      soak_db_connections_last: connections.at(-1),
    });
    // Each function's own troughs (their sawtooths are out of phase), summed.
    for (const [name, samples] of rssByFunction) {
      figures[`soak_rss_growth_mb_${name}`] = round(floorGrowthMb(samples), 1);
      figures.soak_rss_growth_mb += floorGrowthMb(samples);
      log(`  ${name} function RSS ${round(samples[0], 1)} → ${round(samples.at(-1)!, 1)} MB, ` +
        `between ${round(Math.min(...samples), 1)} and ${round(Math.max(...samples), 1)}; trough growth ${figures[`soak_rss_growth_mb_${name}`]} MB`);
    }
    figures.soak_rss_growth_mb = round(figures.soak_rss_growth_mb, 1);
    log(`  ${requests} requests in ${measuredS} s after a ${WARMUP_S} s warm-up: ${errors} errors, p99 ${figures.soak_p99_ms} ms; ` +
      `${SERVING.join(" + ")} RSS ${figures.soak_rss_first_mb} → ${figures.soak_rss_last_mb} MB (max ${figures.soak_rss_max_mb}, trough growth ${figures.soak_rss_growth_mb} MB, ${times.length} samples); ` +
      `database connections ${figures.soak_db_connections_first} → ${figures.soak_db_connections_last}, max ${figures.soak_db_connections_max} (the sampler's own included)`);
    // The timeline, for a plot or a second look (git-ignored like the figures).
    const timeline = path.join(projectRoot, "bench", "results", "soak-samples.json");
    mkdirSync(path.dirname(timeline), { recursive: true });
    writeFileSync(timeline, `${JSON.stringify({ seconds: times.map((t) => round(t, 1)), rss_mb: Object.fromEntries([...rssByFunction].map(([n, v]) => [n, v.map((mb) => round(mb, 1))])), db_connections: connections })}\n`);
    return figures;
  } finally {
    await auth.close();
    await sql.end();
  }
}
