-- The RPC gate (issue 10, items 2, 6 and 20; SPEC principle 8, F10): every public RPC
-- has a contract, and every public RPC passes the same gate before its work starts.
--
--   contract  which audit action a refusal is recorded as, which scope a personal
--             access token needs, who may call (a caller with an active profile, or
--             any verified identity for provisioning), and whether an operator's SQL
--             session or the secret key may call it.
--   gate      refuses, through private.deny, a caller with no active profile (anonymous
--             claims, unprovisioned, deleted, disabled, a token of an unregistered or
--             disabled issuer), and a token without the scope; then the RPC runs.
--
-- How every RPC refuses (one behaviour, whoever calls):
--   * a caller with JWT claims (supabase-js through the Data API, the edge functions)
--     gets {"error": {"code": "forbidden", "message": ...}} with HTTP status 403, and
--     the refusal is audited (the transaction commits; nothing else changed);
--   * a plain SQL session (no JWT claims: the SQL editor, psql, a migration) gets an
--     exception, SQLSTATE 42501: nothing is half-done and the session sees an error.
--     The operator's session (private.is_operator) holds every permission, so it is
--     refused only by RPCs that act as a signed-in user (e.g. create_organization).
--   * anon never reaches an RPC: EXECUTE is not granted to it (PostgreSQL answers 42501
--     before any of Tenantry's code runs, so there is nothing to audit).
--   Bad input raises 22023 (HTTP 400), a missing object P0002 (404), a conflict 23505
--   or 55000 (409), a quota PT403 (403), in every case.

-- ── refusing ─────────────────────────────────────────────────────────────────
create or replace function private.deny(action text, message text, organization_id uuid default null, target_type text default null, target_id text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if auth.jwt() is null then
    -- A plain SQL session: no API caller to answer, so fail the statement.
    raise exception using errcode = '42501', message = message, detail = format('refused: %s', action);
  end if;
  if pg_catalog.current_setting('transaction_read_only') = 'on' then
    -- A read-only request (PostgREST runs GET that way) cannot record the denial: refuse
    -- with the error PostgREST answers 403, and let the client use POST, as supabase-js does.
    raise exception using errcode = '42501', message = message,
      hint = 'call RPCs with POST: a read-only (GET) request cannot record the refusal in the audit log';
  end if;
  -- Returned, not raised: raising would roll the denial's audit event back with it.
  perform private.audit(action, organization_id, target_type, target_id, jsonb_build_object('reason', message), 'denied');
  -- PostgREST answers with this status (supabase-js then reports an error).
  perform pg_catalog.set_config('response.status', '403', true);
  return jsonb_build_object('error', jsonb_build_object('code', 'forbidden', 'message', message));
end;
$$;
comment on function private.deny(text, text, uuid, text, text) is
  'The one way an RPC refuses: audits and returns the 403 error body to API callers; raises 42501 in a plain SQL session. Definer: writes audit_events.';

-- ── contracts ────────────────────────────────────────────────────────────────
create table private.rpc_contracts (
  rpc text primary key,
  action text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
  scope text references public.permissions (name),
  caller text not null default 'profile' check (caller in ('profile', 'identity')),
  operator boolean not null default true,
  mutating boolean not null default true
);
comment on table private.rpc_contracts is
  'One row per public RPC: the audit action of a refusal, the token scope it needs (null: any credential), who may call (profile: an active profile; identity: any verified identity, for provisioning), whether the operator''s SQL session and the secret key may call it, and whether it changes data.';

insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('accept_invitation', 'invitation.accept', 'orgs:join', 'profile', false, true),
  ('add_member', 'membership.add', 'members:manage', 'profile', true, true),
  ('change_member_role', 'membership.change_role', 'members:manage', 'profile', true, true),
  ('clear_role_overrides', 'role_overrides.clear', 'users:admin', 'profile', true, true),
  ('create_invitation', 'invitation.create', 'members:manage', 'profile', true, true),
  ('create_organization', 'organization.create', 'orgs:create', 'profile', false, true),
  ('create_personal_access_token', 'token.create', 'tokens:manage', 'profile', false, true),
  ('delete_organization', 'organization.delete', 'org:delete', 'profile', true, true),
  ('ensure_default_organization', 'organization.ensure_default', 'users:admin', 'profile', true, true),
  ('ensure_default_organization_membership', 'organization.backfill_default', 'users:admin', 'profile', true, true),
  ('ensure_provisioned', 'user.ensure_provisioned', 'profile:write', 'identity', false, true),
  ('get_role_overrides', 'role_overrides.read', 'users:admin', 'profile', true, false),
  ('grant_platform_role', 'platform_role.grant', 'users:admin', 'profile', true, true),
  ('leave_organization', 'membership.leave', 'orgs:join', 'profile', false, true),
  ('list_audit_events', 'audit.read', 'audit:read', 'profile', true, false),
  ('list_personal_access_tokens', 'token.list', 'tokens:read', 'profile', false, false),
  ('me', 'user.read_self', null, 'identity', false, false),
  ('protect_table', 'rls.protect_table', 'rls:manage', 'profile', true, true),
  ('quota_usage', 'quota.read', null, 'profile', false, false),
  ('remove_member', 'membership.remove', 'members:manage', 'profile', true, true),
  ('resolve_flags', 'flag.read', null, 'profile', false, false),
  ('revoke_invitation', 'invitation.revoke', 'members:manage', 'profile', true, true),
  ('revoke_personal_access_token', 'token.revoke', 'tokens:manage', 'profile', true, true),
  ('revoke_platform_role', 'platform_role.revoke', 'users:admin', 'profile', true, true),
  ('set_flag_default', 'flag.set', 'flags:manage', 'profile', true, true),
  ('set_organization_flag', 'flag.set', 'flags:manage', 'profile', true, true),
  ('set_plan_flag', 'flag.set', 'flags:manage', 'profile', true, true),
  ('set_role_overrides', 'role_overrides.set', 'users:admin', 'profile', true, true),
  ('set_user_flag', 'flag.set', 'flags:manage', 'profile', true, true),
  ('transfer_ownership', 'organization.transfer_ownership', 'members:manage', 'profile', false, true),
  ('update_organization', 'organization.update', 'org:update', 'profile', true, true),
  ('verify_audit_chain', 'audit.verify', 'audit:read', 'profile', true, false);

-- ── why a caller is nobody ───────────────────────────────────────────────────
create function private.caller_problem(need text)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  subject text := claims ->> 'sub';
  issuer text := claims ->> 'iss';
  provider_enabled boolean;
begin
  -- Who the caller is is caller_id's rule alone; this only says why it found nobody.
  if private.caller_id() is not null then
    return null;
  end if;
  if subject is null then
    return 'sign in first: this request carries no user';
  end if;
  select i.enabled into provider_enabled from private.identity_providers i where i.issuer = claims ->> 'iss';
  if provider_enabled is not null then
    if not provider_enabled then
      return format('identity provider "%s" is disabled', issuer);
    elsif exists (select 1 from public.profiles p where p.identity_provider = issuer and p.identity_sub = subject and p.auth_user_id is null) then
      return 'this account is disabled';
    elsif need = 'identity' then
      return null;  -- a third-party user before provisioning: ensure_provisioned provisions
    end if;
    return 'no profile for this user yet: call ensure_provisioned (or GET /functions/v1/me) first';
  elsif private.is_supabase_issuer(issuer) and subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    if exists (select 1 from public.profiles p where p.auth_user_id = subject::uuid) then
      return 'this account is disabled';
    elsif need = 'identity' and exists (select 1 from auth.users u where u.id = subject::uuid) then
      return null;  -- a Supabase user whose provisioning never completed: ensure_provisioned repairs
    end if;
    return 'no account for this user: it was deleted or never provisioned';
  end if;
  return format('token issuer "%s" is neither this project''s Supabase Auth (private.settings.auth_issuers) nor a registered identity provider', coalesce(issuer, ''));
end;
$$;
comment on function private.caller_problem(text) is
  'Why the caller cannot call an RPC that needs an active profile (need = profile) or a verified identity (need = identity), or null. Definer: reads profiles, providers and auth.users.';

-- ── the gate ─────────────────────────────────────────────────────────────────
create function private.gate(rpc text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  contract private.rpc_contracts;
  problem text;
begin
  select * into contract from private.rpc_contracts c where c.rpc = gate.rpc;
  if contract is null then
    -- Fail closed: an RPC without a contract is a bug (the tests catch it first).
    raise exception using errcode = '42501', message = format('RPC %s has no contract', rpc);
  end if;
  if private.is_operator() or auth.role() = 'service_role' then
    if contract.operator then
      return null;
    end if;
    return private.deny(contract.action, format('%s acts as a signed-in user; the operator and the secret key are none (call it with a user''s token)', rpc),
                        null, 'rpc', rpc);
  end if;
  problem := private.caller_problem(contract.caller);
  if problem is not null then
    return private.deny(contract.action, problem, null, 'rpc', rpc);
  end if;
  if contract.scope is not null and not private.token_allows(contract.scope) then
    return private.deny(contract.action, format('this personal access token lacks the %s scope', contract.scope), null, 'rpc', rpc);
  end if;
  return null;
end;
$$;
comment on function private.gate(text) is
  'Runs before every public RPC: null to go on, or the refusal (see private.deny) for a caller with no active profile, a token without the contract''s scope, or the operator on an RPC that acts as a user. Definer: reads contracts and writes denials.';

-- ── RPCs whose refusals were not denials ─────────────────────────────────────
drop function public.ensure_default_organization_membership();
drop function private.ensure_default_organization_membership();
create function private.ensure_default_organization_membership()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  default_org uuid := (select s.default_organization_id from private.settings s);
  added integer;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('organization.backfill_default', 'you may not backfill the default organization');
  end if;
  if default_org is null then
    raise exception using errcode = '55000', message = 'there is no default organization; call ensure_default_organization first';
  end if;
  insert into public.memberships (organization_id, user_id, role)
  select default_org, p.id, 'member' from public.profiles p
  on conflict do nothing;
  get diagnostics added = row_count;
  perform private.audit('organization.backfill_default', default_org, 'organization', default_org::text, jsonb_build_object('added', added));
  return jsonb_build_object('organization_id', default_org, 'added', added);
end;
$$;
comment on function private.ensure_default_organization_membership() is
  'Adds every user who is not yet a member to the default organization (users:admin); returns {organization_id, added}. Definer: inserts memberships.';

create or replace function private.ensure_default_organization(name text, slug text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  org public.organizations;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('organization.ensure_default', 'you may not manage the default organization');
  end if;
  select * into org from public.organizations o where o.is_default;
  if org is null then
    insert into public.organizations (slug, name, is_default)
    values (private.valid_slug(coalesce(slug, name)), private.valid_org_name(name), true)
    on conflict (is_default) where is_default do nothing
    returning * into org;
    select * into org from public.organizations o where o.is_default;
    perform private.audit('organization.ensure_default', org.id, 'organization', org.id::text, jsonb_build_object('slug', org.slug));
  end if;
  update private.settings s set default_organization_id = org.id where s.default_organization_id is distinct from org.id;
  return to_jsonb(org);
end;
$$;

create function private.caller_flags(organization_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if organization_id is not null and not private.has_permission('org:read', organization_id) then
    return private.deny('flag.read', 'you may not read this organization''s flags', organization_id, 'organization', organization_id::text);
  end if;
  return private.resolve_flags(private.caller_id(), organization_id);
end;
$$;
comment on function private.caller_flags(uuid) is 'The caller''s flags, optionally in an organization they may read. Definer: see resolve_flags.';

create function private.caller_audit_events(
  actor_id uuid, action text, organization_id uuid, target_type text, target_id text,
  since timestamptz, until timestamptz, cursor bigint, page_size integer)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  platform_reader boolean := private.has_platform_permission('audit:read');
  readable uuid[] := private.caller_org_ids('audit:read');
  events jsonb;
  last_id bigint;
begin
  if page_size is null or page_size not between 1 and 500 then
    raise exception using errcode = '22023', message = 'page_size must be between 1 and 500';
  end if;
  if not platform_reader and cardinality(readable) = 0 then
    return private.deny('audit.read', 'you may not read audit events (audit:read)');
  end if;
  if organization_id is not null and not platform_reader and not organization_id = any (readable) then
    return private.deny('audit.read', 'you may not read this organization''s audit events', organization_id, 'organization', organization_id::text);
  end if;
  select coalesce(jsonb_agg(to_jsonb(x) - 'prev_hash' - 'hash' || jsonb_build_object('hash', encode(x.hash, 'hex')) order by x.id desc), '[]'::jsonb),
         min(x.id)
  into events, last_id
  from (
    -- The audit_events policy's rule, applied here (definer: it writes the refusal above).
    select e.* from public.audit_events e
    where (platform_reader or e.organization_id = any (readable))
      and (caller_audit_events.actor_id is null or e.actor_id = caller_audit_events.actor_id)
      and (caller_audit_events.action is null or e.action = caller_audit_events.action)
      and (caller_audit_events.organization_id is null or e.organization_id = caller_audit_events.organization_id)
      and (caller_audit_events.target_type is null or e.target_type = caller_audit_events.target_type)
      and (caller_audit_events.target_id is null or e.target_id = caller_audit_events.target_id)
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
comment on function private.caller_audit_events(uuid, text, uuid, text, text, timestamptz, timestamptz, bigint, integer) is
  'Audit events the caller may read (audit:read per organization or platform-wide), newest first, filtered; a caller with audit:read nowhere, or asking for an organization without it, is refused. Definer: refuses through private.deny.';

create function private.caller_verify_audit_chain(expected_head_id bigint, expected_head_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.has_platform_permission('audit:read') then
    return private.deny('audit.verify', 'verifying the audit chain needs platform audit:read');
  end if;
  return private.verify_audit_chain(expected_head_id, expected_head_hash);
end;
$$;
comment on function private.caller_verify_audit_chain(bigint, text) is 'verify_audit_chain for callers with platform audit:read. Definer: see verify_audit_chain.';

-- ── every public RPC: the gate, then the work ────────────────────────────────
create or replace function public.accept_invitation(token text)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('accept_invitation'), private.accept_invitation(token)) $$;
create or replace function public.add_member(organization_id uuid, user_id uuid default null, email text default null, role text default 'member')
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('add_member'), private.add_member(organization_id, user_id, email, role)) $$;
create or replace function public.change_member_role(organization_id uuid, user_id uuid, role text)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('change_member_role'), private.change_member_role(organization_id, user_id, role)) $$;
create or replace function public.clear_role_overrides(user_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('clear_role_overrides'), private.clear_role_overrides(user_id)) $$;
create or replace function public.create_invitation(organization_id uuid, email text, role text default 'member')
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('create_invitation'), private.create_invitation(organization_id, email, role)) $$;
create or replace function public.create_organization(name text, slug text default null, description text default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('create_organization'), private.create_organization(name, slug, description)) $$;
create or replace function public.create_personal_access_token(name text, scopes text[], expires_in_days integer)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('create_personal_access_token'), private.create_token(name, scopes, make_interval(days => expires_in_days))) $$;
create or replace function public.delete_organization(organization_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('delete_organization'), private.delete_organization(organization_id)) $$;
create or replace function public.ensure_default_organization(name text default 'Default', slug text default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('ensure_default_organization'), private.ensure_default_organization(name, slug)) $$;
create function public.ensure_default_organization_membership()
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('ensure_default_organization_membership'), private.ensure_default_organization_membership()) $$;
create or replace function public.ensure_provisioned()
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('ensure_provisioned'), private.ensure_provisioned()) $$;
create or replace function public.get_role_overrides(user_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('get_role_overrides'), private.get_role_overrides(user_id)) $$;
create or replace function public.grant_platform_role(user_id uuid, role text)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('grant_platform_role'), private.grant_platform_role(user_id, role)) $$;
create or replace function public.leave_organization(organization_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('leave_organization'), private.remove_member(organization_id, private.caller_id())) $$;
create or replace function public.list_audit_events(
  actor_id uuid default null, action text default null, organization_id uuid default null, target_type text default null,
  target_id text default null, since timestamptz default null, until timestamptz default null, cursor bigint default null,
  page_size integer default 50)
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('list_audit_events'),
                      private.caller_audit_events(actor_id, action, organization_id, target_type, target_id, since, until, cursor, page_size)) $$;
