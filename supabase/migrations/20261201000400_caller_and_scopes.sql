-- Who the caller is, and what a personal access token lets them do (issue 10, items 6,
-- 11 and 20; SPEC principle 8, F5, F10).
--
-- * A caller resolves to a profile only from a source they cannot forge: a registered,
--   enabled third-party issuer by (issuer, subject); otherwise a UUID subject only when
--   the token comes from this project's Supabase Auth. A token of any other issuer is
--   nobody, even if its subject is a real user's id.
-- * The operator's plain SQL session (private.is_operator) and the secret key hold every
--   permission.
-- * Every scope a token may carry is a permission. Account permissions (orgs:create,
--   orgs:join, profile:write, tokens:read, tokens:manage) are held by every signed-in
--   user over their own account, so a token may carry them; without them a token cannot
--   create organizations, join or leave them, edit the profile or see or manage tokens.

-- ── the project's own issuer ─────────────────────────────────────────────────
alter table private.settings add column auth_issuers text[] not null default '{}';
comment on column private.settings.auth_issuers is
  'This project''s Supabase Auth issuer (https://<ref>.supabase.co/auth/v1; the local stack adds its own). Empty: no token is taken for a Supabase Auth user (fail closed) — set it when deploying.';

create function private.is_supabase_issuer(issuer text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- Only the issuers the deployment names: a token of any other issuer is never taken
  -- for a Supabase Auth user, whatever its subject (another project signs /auth/v1 too).
  return issuer is not null
     and rtrim(issuer, '/') = any (select rtrim(x, '/') from private.settings s, unnest(s.auth_issuers) as x);
end;
$$;
comment on function private.is_supabase_issuer(text) is
  'Whether a token issuer is this project''s Supabase Auth (one of settings.auth_issuers). Definer: reads settings.';

create or replace function private.caller_id()
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
  if subject is null or token_issuer is null then
    return null;
  end if;
  if exists (select 1 from private.identity_providers i where i.issuer = token_issuer and i.enabled) then
    select p.id into result from public.profiles p
    where p.identity_provider = token_issuer and p.identity_sub = subject and p.auth_user_id is null and p.disabled_at is null;
  elsif private.is_supabase_issuer(token_issuer)
        and subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select p.id into result from public.profiles p
    where p.auth_user_id = subject::uuid and p.disabled_at is null;
  end if;
  return result;
end;
$$;
comment on function private.caller_id() is
  'The profile id of the current caller, or null (anonymous, unknown, disabled, or a token of an issuer that is neither this project''s Supabase Auth nor a registered, enabled provider). Definer: reads profiles, whose own policies call this.';

-- ── tokens behind a request ──────────────────────────────────────────────────
create function private.caller_token_id()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  claimed text := auth.jwt() ->> 'pat_id';
  result uuid;
begin
  -- Only the edge functions put pat_id into the claims, after verifying the token; an
  -- IdP's token carrying one is believed only if it names an active token of the caller.
  if claimed is null or claimed !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return null;
  end if;
  select t.id into result from public.personal_access_tokens t
  where t.id = claimed::uuid and t.user_id = private.caller_id() and t.revoked_at is null and t.expires_at > pg_catalog.now();
  return result;
end;
$$;
comment on function private.caller_token_id() is
  'The personal access token this request was authenticated with, when the claims name an active token of the caller; else null. Definer: reads tokens.';

create function private.token_allows(scope text)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
  scopes text[] := private.token_scopes();
begin
  return scopes is null or scope = any (scopes);
end;
$$;
comment on function private.token_allows(text) is 'Whether the token behind this request (if any) carries the scope; true without a token.';

-- ── account permissions ──────────────────────────────────────────────────────
alter table public.permissions add column held_by_every_user boolean not null default false;
comment on column public.permissions.held_by_every_user is
  'An account permission: every signed-in user holds it over their own account (so a personal access token may carry it as a scope).';

insert into public.permissions (name, description, held_by_every_user) values
  ('orgs:create', 'Create organizations (you become their owner)', true),
  ('orgs:join', 'Accept invitations and leave organizations', true),
  ('profile:write', 'Edit your own profile and repair your own provisioning', true),
  ('tokens:read', 'List your personal access tokens', true);
update public.permissions set held_by_every_user = true where name = 'tokens:manage';
-- Platform admins hold every permission (the catalog seeds them all).
insert into public.role_permissions (scope, role, permission)
select 'platform', 'admin', p.name from public.permissions p
on conflict do nothing;

create or replace function private.caller_platform_permissions()
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  scopes text[] := private.token_scopes();
begin
  -- The secret key (service_role) and the operator's SQL session hold everything.
  if auth.role() = 'service_role' or private.is_operator() then
    return array(select p.name from public.permissions p);
  end if;
  return array(select p from unnest(private.user_platform_permissions(private.caller_id())) as p
               where scopes is null or p = any (scopes));
end;
$$;
comment on function private.caller_platform_permissions() is
  'Permissions the caller holds through platform roles (all of them for service_role and the operator), within the scopes of the token used, if any. Definer: see user_platform_permissions.';

create or replace function private.caller_org_ids(permission text)
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
  if auth.role() = 'service_role' or private.is_operator() then
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
    where m.user_id = caller
      and m.role = any (array(
        select rp.role from public.role_permissions rp
        where rp.scope = 'org' and rp.permission = caller_org_ids.permission)));
