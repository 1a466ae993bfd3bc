-- ════════════════════════════════════════════════════════════════════════════
-- Metrics (issue 11; SPEC F16): what GET /admin/metrics exposes in Prometheus format,
-- computed from the database (an edge function isolate is short-lived, so in-process
-- counters would reset with it).
--
-- Audit events by action and outcome come from an incremental rollup, not from counting
-- the log: private.audit_rollup holds the counts up to a watermark id
-- (private.audit_rollup_state), and every scrape first adds the events after it. The
-- scrape locks the watermark row, so concurrent scrapes queue and each event is counted
-- once. This relies on audit ids becoming visible in order: private.audit() takes the
-- chain head's row lock before it draws an id and keeps it until commit, so when an id
-- is visible every smaller id is committed or was rolled back. Retention adds the events
-- it is about to remove before it removes them, so the counters never go down
-- (Prometheus counters) when old events are archived or deleted.
--
-- The user gauges (users by provider and status, sign-ins in the last 24 hours) need a
-- pass over every profile (sign-ins cannot be indexed without costing every sign-in an
-- update of every profiles index), so they are recomputed at most every
-- private.metrics_gauges.max_age (30 s) and read from there in between, as exporters do
-- with costly gauges; tenantry_users_age_seconds says how old they are.
-- ════════════════════════════════════════════════════════════════════════════

-- ── the rollup ───────────────────────────────────────────────────────────────
create table private.audit_rollup (
  action text not null,
  outcome text not null,
  events bigint not null check (events >= 0),
  primary key (action, outcome)
);
comment on table private.audit_rollup is
  'Audit events counted per action and outcome, up to private.audit_rollup_state.last_id; monotonic (retention does not lower it). Advanced by private.advance_audit_rollup.';
revoke all on private.audit_rollup from public, anon, authenticated, service_role;

create table private.audit_rollup_state (
  id boolean primary key default true check (id),
  last_id bigint not null default 0,
  advanced_at timestamptz not null default now()
);
comment on table private.audit_rollup_state is
  'The watermark of private.audit_rollup: the last audit event id counted. Its one row is locked by every advance, so concurrent scrapes serialise.';
revoke all on private.audit_rollup_state from public, anon, authenticated, service_role;
insert into private.audit_rollup_state default values;

create function private.advance_audit_rollup(max_events integer default 250000)
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  watermark bigint;
  upto bigint;
  added bigint;
begin
  -- One advance at a time: a concurrent scrape waits here, then sees the new watermark.
  select s.last_id into watermark from private.audit_rollup_state s for update;
  -- Keyset on the primary key: only the events after the watermark are read, at most
  -- max_events of them (null: all), so one scrape's cost stays bounded after a bulk load.
  with batch as materialized (
    select e.id, e.action, e.outcome from public.audit_events e
    where e.id > watermark
    order by e.id
    limit max_events
  ), counted as (
    insert into private.audit_rollup as r (action, outcome, events)
    select b.action, b.outcome, count(*) from batch b group by b.action, b.outcome
    on conflict (action, outcome) do update set events = r.events + excluded.events
  )
  select max(b.id), count(*) into upto, added from batch b;
  if upto is not null then
    update private.audit_rollup_state set last_id = upto, advanced_at = pg_catalog.now();
  end if;
  return added;
end;
$$;
comment on function private.advance_audit_rollup(integer) is
  'Adds the audit events after the watermark (at most max_events; null: all) to private.audit_rollup and moves the watermark; returns how many. Locks the watermark row: concurrent callers serialise. Not executable by the API roles.';

-- Events already in the log.
select private.advance_audit_rollup(null);

-- ── retention keeps the counters ─────────────────────────────────────────────
create or replace function private.apply_audit_retention(older_than interval, archive boolean default true)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  cutoff bigint;
  cutoff_hash bytea;
  removed bigint;
begin
  if not private.is_operator() then
    raise exception using errcode = '42501', message = 'audit retention is an operator task (direct SQL as the database owner), not an API call';
  end if;
  perform 1 from private.audit_chain for update;
  select e.id, e.hash into cutoff, cutoff_hash from public.audit_events e
  where e.occurred_at < pg_catalog.now() - older_than order by e.id desc limit 1;
  if cutoff is null then
    return jsonb_build_object('removed', 0);
  end if;
  -- Count every event before it goes: the metrics' counters stay monotonic.
  perform private.advance_audit_rollup(null);
  if archive then
    insert into private.audit_archive select * from public.audit_events e where e.id <= cutoff on conflict do nothing;
  end if;
  -- Verification now starts after the last removed event, trusting its hash.
  update private.audit_chain set checkpoint_id = cutoff, checkpoint_hash = cutoff_hash;
  delete from public.audit_events e where e.id <= cutoff;
  get diagnostics removed = row_count;
  perform private.audit('audit.retention', null, 'audit_events', cutoff::text,
    jsonb_build_object('removed', removed, 'archived', archive, 'checkpoint_id', cutoff));
  return jsonb_build_object('removed', removed, 'archived', archive, 'checkpoint_id', cutoff);
