-- The audit log (SPEC F13): every privileged change and every denied privileged action
-- is one event, written by private.audit() in the same transaction, with request context
-- (request/debug id, IP, user agent) and before/after. Events form a hash chain: each
-- commits to the previous one; appends are serialised on the chain head, so concurrent
-- writers still form one chain. Nobody updates, deletes or truncates events; only the
-- retention function removes old ones, leaving a checkpoint from which the rest verifies.

-- ── table ────────────────────────────────────────────────────────────────────
create table public.audit_events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  -- No foreign keys: the history outlives the users and organizations it mentions.
  actor_id uuid,
  actor_type text not null check (actor_type in ('user', 'token', 'service', 'system')),
  action text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  outcome text not null default 'success' check (outcome in ('success', 'denied')),
  organization_id uuid,
  target_type text,
  target_id text,
  details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
  request_id text,
  ip inet,
  user_agent text,
  before jsonb,
  after jsonb,
  prev_hash bytea not null,
  hash bytea not null
);
comment on table public.audit_events is
  'Append-only, hash-chained record of privileged changes and denied privileged actions. Written only by private.audit().';
comment on column public.audit_events.actor_type is 'user (a signed-in user), token (a personal access token), service (secret key), system (triggers, migrations).';
comment on column public.audit_events.outcome is 'success for a change that happened, denied for a privileged action refused by a permission check.';

create index audit_events_organization_idx on public.audit_events (organization_id, occurred_at desc);
create index audit_events_actor_idx on public.audit_events (actor_id, occurred_at desc);
create index audit_events_action_idx on public.audit_events (action, id desc);
create index audit_events_target_idx on public.audit_events (target_type, target_id, id desc);

comment on column public.audit_events.request_id is 'The debug id of the HTTP request (x-debug-id), when the change came through an edge function.';
comment on column public.audit_events.ip is 'Client address from x-forwarded-for / x-real-ip, when known.';
comment on column public.audit_events.before is 'State before the change, when it has one.';
comment on column public.audit_events.after is 'State after the change, when it has one.';
comment on column public.audit_events.prev_hash is 'hash of the previous event (or of the retention checkpoint).';
comment on column public.audit_events.hash is 'sha256(prev_hash || canonical text of this event): see private.audit_event_digest.';

alter table public.audit_events enable row level security;
revoke all on public.audit_events from anon, authenticated, service_role;
grant select on public.audit_events to authenticated, service_role;

-- ── who reads it ─────────────────────────────────────────────────────────────
create policy audit_events_select_auditors on public.audit_events
  for select to authenticated
  using (
    organization_id = any ((select private.caller_org_ids('audit:read'))::uuid[])
    or (select private.has_platform_permission('audit:read'))
  );
comment on policy audit_events_select_auditors on public.audit_events is 'Events of organizations where you hold audit:read; all events with platform audit:read.';

-- ── the chain ────────────────────────────────────────────────────────────────
create table private.audit_chain (
  id boolean primary key default true check (id),
  last_id bigint,
  last_hash bytea not null,
  checkpoint_id bigint,
  checkpoint_hash bytea not null
);
comment on table private.audit_chain is
  'Head of the audit hash chain (locked by every append) and the retention checkpoint verification starts from.';
insert into private.audit_chain (last_hash, checkpoint_hash) values ('\x'::bytea, '\x'::bytea);

create function private.audit_event_digest(prev_hash bytea, e public.audit_events)
returns bytea
language plpgsql
immutable
set search_path = ''
as $$
begin
  -- jsonb text is canonical (keys sorted), so the same event always hashes the same.
  -- (PL/pgSQL for its cached plan: this runs once per event written and verified.)
  return extensions.digest(
    prev_hash || convert_to(jsonb_build_object(
      'id', e.id, 'occurred_at', e.occurred_at, 'actor_id', e.actor_id, 'actor_type', e.actor_type,
      'action', e.action, 'outcome', e.outcome, 'organization_id', e.organization_id,
      'target_type', e.target_type, 'target_id', e.target_id, 'details', e.details,
      'request_id', e.request_id, 'ip', e.ip, 'user_agent', e.user_agent,
      'before', e.before, 'after', e.after)::text, 'UTF8'),
    'sha256');
end;
$$;
comment on function private.audit_event_digest(bytea, public.audit_events) is 'The hash an event must carry given the previous hash.';

