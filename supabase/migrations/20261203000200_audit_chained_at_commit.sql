-- ════════════════════════════════════════════════════════════════════════════
-- Audit events are chained at commit (issue 13; SPEC F13).
--
-- Every audited write used to lock the chain head (private.audit_chain) when it wrote
-- its event and keep it until its transaction committed, so all audited work in the
-- product queued behind one lock for the whole of each transaction: a signup holding
-- 5 ms of other work allowed about one signup per 5 ms, on any number of cores.
--
-- Now private.audit composes the event (actor, request, details) where it happens and
-- queues it in private.audit_pending; a deferred constraint trigger chains the queued
-- events when the transaction commits: it locks the head, takes the id, stamps the time,
-- computes the hashes and writes the event. The head is locked only from there to the
-- end of the commit, so transactions overlap in everything else. What the chain
-- guarantees is unchanged: events are in the chain in id order, ids follow commit order
-- (the seal draws the id under the head lock held to commit, which the metrics rollup's
-- watermark in 20261202000520_metrics.sql relies on),
-- every committed event is chained in its own transaction (nothing is ever unsealed
-- after commit, so there is no sealing delay), a rolled-back transaction leaves no
-- event, and verify_audit_chain still names the first tampered event.
--
-- Inside the writing transaction the event is not in audit_events until commit (or
-- until `set constraints private.audit_pending_seal immediate`, which the pgTAP helpers
-- use so that tests inside one rolled-back transaction see their events; REPEATABLE READ
-- and SERIALIZABLE transactions chain at once). The head stays locked from the seal to
-- the end of the commit, including its WAL flush: audited commits queue for that long.
-- ════════════════════════════════════════════════════════════════════════════

-- jsonb rather than the audit_events row type: a column of a table's row type would
-- block later ALTER TABLEs of audit_events.
create unlogged table private.audit_pending (
  position bigint generated always as identity primary key,
  event jsonb not null
);
comment on table private.audit_pending is
  'Audit events of transactions still running, in the order they happened, without id, time or hashes: private.seal_audit_event chains and moves each one at commit. Empty outside a transaction (unlogged: a crash loses only transactions that never committed).';
revoke all on private.audit_pending from public, anon, authenticated, service_role;

create function private.seal_audit_event()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  event public.audit_events := jsonb_populate_record(null::public.audit_events, new.event);
begin
  -- Lock the chain head before taking an id: seals serialise, so ids follow chain order.
  select c.last_hash into event.prev_hash from private.audit_chain c for update;
  event.id := nextval('public.audit_events_id_seq'::regclass);
  event.occurred_at := pg_catalog.clock_timestamp();
  event.hash := private.audit_event_digest(event.prev_hash, event);
  update private.audit_chain set last_id = event.id, last_hash = event.hash;
  insert into public.audit_events overriding system value select event.*;
  delete from private.audit_pending p where p.position = new.position;
  return null;
end;
$$;
comment on function private.seal_audit_event() is
  'Deferred constraint trigger on audit_pending: at commit, appends the queued event to the hash chain (id, occurred_at = when it is chained, prev_hash, hash) and removes it from the queue. Definer: clients have no INSERT on audit_events and no access to the chain head.';

create constraint trigger audit_pending_seal after insert on private.audit_pending
  deferrable initially deferred
  for each row execute function private.seal_audit_event();
-- Also in replica mode (seeds, data-only restores): an event is never left in the queue.
alter table private.audit_pending enable always trigger audit_pending_seal;

comment on column public.audit_events.occurred_at is
  'When the event was chained: its transaction''s commit (ids and times follow commit order).';

-- The event's text includes occurred_at, and timestamptz prints in the session's time
-- zone: hashing in UTC makes an event verify the same from every session (it did only
-- from sessions in the zone it was written in). Events written in UTC hash as before
-- (Supabase's and the local stack's databases run in UTC); an event an operator wrote
-- from a session in another zone now fails verification everywhere rather than almost
-- everywhere: verify_audit_chain names it.
create or replace function private.audit_event_digest(prev_hash bytea, e public.audit_events)
returns bytea
language plpgsql
immutable
set search_path = ''
set timezone = 'UTC'
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
comment on function private.audit_event_digest(bytea, public.audit_events) is
  'The hash an event must carry given the previous hash (computed in UTC, whatever the session''s time zone).';

