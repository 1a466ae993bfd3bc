-- Who the caller is and what they may do (SPEC F5, F6). Every policy and RPC asks
-- these helpers; they are SECURITY DEFINER so they can read memberships and roles
-- without recursing into those tables' own policies, and return arrays so policies
-- use the index-friendly `col = any((select private.helper()))` shape, evaluated
-- once per statement.

-- ── third-party issuers ──────────────────────────────────────────────────────
create table private.identity_providers (
  issuer text primary key check (issuer ~ '^https?://'),
  name text not null,
  created_at timestamptz not null default now()
);
comment on table private.identity_providers is
  'Third-party token issuers (Clerk, Frontegg, OIDC) whose users Tenantry provisions. A token from one of these is never taken for a Supabase Auth user, even if its subject looks like one.';

-- ── the caller ───────────────────────────────────────────────────────────────
-- PL/pgSQL rather than SQL: these run inside every policy check, and PL/pgSQL keeps
-- their query plans for the session where a non-inlined SQL function re-plans per call.
create function private.caller_id()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  subject text := claims ->> 'sub';
  token_issuer text := claims ->> 'iss';
  result uuid;
begin
  -- The subject is compared as text, so a non-UUID third-party subject never raises (auth.uid() would).
  if subject is null then
    return null;
  end if;
  select p.id into result from public.profiles p
  where p.identity_provider = token_issuer and p.identity_sub = subject and p.auth_user_id is null and p.disabled_at is null;
  if result is null
     and subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     and not exists (select 1 from private.identity_providers i where i.issuer = token_issuer) then
    select p.id into result from public.profiles p
    where p.auth_user_id = subject::uuid and p.disabled_at is null;
  end if;
  return result;
end;
$$;
comment on function private.caller_id() is
  'The profile id of the current caller, or null (anonymous, unknown or disabled). Definer: reads profiles, whose own policies call this.';

create function private.user_platform_permissions(user_id uuid)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select distinct rp.permission
    from public.platform_role_assignments a
    join public.role_permissions rp on rp.scope = 'platform' and rp.role = a.role
    where a.user_id = user_platform_permissions.user_id);
end;
$$;
comment on function private.user_platform_permissions(uuid) is
  'Permissions a user holds through platform roles. Definer: reads assignments regardless of their policies.';

-- A request authenticated by a personal access token carries the token's scopes in its
-- claims (set by the edge functions after private.verify_token); every permission check
-- intersects with them.
create function private.token_scopes()
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
begin
  if claims ? 'pat_scopes' then
    return array(select jsonb_array_elements_text(claims -> 'pat_scopes'));
  end if;
  return null;
end;
$$;
comment on function private.token_scopes() is 'The scopes of the token behind this request, or null when no token is involved.';

create function private.caller_platform_permissions()
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  scopes text[] := private.token_scopes();
begin
  -- The secret key (service_role) is the operator's own credential: it holds everything.
  if auth.role() = 'service_role' then
    return array(select p.name from public.permissions p);
  end if;
  return array(select p from unnest(private.user_platform_permissions(private.caller_id())) as p
               where scopes is null or p = any (scopes));
end;
$$;
comment on function private.caller_platform_permissions() is
  'Permissions the caller holds through platform roles (all of them for service_role), within the scopes of the token used, if any. Definer: see user_platform_permissions.';

