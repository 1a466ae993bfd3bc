-- The audit rollup behind the metrics (issue 11; SPEC F16): the counters equal what
-- the log holds, each event counted once, bounded per advance, and monotonic when
-- retention removes old events. And public.metrics() itself.
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
update private.settings set audit_denials_per_minute = 10000;
select private.advance_audit_rollup(null);
-- The counters, and what counting the whole log (and the archive) would give.
create function pg_temp.counters()
returns jsonb
language sql
as $$ select coalesce(jsonb_object_agg(action || '/' || outcome, events), '{}') from private.audit_rollup $$;
create function pg_temp.counted_by_hand(since bigint)
returns jsonb
language sql
as $$
  select coalesce(jsonb_object_agg(k, n), '{}') from (
    select e.action || '/' || e.outcome as k, count(*) as n from public.audit_events e where e.id > since group by 1) x
$$;
-- The counters' increase since a snapshot.
create function pg_temp.increase(before jsonb)
returns jsonb
language sql
as $$
  select coalesce(jsonb_object_agg(k, (pg_temp.counters() ->> k)::bigint - coalesce((before ->> k)::bigint, 0)), '{}')
  from jsonb_object_keys(pg_temp.counters()) as k
  where (pg_temp.counters() ->> k)::bigint <> coalesce((before ->> k)::bigint, 0)
$$;
create temp table snapshots (name text primary key, counters jsonb, last_id bigint);
create function pg_temp.snapshot(name text)
returns void
language sql
as $$ insert into snapshots values (name, pg_temp.counters(), (select last_id from private.audit_rollup_state)) $$;
\set QUIET off

select plan(24);

select is((select last_id from private.audit_rollup_state), (select max(id) from public.audit_events),
  'after an advance the watermark is the newest event');

select pg_temp.snapshot('start');
select private.audit('rollup_test.one', null);
select private.audit('rollup_test.one', null);
select private.audit('rollup_test.two', null, 'thing', 'x', '{}', 'denied');
select is(pg_temp.increase((select counters from snapshots where name = 'start')), '{}'::jsonb, 'new events are not counted before an advance');
select is(private.advance_audit_rollup(), 3::bigint, 'an advance adds the events after the watermark ...');
select is(pg_temp.increase((select counters from snapshots where name = 'start')),
  pg_temp.counted_by_hand((select last_id from snapshots where name = 'start')),
  '... counted per action and outcome exactly as counting the log gives');
select is(pg_temp.increase((select counters from snapshots where name = 'start')),
  '{"rollup_test.one/success": 2, "rollup_test.two/denied": 1}'::jsonb, '... denials under outcome denied');
select is(private.advance_audit_rollup(), 0::bigint, 'advancing again adds nothing ...');
select is(pg_temp.increase((select counters from snapshots where name = 'start')),
  '{"rollup_test.one/success": 2, "rollup_test.two/denied": 1}'::jsonb, '... so no event is counted twice');

-- Bounded advances catch up over several calls.
select pg_temp.snapshot('bounded');
select private.audit('rollup_test.bulk', null) from generate_series(1, 5);
select is(private.advance_audit_rollup(2), 2::bigint, 'an advance takes at most max_events events');
select is((select last_id from private.audit_rollup_state),
  (select id from public.audit_events where id > (select last_id from snapshots where name = 'bounded') order by id offset 1 limit 1),
  '... and moves the watermark to the last one it counted');
select is(private.advance_audit_rollup(2) + private.advance_audit_rollup(2) + private.advance_audit_rollup(2), 3::bigint, 'the next advances take the rest');
select is(pg_temp.increase((select counters from snapshots where name = 'bounded')), '{"rollup_test.bulk/success": 5}'::jsonb,
  '... each event once');

-- Retention: the counters stay monotonic, including events not yet counted when it runs.
select pg_temp.snapshot('retention');
select private.audit('rollup_test.late', null) from generate_series(1, 3);
select ok((private.apply_audit_retention(interval '-1 hour', true) ->> 'removed')::bigint > 0, 'retention removes every event (older than one hour from now) ...');
select is((select count(*) from public.audit_events where action <> 'audit.retention'), 0::bigint, '... so the log holds only its own event');
select is(pg_temp.increase((select counters from snapshots where name = 'retention')), '{"rollup_test.late/success": 3}'::jsonb,
  'events retention removed before any scrape are counted');
select is((select count(*) from jsonb_each_text((select counters from snapshots where name = 'start')) s
           where (pg_temp.counters() ->> s.key)::bigint < s.value::bigint), 0::bigint,
  'no counter went down');