end;
$$;
comment on function private.caller_org_ids(text) is
  'Organizations in which the caller holds the permission (all of them for a platform role that grants it, the secret key and the operator), none when the token used lacks it. Definer: reads memberships without recursing into their policies.';

create function private.caller_holds(permission text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- Anywhere: an account permission (signed-in callers), a platform role, or an org role.
  return (private.caller_id() is not null and private.token_allows(permission)
          and exists (select 1 from public.permissions p where p.name = permission and p.held_by_every_user))
      or permission = any (private.caller_platform_permissions())
      or cardinality(private.caller_org_ids(permission)) > 0;
end;
$$;
comment on function private.caller_holds(text) is
  'Whether the caller holds the permission anywhere (account, platform or any organization), within the token''s scopes. Definer: see caller_org_ids.';

-- ── policies that a token's scopes limit ─────────────────────────────────────
drop policy profiles_update_self on public.profiles;
create policy profiles_update_self on public.profiles
  for update to authenticated
  using (id = (select private.caller_id()) and (select private.token_allows('profile:write')))
  with check (id = (select private.caller_id()) and (select private.token_allows('profile:write')));
comment on policy profiles_update_self on public.profiles is
  'You edit your own profile (a personal access token needs profile:write); column grants limit it to the editable fields.';

drop policy personal_access_tokens_select_owner_admins on public.personal_access_tokens;
create policy personal_access_tokens_select_owner_admins on public.personal_access_tokens
  for select to authenticated
  using ((user_id = (select private.caller_id()) and (select private.token_allows('tokens:read')))
         or (select private.has_platform_permission('users:admin')));
comment on policy personal_access_tokens_select_owner_admins on public.personal_access_tokens is
  'Your own tokens, never their secrets (a personal access token needs tokens:read); everyone''s with users:admin.';

-- ── tokens minted by tokens stay within them ─────────────────────────────────
alter table public.personal_access_tokens
  add column parent_token_id uuid references public.personal_access_tokens (id) on delete cascade;
comment on column public.personal_access_tokens.parent_token_id is
  'The token this one was minted with (a token with tokens:manage), if any: it expires no later than its parent and fails once any ancestor is revoked or expired.';
create index personal_access_tokens_parent_idx on public.personal_access_tokens (parent_token_id);

-- ── tokens: account scopes may be minted ─────────────────────────────────────
create or replace function private.create_token(name text, scopes text[], expires_in interval)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
  parent public.personal_access_tokens := (select t from public.personal_access_tokens t where t.id = private.caller_token_id());
  clean_scopes text[] := array(select distinct lower(btrim(s)) from unnest(coalesce(scopes, '{}')) as s where btrim(s) <> '' order by 1);
  max_lifetime interval := (select s.token_max_lifetime from private.settings s);
  outside text;
  random_part text := encode(extensions.gen_random_bytes(20), 'hex');
  token text;
  created public.personal_access_tokens;
begin
  if cardinality(clean_scopes) = 0 then
    raise exception using errcode = '22023', message = 'scopes: give at least one permission';
  end if;
  select s into outside from unnest(clean_scopes) as s where not exists (select 1 from public.permissions p where p.name = s) limit 1;
  if outside is not null then
    raise exception using errcode = '22023', message = format('scopes: "%s" is not a permission', outside);
  end if;
  -- Within the creator's own permissions (and, for a token minting a token, within its scopes).
  select s into outside from unnest(clean_scopes) as s where not private.caller_holds(s) limit 1;
  if outside is not null then
    return private.deny('token.create', format('scopes: you do not hold "%s"', outside));
  end if;
  if expires_in is null then
    raise exception using errcode = '22023', message = 'expires_in: an expiry is required';
  end if;
  if expires_in <= interval '0' or expires_in > max_lifetime then
    raise exception using errcode = '22023', message = format('expires_in: must be positive and at most %s', max_lifetime);
  end if;
  token := 'tnt_pat_' || random_part || private.token_checksum(random_part);
  begin
    -- A token minted with a token never outlives it.
    insert into public.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at, parent_token_id)
    values (caller, btrim(name), 'tnt_pat_' || left(random_part, 8), extensions.digest(token, 'sha256'), clean_scopes,
            least(pg_catalog.now() + expires_in, parent.expires_at), parent.id)
    returning * into created;
  exception when unique_violation then
    raise exception using errcode = '23505', message = format('name: you already have an active token named "%s"', btrim(name));
  end;
  perform private.audit('token.create', null, 'token', created.id::text,
    jsonb_build_object('after', to_jsonb(created) - 'token_hash'));
  -- The secret is returned here, once; only its hash is kept.
  return (to_jsonb(created) - 'token_hash' - 'parent_token_id') || jsonb_build_object('token', token);
end;
$$;
comment on function private.create_token(text, text[], interval) is
  'Creates a personal access token for the caller, scopes within what they hold (account, platform and org permissions; a token minting one within its own scopes), expiry required and capped. The tokens:manage scope is checked by the RPC gate. Definer: writes tokens and audit.';