create function private.has_platform_permission(permission text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return permission = any (private.caller_platform_permissions());
end;
$$;
comment on function private.has_platform_permission(text) is
  'Whether a platform role (or the service_role key) gives the caller this permission. Definer: see caller_platform_permissions.';

create function private.caller_org_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid;
  scopes text[];
begin
  if auth.role() = 'service_role' then
    return array(select o.id from public.organizations o);
  end if;
  caller := private.caller_id();
  scopes := private.token_scopes();
  if caller is null or (scopes is not null and not permission = any (scopes)) then
    return '{}';
  end if;
  if permission = any (private.user_platform_permissions(caller)) then
    return array(select o.id from public.organizations o);
  end if;
  return array(
    select m.organization_id
    from public.memberships m
    join public.role_permissions rp on rp.scope = 'org' and rp.role = m.role and rp.permission = caller_org_ids.permission
    where m.user_id = caller);
end;
$$;
comment on function private.caller_org_ids(text) is
  'Organizations in which the caller holds the permission (all of them for a platform role that grants it), none when the token used lacks it. Definer: reads memberships without recursing into their policies.';

create function private.caller_co_member_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return array(
    select distinct m.user_id
    from public.memberships m
    where m.organization_id = any (private.caller_org_ids('members:read')));
end;
$$;
comment on function private.caller_co_member_ids() is
  'Users who share an organization where the caller may see members. Definer: reads memberships across those orgs.';

create function private.caller_email()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select lower(p.email) from public.profiles p where p.id = private.caller_id()
$$;
comment on function private.caller_email() is 'The caller''s profile email, lower-cased, for matching invitations. Definer: reads profiles.';

create function private.org_role(organization_id uuid, user_id uuid)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select m.role from public.memberships m
  where m.organization_id = org_role.organization_id and m.user_id = org_role.user_id
$$;
comment on function private.org_role(uuid, uuid) is 'A user''s role in an organization, or null. Definer: used by RPCs that compare ranks.';

create function private.has_permission(permission text, organization_id uuid)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.has_platform_permission(permission)
      or (organization_id is not null and organization_id = any (private.caller_org_ids(permission)));
end;
$$;
comment on function private.has_permission(text, uuid) is 'Platform permission, or the permission through the caller''s role in the organization. Definer: see caller_org_ids.';

-- ── public surface ───────────────────────────────────────────────────────────
create function public.has_permission(permission text, organization_id uuid default null)
returns boolean
language sql
stable
set search_path = ''
as $$
  select private.has_permission(permission, organization_id)
$$;
comment on function public.has_permission(text, uuid) is
  'Whether the current caller holds the permission, globally (platform roles) or in the given organization. Callable over RPC.';

-- ── refusing (audited; private.audit is defined with the audit log) ─────────
create function private.deny(action text, message text, organization_id uuid default null, target_type text default null, target_id text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Returned, not raised: raising would roll the denial's audit event back with it.
  perform private.audit(action, organization_id, target_type, target_id, jsonb_build_object('reason', message), 'denied');
  -- PostgREST answers with this status (supabase-js then reports an error).
  perform pg_catalog.set_config('response.status', '403', true);
  return jsonb_build_object('error', jsonb_build_object('code', 'forbidden', 'message', message));
end;
$$;
comment on function private.deny(text, text, uuid, text, text) is
  'Audits a denied privileged action and returns the 403 error body. Definer: writes audit_events.';

-- ── grants: the API roles evaluate these inside policies and RPCs ────────────
grant usage on schema private to authenticated, service_role;
grant execute on function private.caller_id(), private.user_platform_permissions(uuid), private.token_scopes(), private.caller_platform_permissions(), private.has_platform_permission(text),
  private.caller_org_ids(text), private.caller_co_member_ids(), private.caller_email(), private.has_permission(text, uuid)
  to authenticated, service_role;

-- ── exposing RPC entry points ────────────────────────────────────────────────
create procedure private.grant_rpc(variadic functions regprocedure[])
language plpgsql
set search_path = ''
as $$
declare
  fn regprocedure;
begin
  foreach fn in array functions loop
    execute format('revoke execute on function %s from public, anon', fn);
    execute format('grant execute on function %s to authenticated, service_role', fn);
  end loop;
end;
$$;
comment on procedure private.grant_rpc(regprocedure[]) is
  'Migration helper: makes public RPC functions callable by signed-in users and the service role only (PostgreSQL grants EXECUTE to PUBLIC by default).';

revoke execute on procedure private.grant_rpc(regprocedure[]) from public;

call private.grant_rpc('public.has_permission(text, uuid)');

-- ── policies ─────────────────────────────────────────────────────────────────
create policy profiles_select_self_comembers_admins on public.profiles
  for select to authenticated
  using (
    id = (select private.caller_id())
    or id = any ((select private.caller_co_member_ids())::uuid[])
    or (select private.has_platform_permission('users:admin'))
  );
comment on policy profiles_select_self_comembers_admins on public.profiles is
  'You see yourself, people you share an organization with (members:read), and everyone if you hold users:admin.';

create policy profiles_update_self on public.profiles
  for update to authenticated
  using (id = (select private.caller_id()))
  with check (id = (select private.caller_id()));
comment on policy profiles_update_self on public.profiles is
  'You edit your own profile; column grants limit it to the editable fields.';

create policy organizations_select_members on public.organizations
  for select to authenticated
  using (id = any ((select private.caller_org_ids('org:read'))::uuid[]));
comment on policy organizations_select_members on public.organizations is 'Organizations where you hold org:read.';

create policy memberships_select_members on public.memberships
  for select to authenticated
  using (
    user_id = (select private.caller_id())
    or organization_id = any ((select private.caller_org_ids('members:read'))::uuid[])
  );
comment on policy memberships_select_members on public.memberships is 'Your own memberships, and the members of organizations where you hold members:read.';

create policy invitations_select_managers_invitee on public.invitations
  for select to authenticated
  using (
    organization_id = any ((select private.caller_org_ids('members:manage'))::uuid[])
    or lower(email) = (select private.caller_email())
  );
comment on policy invitations_select_managers_invitee on public.invitations is 'Member managers see their organization''s invitations; invitees see their own.';

create policy platform_role_assignments_select_self_admins on public.platform_role_assignments
  for select to authenticated
  using (
    user_id = (select private.caller_id())
    or (select private.has_platform_permission('users:admin'))
  );
comment on policy platform_role_assignments_select_self_admins on public.platform_role_assignments is 'Your own platform roles; everyone''s with users:admin.';


-- New functions are executable by PUBLIC until revoked; private ones are granted explicitly above.
revoke execute on all functions in schema private from public;
