// The operator's HTTP API under load (issue 11): requests through the gateway of a stack
// on the benchmark database (100,000 users, 10,000 organizations, 1,000,000 audit
// events), by 1, 4 and 16 concurrent clients, each endpoint beside GET /health measured
// in the same run (the floor: gateway → Deno → credential check → one database round
// trip). Each client sends a fixed number of requests one after another; the endpoints
// take turns in rounds, so a noisy machine weighs on all alike. Latencies are per
// request (p50/p95 over every request of every round), requests/s is the requests of
// all clients over the wall time they took.
import type postgres from "postgres";
import { AuthService } from "../stack/auth.ts";
import type { Stack } from "../stack/stack.ts";
import { ISSUER } from "./rls.ts";
import { percentile, round } from "./stats.ts";

export const CLIENTS = [1, 4, 16] as const;
/** Requests per client in one round, by concurrency; ROUNDS rounds per concurrency. */
const PER_CLIENT: Record<(typeof CLIENTS)[number], number> = { 1: 60, 4: 25, 16: 8 };
const ROUNDS = 5;
const METRICS_SCRAPES = 30;
/** Untimed requests per endpoint before the first measurement: the isolates' code is compiled, their pools filled. */
const WARMUP = 30;

/**
 * The search term: three letters an operator might type. In the seeded names it occurs in
 * common first and last names (Maria, Mark, Martin, Omar, Marx, ...); the run reports how
 * many users it matches (api_admin_users_search_matches).
 */
export const SEARCH_TERM = "mar";
const ADMIN_EMAIL = "bench-admin@bench.test";

// ── seeding ─────────────────────────────────────────────────────────────────
// The RLS benchmark's 100,000 users (u1 ... u100000, third-party identities) and 10,000
// organizations are the admin API's data too; this gives them what an operator's list
// shows and searches: names and addresses drawn from common first and last names,
// sign-up dates spread over 2.5 years, provisioning completed, a last login. Their ids,
// identities and memberships (which the other benchmarks rely on) are left as they are.
const FIRST = [
  "Maria", "Mark", "Martin", "Marta", "Omar", "Anna", "Hannah", "Joanne", "John", "James", "Robert", "Michael", "William",
  "David", "Richard", "Joseph", "Thomas", "Charles", "Daniel", "Matthew", "Anthony", "Paul", "Steven", "Andrew", "Joshua",
  "Kevin", "Brian", "George", "Edward", "Ronald", "Timothy", "Jason", "Jeffrey", "Ryan", "Jacob", "Gary", "Nicholas",
  "Eric", "Jonathan", "Stephen", "Larry", "Justin", "Scott", "Brandon", "Benjamin", "Samuel", "Gregory", "Alexander",
  "Patrick", "Frank", "Raymond", "Jack", "Dennis", "Jerry", "Tyler", "Aaron", "Jose", "Adam", "Nathan", "Henry", "Peter",
  "Zachary", "Douglas", "Kyle", "Noah", "Ethan", "Jeremy", "Walter", "Christian", "Keith", "Roger", "Terry", "Austin",
  "Sean", "Gerald", "Carl", "Harold", "Dylan", "Arthur", "Lawrence", "Jordan", "Jesse", "Bryan", "Billy", "Bruce",
  "Gabriel", "Joe", "Logan", "Alan", "Juan", "Albert", "Willie", "Elijah", "Wayne", "Randy", "Vincent", "Mason", "Roy",
  "Ralph", "Bobby", "Russell", "Bradley", "Philip", "Eugene", "Mary", "Patricia", "Jennifer", "Linda", "Elizabeth",
  "Barbara", "Susan", "Jessica", "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Ashley", "Emily", "Donna",
  "Michelle", "Carol", "Amanda", "Melissa", "Deborah", "Stephanie", "Rebecca", "Sharon", "Laura", "Cynthia", "Dorothy",
  "Amy", "Kathleen", "Angela", "Shirley", "Emma", "Brenda", "Pamela", "Nicole", "Ruth", "Katherine", "Samantha",
  "Christine", "Catherine", "Virginia", "Debra", "Rachel", "Carolyn", "Janet", "Heather", "Diane", "Olivia", "Julie",
  "Joyce", "Victoria", "Kelly", "Christina", "Lauren", "Joan", "Evelyn", "Judith", "Andrea", "Cheryl", "Megan", "Alice",
  "Jacqueline", "Sophia", "Gloria", "Teresa", "Sara", "Madison", "Frances", "Kathryn", "Janice", "Jean", "Abigail",
  "Sophie", "Lena", "Yuki", "Hiroshi", "Wei", "Li", "Priya", "Arjun", "Fatima", "Ahmed", "Lucas", "Mateo", "Lea", "Jonas",
  "Elena", "Ivan", "Olga", "Sven", "Ingrid", "Pierre", "Chloe", "Giulia", "Luca", "Nina", "Tomas", "Zoe",
];
const LAST = [
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
  "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
  "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
  "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell",
  "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins",
  "Reyes", "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
  "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson", "Brooks",
  "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes", "Price", "Alvarez", "Castillo", "Sanders",
  "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell",
  "Coleman", "Butler", "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson",
  "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant",
  "Herrera", "Gibson", "Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
  "Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen", "Freeman",
  "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter", "Gordon", "Mendez", "Silva",
  "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson",
  "Boyd", "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson",
  "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins",
  "Arnold", "Pierce", "Hansen", "Peters", "Santos", "Hart", "Bradley", "Knight", "Elliott", "Cunningham", "Duncan",
  "Armstrong", "Hudson", "Carroll", "Lane", "Riley", "Andrews", "Ray", "Berry", "Perkins", "Hoffman", "Johnston",
  "Matthews", "Pena", "Richards", "Contreras", "Willis", "Carpenter", "Lawrence", "Sandoval", "Mueller", "Schneider",
  "Fischer", "Weber", "Becker", "Wagner", "Dubois", "Moreau", "Rossi", "Russo", "Sato", "Suzuki", "Tanaka", "Wang", "Zhang",
  "Liu", "Singh", "Kumar", "Ivanov", "Novak", "Kowalski", "Jensen", "Larsen", "Nielsen", "Marx",
];
const DOMAINS = [
  "gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "hotmail.com",
  "acme.io", "globex.com", "initech.com", "umbrella.co", "hooli.com", "stark.industries", "wayne-enterprises.com",
  "cyberdyne.ai", "soylent.com", "tyrell.co", "aperture.dev", "massive-dynamic.com",
];

