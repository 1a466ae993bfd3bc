-- Audit trail, minimal form (SPEC F13 later adds the hash chain, request context and
-- retention). Every privileged change and every denied privileged action writes one
-- event through private.audit(), in the same transaction.

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
  details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object')
);
comment on table public.audit_events is
  'Append-only record of privileged changes and denied privileged actions. Written only by private.audit().';
comment on column public.audit_events.actor_type is 'user (a signed-in user), token (a personal access token), service (secret key), system (triggers, migrations).';
comment on column public.audit_events.outcome is 'success for a change that happened, denied for a privileged action refused by a permission check.';

create index audit_events_organization_idx on public.audit_events (organization_id, occurred_at desc);
create index audit_events_actor_idx on public.audit_events (actor_id, occurred_at desc);

alter table public.audit_events enable row level security;
revoke all on public.audit_events from anon, authenticated, service_role;
grant select on public.audit_events to authenticated, service_role;