create or replace function private.verify_token(token text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  found_token public.personal_access_tokens;
  owner public.profiles;
begin
  if not private.token_well_formed(token) then
    return jsonb_build_object('valid', false, 'reason', 'malformed token');
  end if;
  select * into found_token from public.personal_access_tokens t where t.token_hash = extensions.digest(token, 'sha256');
  if found_token is null then
    return jsonb_build_object('valid', false, 'reason', 'unknown token');
  end if;
  if found_token.revoked_at is not null then
    return jsonb_build_object('valid', false, 'reason', 'token revoked');
  end if;
  if found_token.expires_at <= pg_catalog.now() then
    return jsonb_build_object('valid', false, 'reason', 'token expired');
  end if;
  -- A token minted with a token fails once any ancestor is revoked or expired.
  if found_token.parent_token_id is not null and exists (
    with recursive ancestors as (
      select t.id, t.parent_token_id, t.revoked_at, t.expires_at from public.personal_access_tokens t where t.id = found_token.parent_token_id
      union all
      select t.id, t.parent_token_id, t.revoked_at, t.expires_at from public.personal_access_tokens t join ancestors a on t.id = a.parent_token_id
    )
    select 1 from ancestors a where a.revoked_at is not null or a.expires_at <= pg_catalog.now()) then
    return jsonb_build_object('valid', false, 'reason', 'the token it was minted with is revoked or expired');
  end if;
  select * into owner from public.profiles p where p.id = found_token.user_id;
  if owner.disabled_at is not null then
    return jsonb_build_object('valid', false, 'reason', 'account disabled');
  end if;
  -- Recording use at most once a minute keeps verification a read on the hot path.
  if found_token.last_used_at is null or found_token.last_used_at < pg_catalog.now() - interval '1 minute' then
    update public.personal_access_tokens t set last_used_at = pg_catalog.now() where t.id = found_token.id;
  end if;
  return jsonb_build_object('valid', true, 'token_id', found_token.id, 'user_id', owner.id, 'scopes', to_jsonb(found_token.scopes),
                            'identity_provider', owner.identity_provider, 'identity_sub', owner.identity_sub);
end;
$$;
comment on function private.verify_token(text) is
  'Checks a personal access token: format and checksum, one indexed lookup by hash, expiry, revocation (its own and any ancestor''s) and the owner''s state. Definer: reads hashes no client may read. Called by the edge functions only.';

create function private.list_tokens()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return coalesce((
    select jsonb_agg(jsonb_build_object(
             'id', t.id, 'name', t.name, 'prefix', t.prefix, 'scopes', t.scopes, 'created_at', t.created_at,
             'last_used_at', t.last_used_at, 'expires_at', t.expires_at) order by t.created_at desc)
    from public.personal_access_tokens t
    where t.user_id = private.caller_id() and t.revoked_at is null), '[]'::jsonb);
end;
$$;
comment on function private.list_tokens() is 'The caller''s active tokens (never their secrets). Definer: keyed by the caller''s id only.';

-- ── /me under a token: only what the token can use ──────────────────────────
create or replace function private.me()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
  scopes text[] := private.token_scopes();
begin
  -- Only the caller's own rows, selected by caller id: no policy needs evaluating.
  if caller is null then
    return null;
  end if;
  return jsonb_build_object(
    'profile', (select to_jsonb(p) from public.profiles p where p.id = caller),
    'memberships', coalesce((
      select jsonb_agg(jsonb_build_object(
               'organization_id', o.id, 'slug', o.slug, 'name', o.name, 'role', m.role,
               'permissions', coalesce((select jsonb_agg(rp.permission order by rp.permission) from public.role_permissions rp
                                        where rp.scope = 'org' and rp.role = m.role
                                          and (scopes is null or rp.permission = any (scopes))), '[]'::jsonb))
             order by o.name)
      from public.memberships m join public.organizations o on o.id = m.organization_id
      where m.user_id = caller), '[]'::jsonb),
    'platform_roles', coalesce((select jsonb_agg(a.role order by a.role) from public.platform_role_assignments a where a.user_id = caller), '[]'::jsonb),
    'platform_permissions', to_jsonb(private.caller_platform_permissions()),
    'account_permissions', coalesce((select jsonb_agg(p.name order by p.name) from public.permissions p
                                     where p.held_by_every_user and (scopes is null or p.name = any (scopes))), '[]'::jsonb),
    'token', case when scopes is not null then jsonb_build_object('id', private.caller_token_id(), 'scopes', to_jsonb(scopes)) end,
    'flags', private.resolve_flags(caller, null));
end;
$$;
comment on function private.me() is
  'The caller''s own profile, memberships, platform roles and permissions, account permissions and flags; under a personal access token only the permissions its scopes allow. Definer: reads only rows keyed by the caller''s id.';

grant execute on function private.is_supabase_issuer(text), private.caller_token_id(), private.token_allows(text),
  private.caller_holds(text), private.list_tokens() to authenticated, service_role;
revoke execute on all functions in schema private from public;