create function public.list_personal_access_tokens()
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('list_personal_access_tokens'), private.list_tokens()) $$;
create or replace function public.me()
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('me'), private.me()) $$;
create or replace function public.protect_table(target regclass, scope text default 'org', column_name text default null,
  read_permission text default 'data:read', write_permission text default 'data:write')
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('protect_table'), private.protect_table(target, scope, column_name, read_permission, write_permission)) $$;
create or replace function public.quota_usage(organization_id uuid default null)
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('quota_usage'), private.quota_usage(organization_id)) $$;
create or replace function public.remove_member(organization_id uuid, user_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('remove_member'), private.remove_member(organization_id, user_id)) $$;
drop function public.resolve_flags(uuid);
create function public.resolve_flags(organization_id uuid default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('resolve_flags'), private.caller_flags(organization_id)) $$;
create or replace function public.revoke_invitation(invitation_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('revoke_invitation'), private.revoke_invitation(invitation_id)) $$;
create or replace function public.revoke_personal_access_token(token_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('revoke_personal_access_token'), private.revoke_token(token_id)) $$;
create or replace function public.revoke_platform_role(user_id uuid, role text)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('revoke_platform_role'), private.revoke_platform_role(user_id, role)) $$;
create or replace function public.set_flag_default(key text, default_value jsonb, description text default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('set_flag_default'), private.set_feature_flag('global', key, default_value, null, description)) $$;
create or replace function public.set_organization_flag(organization_id uuid, key text, value jsonb)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('set_organization_flag'), private.set_feature_flag('organization', key, value, organization_id::text, null)) $$;
create or replace function public.set_plan_flag(plan text, key text, value jsonb)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('set_plan_flag'), private.set_feature_flag('plan', key, value, plan, null)) $$;
create or replace function public.set_role_overrides(user_id uuid, paused boolean default false, preserved text[] default '{}', suppressed text[] default '{}')
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('set_role_overrides'), private.set_role_overrides(user_id, paused, preserved, suppressed)) $$;
create or replace function public.set_user_flag(user_id uuid, key text, value jsonb)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('set_user_flag'), private.set_feature_flag('user', key, value, user_id::text, null)) $$;
create or replace function public.transfer_ownership(organization_id uuid, new_owner_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('transfer_ownership'), private.transfer_ownership(organization_id, new_owner_id)) $$;
create or replace function public.update_organization(organization_id uuid, name text default null, slug text default null, description text default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('update_organization'), private.update_organization(organization_id, name, slug, description)) $$;
create function public.verify_audit_chain(expected_head_id bigint default null, expected_head_hash text default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('verify_audit_chain'), private.caller_verify_audit_chain(expected_head_id, expected_head_hash)) $$;

