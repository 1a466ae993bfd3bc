// Personal access tokens and the audit log at scale (issue 5): token verification
// with 100,000 tokens stored, the cost of one audit append, and how fast the hash
// chain verifies at 1,000,000 events.
import type postgres from "postgres";
import { timeQuery } from "./server-timing.ts";
import { percentile, round } from "./stats.ts";

const TOKENS = 100_000;
const EVENTS = 1_000_000;

/** A well-formed token for seed number n (the checksum rule of private.token_checksum). */
const tokenSql = (n: string) =>
  `'tnt_pat_' || left(md5(${n}::text) || md5((${n} + 1)::text), 40) || private.token_checksum(left(md5(${n}::text) || md5((${n} + 1)::text), 40))`;

async function seedTokens(sql: postgres.Sql, log: (msg: string) => void): Promise<void> {
  const [{ n }] = await sql`select count(*)::int as n from public.personal_access_tokens where name like 'bench %'`;
  if (n >= TOKENS) return;
  log(`seeding ${TOKENS.toLocaleString()} personal access tokens (once) ...`);
  await sql.unsafe(`
    insert into public.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at)
    select ('00000000-0000-4000-9000-' || lpad(to_hex(n), 12, '0'))::uuid, 'bench ' || n,
           'tnt_pat_' || left(md5(n::text), 8), extensions.digest(${tokenSql("n")}, 'sha256'), '{org:read}',
           now() + interval '300 days'
    from generate_series(1, ${TOKENS}) n`);
  await sql`analyze public.personal_access_tokens`;
}

async function seedAuditEvents(sql: postgres.Sql, log: (msg: string) => void): Promise<void> {
  const [{ n }] = await sql`select count(*)::int as n from public.audit_events`;
  if (n >= EVENTS) return;
  log(`appending ${(EVENTS - n).toLocaleString()} hash-chained audit events (once) ...`);
  // The same chain private.audit() builds, written in one loop instead of one call per event.
  await sql.unsafe(`
    do $$
    declare
      head private.audit_chain;
      e public.audit_events;
    begin
      select * into head from private.audit_chain for update;
      for i in 1 .. ${EVENTS - n} loop
        e := null;
        e.id := nextval(pg_get_serial_sequence('public.audit_events', 'id'));
        e.occurred_at := clock_timestamp();
        e.actor_type := 'system';
        e.action := 'bench.event';
        e.outcome := 'success';
        e.target_type := 'bench';
        e.target_id := i::text;
        e.details := jsonb_build_object('i', i);
        e.prev_hash := head.last_hash;
        e.hash := private.audit_event_digest(e.prev_hash, e);
        insert into public.audit_events overriding system value select e.*;
        head.last_hash := e.hash;
        head.last_id := e.id;
      end loop;
      update private.audit_chain set last_id = head.last_id, last_hash = head.last_hash;
    end $$`);
  await sql`analyze public.audit_events`;
}

export async function tokensAuditBench(sql: postgres.Sql, log: (msg: string) => void): Promise<Record<string, number>> {
  await seedTokens(sql, log);
  await seedAuditEvents(sql, log);
  const [{ token }] = await sql.unsafe(`select ${tokenSql("4242")} as token`);
  const verify = await timeQuery(sql, `select private.verify_token('${token}')`, { role: null }, 1000, 50);
  const append = await timeQuery(sql, `select private.audit('bench.append', null, 'bench', 'x')`, { role: null }, 1000, 50);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const [{ result }] = await sql`select private.verify_audit_chain(null, null) as result`;
    runs.push(performance.now() - started);
    if (!result.ok) throw new Error(`the benchmark's audit chain does not verify: ${JSON.stringify(result)}`);
  }
  const [{ n }] = await sql`select count(*)::int as n from public.audit_events`;
  return {
    pat_verify_p50_ms: round(percentile(verify, 50)),
    pat_verify_p99_ms: round(percentile(verify, 99)),
    pat_tokens_stored: TOKENS,
    audit_append_ms: round(percentile(append, 50)),
    audit_events_verified: n,
    audit_verify_events_per_s: Math.round(n / (Math.min(...runs) / 1000)),
  };
}