-- ── writing ──────────────────────────────────────────────────────────────────
create function private.audit(
  action text,
  organization_id uuid default null,
  target_type text default null,
  target_id text default null,
  details jsonb default '{}'::jsonb,
  outcome text default 'success'
)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  headers jsonb := coalesce(nullif(current_setting('request.headers', true), '')::jsonb, '{}'::jsonb);
  actor uuid := case when claims is null then null else private.caller_id() end;
  event public.audit_events;
begin
  -- Lock the chain head before taking an id: appends serialise, so ids follow chain order.
  select c.last_hash into event.prev_hash from private.audit_chain c for update;
  event.id := nextval('public.audit_events_id_seq'::regclass);
  event.occurred_at := pg_catalog.clock_timestamp();
  event.actor_id := actor;
  event.actor_type := case
    when claims ->> 'role' = 'service_role' then 'service'
    when claims ? 'pat_id' then 'token'
    when actor is not null then 'user'
    else 'system' end;
  event.action := action;
  event.outcome := outcome;
  event.organization_id := organization_id;
  event.target_type := target_type;
  event.target_id := target_id;
  event.before := details -> 'before';
  event.after := details -> 'after';
  event.details := coalesce(details, '{}'::jsonb) - 'before' - 'after'
                   || case when claims ? 'pat_id' then jsonb_build_object('token_id', claims ->> 'pat_id') else '{}'::jsonb end;
  event.request_id := left(headers ->> 'x-debug-id', 100);
  event.user_agent := left(headers ->> 'user-agent', 500);
  if headers ? 'x-forwarded-for' or headers ? 'x-real-ip' then
    begin
      event.ip := btrim(split_part(coalesce(headers ->> 'x-forwarded-for', headers ->> 'x-real-ip'), ',', 1))::inet;
    exception when others then
      event.ip := null; -- a malformed header never blocks the change it records
    end;
  end if;
  event.hash := private.audit_event_digest(event.prev_hash, event);
  update private.audit_chain set last_id = event.id, last_hash = event.hash;
  insert into public.audit_events overriding system value select event.*;
end;
$$;
comment on function private.audit(text, uuid, text, text, jsonb, text) is
  'Appends one hash-chained event for the current caller and request, in the caller''s transaction. Definer: clients have no INSERT on audit_events and no access to the chain head.';

-- ── append-only ──────────────────────────────────────────────────────────────
create function private.audit_events_immutable()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_setting('tenantry.audit_retention', true) = 'on' and tg_op = 'DELETE' then
    return old;
  end if;
  raise exception using errcode = '42501', message = format('audit events are append-only (%s refused)', tg_op);
end;
$$;
comment on function private.audit_events_immutable() is 'Refuses UPDATE, DELETE and TRUNCATE on audit_events, whoever asks (retention excepted).';

create trigger audit_events_no_update before update on public.audit_events
  for each row execute function private.audit_events_immutable();
create trigger audit_events_no_delete before delete on public.audit_events
  for each row execute function private.audit_events_immutable();
create trigger audit_events_no_truncate before truncate on public.audit_events
  for each statement execute function private.audit_events_immutable();

-- ── verifying ────────────────────────────────────────────────────────────────
create function private.verify_audit_chain()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  chain private.audit_chain := (select c from private.audit_chain c);
  bad record;
  checked bigint;