const sqlArray = (values: string[]) => `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", ")}]`;

async function seedApiUsers(sql: postgres.Sql, log: (msg: string) => void): Promise<void> {
  // The marker: the last bench user has a display name once this has run.
  const [done] = await sql`
    select 1 from public.profiles where identity_provider = ${ISSUER} and identity_sub = 'u100000' and display_name is not null`;
  if (done) return;
  log("giving the 100,000 benchmark users names, addresses and sign-up dates, spreading the organizations' creation dates (once) ...");
  // n's first and last name, picked by hash so neighbours differ; the address takes one of
  // four common shapes and n (unique, like a real mailbox).
  await sql.begin(async (tx) => {
    await tx.unsafe(`
      with picked as (
        select p.id, n,
               (${sqlArray(FIRST)})[1 + abs(hashtext('first:' || n)) % ${FIRST.length}] as first,
               (${sqlArray(LAST)})[1 + abs(hashtext('last:' || n)) % ${LAST.length}] as last,
               (${sqlArray(DOMAINS)})[1 + abs(hashtext('domain:' || n)) % ${DOMAINS.length}] as domain,
               timestamptz '2023-06-01' + n * interval '13 minutes' + (abs(hashtext('at:' || n)) % 600) * interval '1 second' as joined
        from public.profiles p, lateral (select substr(p.identity_sub, 2)::int as n) as num
        where p.identity_provider = '${ISSUER}' and p.identity_sub ~ '^u[0-9]+$'
      )
      update public.profiles p set
        display_name = picked.first || ' ' || picked.last,
        email = lower(case n % 4
                        when 0 then picked.first || '.' || picked.last
                        when 1 then left(picked.first, 1) || picked.last
                        when 2 then picked.first || '_' || picked.last
                        else picked.first end) || n || '@' || picked.domain,
        email_verified = true,
        created_at = picked.joined,
        provisioned_at = picked.joined,
        last_login_at = picked.joined + (abs(hashtext('login:' || n)) % 400) * interval '1 day'
      from picked
      where p.id = picked.id`);
    await tx`
      update public.organizations o
      set created_at = timestamptz '2023-06-01' + n * interval '2 hours' + (abs(hashtext('org:' || n)) % 3600) * interval '1 second'
      from (select id, substr(slug, 7)::int as n from public.organizations where slug ~ '^bench-[0-9]+$') as num
      where o.id = num.id`;
  });
  await sql`vacuum analyze public.profiles, public.organizations`;
}