-- ── public.metrics() ─────────────────────────────────────────────────────────
update private.metrics_gauges set max_age = interval '0';
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('outsider');
update public.profiles set last_login_at = now() - interval '1 hour' where id in (pg_temp.actor_id('member_a'), pg_temp.actor_id('viewer_a'));
update public.profiles set last_login_at = now() - interval '2 days' where id = pg_temp.actor_id('owner_a');
-- One revoked token and one expired invitation, which the gauges leave out.
update public.personal_access_tokens set revoked_at = now() where id = 'b0000000-0000-4000-8000-0000000000f2';
update public.invitations set expires_at = now() - interval '1 minute' where id = 'b0000000-0000-4000-8000-0000000000e2';
create temp table scraped as select pg_temp.call('platform_admin', 'public.metrics()') as m;
select is(
  (select jsonb_build_object(
     'audit', (select jsonb_object_agg((e ->> 'action') || '/' || (e ->> 'outcome'), (e ->> 'events')::bigint) from jsonb_array_elements(m -> 'audit_events') e),
     'watermark', m -> 'audit_rollup' -> 'last_id',
     'tokens', m -> 'active_tokens', 'invitations', m -> 'invitations_pending',
     'users', (select sum((u ->> 'users')::bigint) from jsonb_array_elements(m -> 'users') u))
   from scraped),
  jsonb_build_object(
     'audit', pg_temp.counters(),
     'watermark', (select max(id) from public.audit_events),
     'tokens', (select count(*) from public.personal_access_tokens where revoked_at is null and expires_at > now()),
     'invitations', (select count(*) from public.invitations where accepted_at is null and revoked_at is null and expires_at > now()),
     'users', (select count(*) from public.profiles)),
  'metrics: the counters (advanced by the scrape itself), active tokens, pending invitations and users');
select is((select m -> 'users' from scraped) @> jsonb_build_array(jsonb_build_object('provider', 'supabase', 'status', 'active')), true,
  '... users by provider and status');
select is(
  (select jsonb_object_agg(u ->> 'status', jsonb_build_object('users', u -> 'users', 'signed_in_24h', u -> 'signed_in_24h'))
   from scraped, jsonb_array_elements(m -> 'users') u where u ->> 'provider' = 'supabase'),
  (select jsonb_object_agg(status, jsonb_build_object('users', n, 'signed_in_24h', recent)) from (
     select case when disabled_at is not null then 'disabled' when provisioned_at is null then 'unprovisioned' else 'active' end as status,
            count(*) as n, count(*) filter (where last_login_at > now() - interval '24 hours') as recent
     from public.profiles where identity_provider = 'supabase' group by 1) x),
  '... a disabled user under disabled, sign-ins within 24 hours counted per status');
-- Counted against the database, not assumed empty: a shared database holds other disabled users too.
create temp table disabled_before as
  select count(*)::int as n from public.profiles where identity_provider = 'supabase' and disabled_at is not null;
select ok((select n from disabled_before) >= 1
          and (select m -> 'users' from scraped) @> jsonb_build_array(jsonb_build_object('provider', 'supabase', 'status', 'disabled', 'users', (select n from disabled_before))),
  '... (the disabled fixture user among them)');
select ok(pg_temp.call('service_role', 'public.metrics()') ? 'audit_events', 'the secret key (and so the metrics token) may scrape');

-- The user gauges are kept for max_age, then recomputed.
update private.metrics_gauges set max_age = interval '1 hour', computed_at = now() - interval '10 minutes';
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('viewer_a');
select ok(pg_temp.call('platform_admin', 'public.metrics()') -> 'users' @> jsonb_build_array(jsonb_build_object('provider', 'supabase', 'status', 'disabled', 'users', (select n from disabled_before)))
          and (pg_temp.call('platform_admin', 'public.metrics()') ->> 'users_age_seconds')::numeric = 600,
  'younger than max_age, the user gauges are read as computed, with their age');
update private.metrics_gauges set computed_at = now() - interval '61 minutes';
select ok(pg_temp.call('platform_admin', 'public.metrics()') -> 'users' @> jsonb_build_array(jsonb_build_object('provider', 'supabase', 'status', 'disabled', 'users', (select n + 1 from disabled_before)))
          and (pg_temp.call('platform_admin', 'public.metrics()') ->> 'users_age_seconds')::numeric = 0,
  'older, the scrape recomputes them');
select is(pg_temp.call('auditor', 'public.metrics()') -> 'error' ->> 'code', 'forbidden', 'without users:admin a scrape is refused ...');
select ok(exists (select 1 from public.audit_events where action = 'metrics.read' and outcome = 'denied' and actor_id = pg_temp.actor_id('auditor')),
  '... and the refusal audited');

select * from finish();
rollback;