-- ── writing ──────────────────────────────────────────────────────────────────
create or replace function private.audit(
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
  token_id uuid := case when claims ? 'pat_id' then private.caller_token_id() end;
  forwarded text[];
  extra jsonb := '{}'::jsonb;
  denial_key text;
  denial_count integer;
  event public.audit_events;
begin
  if headers ? 'x-forwarded-for' then
    forwarded := array(select btrim(x) from unnest(string_to_array(headers ->> 'x-forwarded-for', ',')) as x where btrim(x) <> '');
  end if;
  begin
    -- The platform's proxy appends the address it saw: the last entry, not the first.
    event.ip := coalesce(forwarded[cardinality(forwarded)], btrim(headers ->> 'x-real-ip'))::inet;
  exception when others then
    event.ip := null; -- a malformed header never blocks the change it records
  end;
  if cardinality(forwarded) > 1 then
    extra := extra || jsonb_build_object('forwarded_for', to_jsonb(forwarded[1:cardinality(forwarded) - 1]));
  end if;
  if token_id is not null then
    extra := extra || jsonb_build_object('token_id', token_id);
  end if;
  if actor is null and claims ? 'sub' then
    extra := extra || jsonb_build_object('claimed', jsonb_build_object('sub', left(claims ->> 'sub', 512), 'iss', left(claims ->> 'iss', 512)));
  end if;
  event.actor_type := case
    when claims ->> 'role' = 'service_role' then 'service'
    when token_id is not null then 'token'
    when actor is not null then 'user'
    when claims is null and pg_catalog.pg_trigger_depth() = 0 and private.is_operator() then 'operator'
    else 'system' end;
  if event.actor_type = 'operator' then
    extra := extra || jsonb_build_object('db_user', session_user::text);
  end if;

  if outcome = 'denied' then
    -- Callers nobody knows share one bucket per issuer: minting fresh subjects buys no room.
    denial_key := coalesce(actor::text, 'unknown|' || (claims ->> 'iss'), host(event.ip), event.actor_type);
    insert into private.denial_counters as c (actor_key, window_start, denials)
    values (denial_key, date_trunc('minute', pg_catalog.now()), 1)
    on conflict (actor_key, window_start) do update set denials = c.denials + 1
    returning c.denials into denial_count;
    if denial_count = 1 then
      delete from private.denial_counters c where c.window_start < pg_catalog.now() - interval '1 hour';
    end if;
    if denial_count > (select s.audit_denials_per_minute from private.settings s) then
      return;  -- counted, not logged
    elsif denial_count = (select s.audit_denials_per_minute from private.settings s) then
      extra := extra || jsonb_build_object('rate_limited', true);
    end if;
  end if;

  event.actor_id := actor;
  event.action := action;
  event.outcome := outcome;
  event.organization_id := organization_id;
  event.target_type := target_type;
  event.target_id := target_id;
  event.before := details -> 'before';
  event.after := details -> 'after';
  event.details := coalesce(details, '{}'::jsonb) - 'before' - 'after' || extra;
  event.request_id := left(headers ->> 'x-debug-id', 100);
  event.user_agent := left(headers ->> 'user-agent', 500);
  -- Chained when the transaction commits (private.seal_audit_event): id, time and hashes.
  -- Under REPEATABLE READ or SERIALIZABLE the head read at commit would conflict with
  -- every audited commit since the snapshot: such transactions chain at once, as before.
  if pg_catalog.current_setting('transaction_isolation') not in ('read committed', 'read uncommitted') then
    set constraints private.audit_pending_seal immediate;
  end if;
  insert into private.audit_pending (event) values (to_jsonb(event));
end;
$$;
comment on function private.audit(text, uuid, text, text, jsonb, text) is
  'Records one event for the current caller and request, chained when the caller''s transaction commits (private.seal_audit_event); denials beyond the per-actor limit are counted instead. Definer: clients have no access to the audit queue, the events'' table or the chain head.';

revoke execute on all functions in schema private from public;