/** Bench user n's profile id (the RLS benchmark's numbering). */
const benchProfileId = (n: number) => `00000000-0000-4000-9000-${n.toString(16).padStart(12, "0")}`;

/** A Supabase Auth user holding the platform role admin, granted by the operator (audited). */
export async function platformAdmin(sql: postgres.Sql, auth: AuthService): Promise<string> {
  const user = (await auth.findUserByEmail(ADMIN_EMAIL)) ?? (await auth.signUp({ email: ADMIN_EMAIL }));
  const [held] = await sql`select 1 from public.platform_role_assignments where user_id = ${user.id} and role = 'admin'`;
  if (!held) await sql`select public.grant_platform_role(${user.id}::uuid, 'admin')`;
  return (await auth.signIn(user.id)).accessToken;
}

// ── load ────────────────────────────────────────────────────────────────────
interface Endpoint {
  name: "health" | "me" | "admin_users_search" | "admin_orgs" | "role_overrides_put";
  /** One request by client number `client`. */
  request: (client: number) => Promise<Response>;
}

interface Measured {
  latencies: number[];
  requests: number;
  wallMs: number;
  errors: number;
  firstError?: string;
}

/** `clients` clients, each sending `perClient` requests one after another. */
async function load(endpoint: Endpoint, clients: number, perClient: number, into: Measured): Promise<void> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const sent = performance.now();
        try {
          const res = await endpoint.request(client);
          const body = await res.text();
          if (!res.ok) {
            into.errors++;
            into.firstError ??= `${res.status} ${body.slice(0, 300)}`;
          }
        } catch (error) {
          into.errors++;
          into.firstError ??= String(error);
        }
        into.latencies.push(performance.now() - sent);
      }
    }),
  );
  into.wallMs += performance.now() - started;
  into.requests += clients * perClient;
}