comment on function public.ensure_default_organization_membership() is 'RPC: add every user to the default organization (users:admin); returns {organization_id, added}.';
comment on function public.list_audit_events(uuid, text, uuid, text, text, timestamptz, timestamptz, bigint, integer) is
  'RPC: audit events you may read (audit:read), newest first, filtered; pass next_cursor back for the next page.';
comment on function public.list_personal_access_tokens() is 'RPC: your active personal access tokens (name, prefix, scopes, created, last used, expiry), newest first.';
comment on function public.me() is 'RPC: your profile, organizations (with role and permissions), platform roles and permissions, account permissions and flags; under a token only what it can use; null before provisioning.';
comment on function public.quota_usage(uuid) is 'RPC: limits and usage for you (orgs, tokens) and optionally an organization (members, projects); max null = unlimited.';
comment on function public.resolve_flags(uuid) is 'RPC: your flags, optionally in one of your organizations (user > organization > plan > global).';
comment on function public.verify_audit_chain(bigint, text) is
  'RPC: verify the audit hash chain (platform audit:read); pass a head exported earlier (id, hash) to detect removal of the newest events.';

-- ── grants ───────────────────────────────────────────────────────────────────
grant execute on function private.gate(text), private.caller_problem(text), private.caller_flags(uuid),
  private.caller_audit_events(uuid, text, uuid, text, text, timestamptz, timestamptz, bigint, integer),
  private.caller_verify_audit_chain(bigint, text), private.ensure_default_organization_membership()
  to authenticated, service_role;
call private.grant_rpc('public.ensure_default_organization_membership()', 'public.list_personal_access_tokens()',
  'public.resolve_flags(uuid)', 'public.verify_audit_chain(bigint, text)');

revoke execute on all functions in schema private from public;
