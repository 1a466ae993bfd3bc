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
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { AuthService } from "../stack/auth.ts";
import { descendants } from "../stack/processes.ts";
import type { Stack } from "../stack/stack.ts";
import { platformAdmin } from "./api.ts";
import { percentile, round } from "./stats.ts";

/** Seconds of load before anything is measured: isolates compiled, pools filled. */
export const WARMUP_S = 10;
/** Seconds measured. */
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

/** Resident memory of a process and its descendants, in MB (Linux /proc). */
function rssMb(pid: number): number {
  let kb = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      if (match) kb += Number(match[1]);
    } catch {
      // exited between the listing and the read
    }
  }
  return kb / 1024;
}

/** Least-squares slope of y over x. */
function slope(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One autocannon instance: `connections` clients against one endpoint, tallied into `tally`. */
function hammer(stack: Stack, endpoint: Endpoint, started: number, tally: Tally) {
  let next = 0;
  const instance = autocannon({
    url: stack.url,
    connections: CONNECTIONS[endpoint.name],
    duration: WARMUP_S + MEASURED_S,
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

export async function soakBench(stack: Stack, log: (msg: string) => void): Promise<Record<string, number>> {
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
    const load = Promise.all(endpoints.map((e) => hammer(stack, e, started, tallies.get(e.name)!)));

    // Samples once a second from the end of the warm-up until the load stops.
    const rss: [number, number][] = [];
    const connections: number[] = [];
    let loading = true;
    void load.finally(() => (loading = false));
    await sleep(WARMUP_S * 1000);
    for (let tick = 0; loading && tick < MEASURED_S; tick++) {
      const at = (performance.now() - started) / 1000;
      rss.push([at, serving.reduce((sum, f) => sum + rssMb(f.process.pid!), 0)]);
      const [{ count }] = await sql<{ count: number }[]>`
        select count(*)::int as count from pg_stat_activity where datname = current_database()`;
      connections.push(count);
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
      figures[`soak_rps_${name}`] = round(latencies.length / MEASURED_S, 1);
      log(`  ${name} (${CONNECTIONS[name]} connections): ${latencies.length} answers measured, p50 ${round(percentile(latencies, 50))} ms, p99 ${figures[`soak_p99_ms_${name}`]} ms; ` +
        `${tally.non2xx} non-2xx, ${tally.errors} socket errors (${tally.timeouts} timeouts)${tally.firstFailure ? `, first: ${tally.firstFailure}` : ""}`);
    }
    all.sort((a, b) => a - b);
    const seconds = rss.length ? rss[rss.length - 1][0] - rss[0][0] : 0;
    Object.assign(figures, {
      // Counted over the whole run, warm-up included: an error is an error.
      soak_errors: errors,
      soak_p99_ms: round(percentile(all, 99)),
      soak_requests: requests,
      // The trend of the serving processes' memory over the measured minute (slope × duration),
      // so one garbage collection at either end does not decide it; first and last beside it.
      soak_rss_growth_mb: round(slope(rss) * seconds, 1),
      soak_rss_first_mb: round(rss[0]?.[1] ?? NaN, 1),
      soak_rss_last_mb: round(rss[rss.length - 1]?.[1] ?? NaN, 1),
      soak_db_connections_max: Math.max(...connections),
      soak_db_connections_first: connections[0],
      soak_db_connections_last: connections[connections.length - 1],
    });
    log(`  ${requests} requests in ${MEASURED_S} s after a ${WARMUP_S} s warm-up: ${errors} errors, p99 ${figures.soak_p99_ms} ms; ` +
      `${SERVING.join(" + ")} RSS ${figures.soak_rss_first_mb} → ${figures.soak_rss_last_mb} MB (trend ${figures.soak_rss_growth_mb} MB over ${round(seconds, 0)} s, ${rss.length} samples); ` +
      `database connections ${figures.soak_db_connections_first} → ${figures.soak_db_connections_last}, max ${figures.soak_db_connections_max} (the sampler's own included)`);
    return figures;
  } finally {
    await auth.close();
    await sql.end();
  }
}