async function expectOk(res: Response, what: string): Promise<any> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 500)}`);
  return res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
}

export async function apiBench(stack: Stack, sql: postgres.Sql, log: (msg: string) => void): Promise<Record<string, number>> {
  await seedApiUsers(sql, log);
  const auth = new AuthService({ authAdminUrl: stack.db.authAdminUrl, supabaseUrl: stack.url });
  try {
    const token = await platformAdmin(sql, auth);
    const headers = { authorization: `Bearer ${token}` };
    const url = (path: string) => `${stack.url}/functions/v1/${path}`;
    const overrides = JSON.stringify({ paused: true, preserved: [], suppressed: ["reader"] });
    const endpoints: Endpoint[] = [
      { name: "health", request: () => fetch(url("health"), { headers }) },
      { name: "me", request: () => fetch(url("me"), { headers }) },
      { name: "admin_users_search", request: () => fetch(url(`admin/users?q=${SEARCH_TERM}`), { headers }) },
      { name: "admin_orgs", request: () => fetch(url("admin/orgs"), { headers }) },
      {
        // Each client its own user: concurrent admins editing the same user's overrides
        // would measure that row's lock, not the endpoint.
        name: "role_overrides_put",
        request: (client) =>
          fetch(url(`admin/users/${benchProfileId(client + 1)}/role-overrides`), {
            method: "PUT", headers: { ...headers, "content-type": "application/json" }, body: overrides,
          }),
      },
    ];

    // What is measured is the real thing: full pages, real member counts, 1M audit events.
    const [{ users, matches, orgs, events }] = await sql`
      select (select count(*)::int from public.profiles) as users,
             (select count(*)::int from public.profiles
              where email ilike ${`%${SEARCH_TERM}%`} or display_name ilike ${`%${SEARCH_TERM}%`}) as matches,
             (select count(*)::int from public.organizations) as orgs,
             (select count(*)::int from public.audit_events) as events`;
    const search = await expectOk(await endpoints[2].request(0), `GET /admin/users?q=${SEARCH_TERM}`);
    if (search.users.length !== 50) throw new Error(`the search returned ${search.users.length} users, not a full page of 50`);
    const page = await expectOk(await endpoints[3].request(0), "GET /admin/orgs");
    if (page.organizations.length !== 50 || page.organizations.some((o: { member_count: number }) => o.member_count < 1)) {
      throw new Error("GET /admin/orgs did not return a full page of organizations with members");
    }
    log(`  ${users.toLocaleString()} users (${matches.toLocaleString()} match "${SEARCH_TERM}"), ${orgs.toLocaleString()} organizations, ${events.toLocaleString()} audit events`);

    for (const endpoint of endpoints) await load(endpoint, 1, WARMUP, { latencies: [], requests: 0, wallMs: 0, errors: 0 });

    const figures: Record<string, number> = {};
    for (const clients of CLIENTS) {
      const measured = new Map(endpoints.map((e) => [e.name, { latencies: [], requests: 0, wallMs: 0, errors: 0 } as Measured]));
      // Warm-up at this concurrency (every client's connection, every pool connection); not counted.
      for (const endpoint of endpoints) await load(endpoint, clients, 3, { latencies: [], requests: 0, wallMs: 0, errors: 0 });
      for (let round = 0; round < ROUNDS; round++) {
        for (const endpoint of endpoints) await load(endpoint, clients, PER_CLIENT[clients], measured.get(endpoint.name)!);
      }
      let errors = 0;
      for (const [name, m] of measured) {
        m.latencies.sort((a, b) => a - b);
        figures[`api_${name}_${clients}c_p50_ms`] = round(percentile(m.latencies, 50));
        figures[`api_${name}_${clients}c_p95_ms`] = round(percentile(m.latencies, 95));
        figures[`api_${name}_${clients}c_rps`] = round(m.requests / (m.wallMs / 1000), 1);
        errors += m.errors;
        if (m.errors > 0) log(`  ${clients} clients: ${m.errors} of ${m.requests} ${name} requests failed, first: ${m.firstError}`);
      }
      if (clients === 16) figures.api_errors_16c = errors;
      log(`  ${clients} client${clients === 1 ? "" : "s"}: ` +
        endpoints.map((e) => `${e.name} p50 ${figures[`api_${e.name}_${clients}c_p50_ms`]} ms`).join(", "));
    }
    figures.admin_users_search_vs_health = round(figures.api_admin_users_search_1c_p50_ms / figures.api_health_1c_p50_ms, 2);
    figures.admin_orgs_vs_health = round(figures.api_admin_orgs_1c_p50_ms / figures.api_health_1c_p50_ms, 2);
    figures.api_admin_users_search_matches = matches;

    Object.assign(figures, await metricsScrape(sql, url("admin/metrics"), headers, events, log));
    return figures;
  } finally {
    await auth.close();
  }
}

/**
 * GET /admin/metrics (F16): Prometheus text computed from the database, one scrape at a
 * time as Prometheus does. Skipped, saying so, while the endpoint answers 404.
 */
export async function metricsScrape(
  sql: postgres.Sql,
  url: string,
  headers: Record<string, string>,
  events: number,
  log: (msg: string) => void,
): Promise<Record<string, number>> {
  const scrape = async () => {
    const res = await fetch(url, { headers });
    return { status: res.status, body: await res.text() };
  };
  const probe = await scrape();
  if (probe.status === 404) {
    log(`  skipping metrics_scrape_ms: GET /admin/metrics answered 404 (not in this checkout yet): ${probe.body.slice(0, 200)}`);
    return {};
  }
  const series = async () => {
    const times: number[] = [];
    for (let i = 0; i < 5 + METRICS_SCRAPES; i++) {
      const started = performance.now();
      const { status, body } = await scrape();
      const ms = performance.now() - started;
      if (status !== 200) throw new Error(`GET /admin/metrics answered ${status}: ${body.slice(0, 500)}`);
      if (!/^# TYPE \S+ (counter|gauge)/m.test(body)) throw new Error(`GET /admin/metrics is not Prometheus text: ${body.slice(0, 200)}`);
      if (i >= 5) times.push(ms);
    }
    return times.sort((a, b) => a - b);
  };
  // A scrape every 15–60 s (Prometheus' range) usually finds the user gauges older than their
  // 30 s max_age and recomputes them: measured as that, every scrape recomputing (max_age 0),
  // and beside it the scrape that reads them cached.
  await sql`update private.metrics_gauges set max_age = interval '0'`;
  const recomputing = await series().finally(() => sql`update private.metrics_gauges set max_age = interval '30 seconds'`);
  const cached = await series();
  const figures = {
    metrics_scrape_ms: round(percentile(recomputing, 50)),
    metrics_scrape_p95_ms: round(percentile(recomputing, 95)),
    metrics_scrape_cached_ms: round(percentile(cached, 50)),
  };
  log(`  metrics scrape at ${events.toLocaleString()} audit events: p50 ${figures.metrics_scrape_ms} ms recomputing the user gauges (p95 ${figures.metrics_scrape_p95_ms}), ${figures.metrics_scrape_cached_ms} ms reading them cached`);
  return figures;
}