end;
$$;
comment on function private.apply_audit_retention(interval, boolean) is
  'Archives (or deletes) events older than the interval and moves the verification checkpoint past them, after adding them to the metrics rollup. Operators only (plain SQL as the owner). Definer: deletes events nobody else may.';

-- ── the user gauges, recomputed at most every max_age ────────────────────────
create table private.metrics_gauges (
  id boolean primary key default true check (id),
  max_age interval not null default interval '30 seconds' check (max_age >= interval '0'),
  computed_at timestamptz,
  users jsonb not null default '[]'::jsonb
);
comment on table private.metrics_gauges is
  'The user gauges of the metrics (users by provider and status, sign-ins in 24 h) as last computed, recomputed by a scrape when older than max_age (0: every scrape). A pass over every profile, so not on every scrape.';
revoke all on private.metrics_gauges from public, anon, authenticated, service_role;
insert into private.metrics_gauges default values;

create function private.user_gauges()
returns jsonb
language sql
stable
set search_path = ''
-- The grouping fits in memory (with the default 4 MB it spills a sort to disk: 61 ms instead of 38 at 100,000 users).
set work_mem = '32MB'
as $$
  -- One pass over the profiles for users by provider and status and recent sign-ins.
  select coalesce(jsonb_agg(jsonb_build_object('provider', x.provider, 'status', x.status, 'users', x.users, 'signed_in_24h', x.signed_in)
                            order by x.provider, x.status), '[]'::jsonb)
  from (
    select p.identity_provider as provider,
           case when p.disabled_at is not null then 'disabled' when p.provisioned_at is null then 'unprovisioned' else 'active' end as status,
           count(*) as users,
           count(*) filter (where p.last_login_at >= pg_catalog.now() - interval '24 hours') as signed_in
    from public.profiles p
    group by 1, 2
  ) as x
$$;
comment on function private.user_gauges() is 'Users by identity provider and status (active, disabled, unprovisioned) with how many signed in within 24 hours: one pass over the profiles.';

-- ── the metrics ──────────────────────────────────────────────────────────────
-- Active tokens are counted from an index-only scan (a scrape at 100,000 tokens: 3 ms
-- instead of 16 ms for the table). Revoking moves a token out of it; last_used_at
-- updates stay HOT (the column is not indexed).
create index personal_access_tokens_active_idx on public.personal_access_tokens (expires_at) where revoked_at is null;
comment on index public.personal_access_tokens_active_idx is 'Tokens not revoked, by expiry: the metrics'' active-token count.';

create function private.metrics()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  state private.audit_rollup_state;
  gauges private.metrics_gauges;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('metrics.read', 'you may not read the metrics (users:admin)');
  end if;
  perform private.advance_audit_rollup();
  select * into state from private.audit_rollup_state;
  -- One scrape at a time refreshes the user gauges; the others wait and read them.
  select * into gauges from private.metrics_gauges for update;
  if gauges.computed_at is null or gauges.computed_at <= pg_catalog.now() - gauges.max_age then
    update private.metrics_gauges set users = private.user_gauges(), computed_at = pg_catalog.now()
    returning * into gauges;
  end if;
  return jsonb_build_object(
    'users', gauges.users,
    'users_computed_at', gauges.computed_at,
    'users_age_seconds', extract(epoch from pg_catalog.now() - gauges.computed_at),
    'provisioning_failures', (select count(*) from private.provisioning_failures),
    'active_tokens', (select count(*) from public.personal_access_tokens t where t.revoked_at is null and t.expires_at > pg_catalog.now()),
    'invitations_pending', (select count(*) from public.invitations i
                            where i.accepted_at is null and i.revoked_at is null and i.expires_at > pg_catalog.now()),
    'audit_events', coalesce((select jsonb_agg(jsonb_build_object('action', r.action, 'outcome', r.outcome, 'events', r.events)
                                               order by r.action, r.outcome)
                              from private.audit_rollup r), '[]'::jsonb),
    'audit_rollup', jsonb_build_object('last_id', state.last_id, 'advanced_at', state.advanced_at,
                                       'head_id', (select c.last_id from private.audit_chain c)));
end;
$$;
comment on function private.metrics() is
  'What GET /admin/metrics exposes (users:admin; the metrics token runs it as service_role): users by provider and status with sign-ins in the last 24 hours (recomputed when older than metrics_gauges.max_age), provisioning failures, active tokens, pending invitations, and audit events (denials included) by action and outcome from the rollup, which it advances first. Definer: reads private tables and writes the rollup and the gauges.';

insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('metrics', 'metrics.read', 'users:admin', 'profile', true, false);

create function public.metrics()
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('metrics'), private.metrics()) $$;
comment on function public.metrics() is
  'RPC: operational metrics (users:admin): users by provider and status, sign-ins in 24 h, provisioning failures, active tokens, pending invitations, audit events by action and outcome. Advances the audit rollup (no audit event).';

grant execute on function private.metrics() to authenticated, service_role;
call private.grant_rpc('public.metrics()');
revoke execute on all functions in schema private from public;