begin
  -- Set-based: each event's prev_hash must equal the previous event's hash (the
  -- checkpoint's for the first), and its hash must be recomputable from its content.
  select x.id, x.reason into bad
  from (
    select e.id,
           case
             when e.prev_hash is distinct from coalesce(lag(e.hash) over w, chain.checkpoint_hash) then 'link'
             when e.hash is distinct from private.audit_event_digest(e.prev_hash, e) then 'content'
           end as reason
    from public.audit_events e
    where e.id > coalesce(chain.checkpoint_id, 0)
    window w as (order by e.id)
  ) as x
  where x.reason is not null
  order by x.id
  limit 1;
  if bad.id is not null then
    return jsonb_build_object('ok', false, 'first_bad_event_id', bad.id, 'reason',
      case bad.reason when 'link' then 'does not follow the previous event (an event before it was changed, removed or reordered)'
                      else 'its content does not match its hash (the event was changed)' end);
  end if;
  select count(*) into checked from public.audit_events e where e.id > coalesce(chain.checkpoint_id, 0);
  if checked > 0 and (select e.hash from public.audit_events e order by e.id desc limit 1) is distinct from chain.last_hash then
    return jsonb_build_object('ok', false, 'first_bad_event_id', chain.last_id, 'reason', 'the newest events were removed');
  end if;
  return jsonb_build_object('ok', true, 'events_checked', checked, 'checkpoint_id', chain.checkpoint_id);
end;
$$;
comment on function private.verify_audit_chain() is
  'Checks the whole chain from the retention checkpoint: {"ok": true} or the first bad event and why. Definer: reads the chain head.';

create function public.verify_audit_chain()
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  if not private.has_platform_permission('audit:read') then
    raise exception using errcode = '42501', message = 'verifying the audit chain needs audit:read';
  end if;
  return private.verify_audit_chain();
end;
$$;
comment on function public.verify_audit_chain() is 'RPC: verify the audit hash chain (platform audit:read).';

-- ── retention ────────────────────────────────────────────────────────────────
create table private.audit_archive (like public.audit_events including defaults);
comment on table private.audit_archive is 'Events removed from the live log by retention, kept verbatim when archiving was asked for.';
alter table private.audit_archive add primary key (id);

create function private.apply_audit_retention(older_than interval, archive boolean default true)
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
  if auth.role() is not null then
    raise exception using errcode = '42501', message = 'audit retention is an operator task (direct SQL), not an API call';
  end if;
  perform 1 from private.audit_chain for update;
  select e.id, e.hash into cutoff, cutoff_hash from public.audit_events e
  where e.occurred_at < pg_catalog.now() - older_than order by e.id desc limit 1;
  if cutoff is null then
    return jsonb_build_object('removed', 0);
  end if;
  if archive then
    insert into private.audit_archive select * from public.audit_events e where e.id <= cutoff on conflict do nothing;
  end if;
  perform pg_catalog.set_config('tenantry.audit_retention', 'on', true);
  delete from public.audit_events e where e.id <= cutoff;
  get diagnostics removed = row_count;
  perform pg_catalog.set_config('tenantry.audit_retention', 'off', true);
  -- Verification now starts after the last removed event, trusting its hash.
  update private.audit_chain set checkpoint_id = cutoff, checkpoint_hash = cutoff_hash;
  perform private.audit('audit.retention', null, 'audit_events', cutoff::text,
    jsonb_build_object('removed', removed, 'archived', archive, 'checkpoint_id', cutoff));
  return jsonb_build_object('removed', removed, 'archived', archive, 'checkpoint_id', cutoff);
end;
$$;
comment on function private.apply_audit_retention(interval, boolean) is
  'Archives (or deletes) events older than the interval and moves the verification checkpoint past them. Operators only. Definer: deletes events nobody else may.';

-- ── reading ──────────────────────────────────────────────────────────────────
create function public.list_audit_events(
  actor_id uuid default null,
  action text default null,
  organization_id uuid default null,
  target_type text default null,
  target_id text default null,
  since timestamptz default null,
  until timestamptz default null,
  cursor bigint default null,
  page_size integer default 50
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
  events jsonb;
  last_id bigint;
begin
  if page_size not between 1 and 500 then
    raise exception using errcode = '22023', message = 'page_size must be between 1 and 500';
  end if;
  -- Runs as the caller: RLS shows only events they may read (audit:read).
  select coalesce(jsonb_agg(to_jsonb(x) - 'prev_hash' - 'hash' || jsonb_build_object('hash', encode(x.hash, 'hex')) order by x.id desc), '[]'::jsonb),
         min(x.id)
  into events, last_id
  from (
    select e.* from public.audit_events e
    where (list_audit_events.actor_id is null or e.actor_id = list_audit_events.actor_id)
      and (list_audit_events.action is null or e.action = list_audit_events.action)
      and (list_audit_events.organization_id is null or e.organization_id = list_audit_events.organization_id)
      and (list_audit_events.target_type is null or e.target_type = list_audit_events.target_type)
      and (list_audit_events.target_id is null or e.target_id = list_audit_events.target_id)
      and (since is null or e.occurred_at >= since)
      and (until is null or e.occurred_at < until)
      and (cursor is null or e.id < cursor)
    order by e.id desc
    limit page_size
  ) as x;
  return jsonb_build_object('events', events,
    'next_cursor', case when jsonb_array_length(events) = page_size then last_id end);
end;
$$;
comment on function public.list_audit_events(uuid, text, uuid, text, text, timestamptz, timestamptz, bigint, integer) is
  'RPC: audit events you may read, newest first, filtered; pass next_cursor back for the next page.';


grant execute on function private.verify_audit_chain() to authenticated, service_role;
call private.grant_rpc('public.verify_audit_chain()',
  'public.list_audit_events(uuid, text, uuid, text, text, timestamptz, timestamptz, bigint, integer)');

revoke execute on all functions in schema private from public;
