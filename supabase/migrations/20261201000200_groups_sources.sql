-- Where a Supabase Auth user's IdP groups may come from (issue 10, item 1).
--
-- Groups decide platform roles, so they may only come from places the user cannot write:
--   app_metadata.*   auth.users.raw_app_meta_data (written by the service role / admin API
--                    and by Supabase Auth itself, never by the user)
--   sso_identity.*   identity_data of the user's SSO/SAML identity (auth.identities with
--                    provider 'sso:<id>', for users with is_sso_user), which Supabase Auth
--                    rewrites from the IdP's signed assertion at every SSO sign-in
-- user_metadata (raw_user_meta_data) is written by every user (`auth.updateUser({data})`,
-- signup `options.data`) and is never read for groups again. Third-party issuers' groups
-- come from their verified tokens (jit_provision), not from these paths.

-- ── the settings: defaults, existing rows, and a guard ───────────────────────
alter table private.settings
  alter column groups_claim_paths set default array['app_metadata.groups', 'sso_identity.custom_claims.groups', 'sso_identity.groups'];
comment on column private.settings.groups_claim_paths is
  'Where a Supabase Auth user''s IdP groups are found, tried in order as dotted paths into {"app_metadata": raw_app_meta_data, "sso_identity": identity_data of the user''s SSO identity}. Only these two roots are accepted: user_metadata is user-writable and refused. The first path present wins; none present means the groups claim is absent.';

-- An SSO connection is often a customer's own IdP, whose administrator is not the platform
-- operator: its group claims count only for connections the operator trusts by id.
alter table private.settings add column trusted_sso_providers uuid[] not null default '{}';
comment on column private.settings.trusted_sso_providers is
  'SSO providers (auth.sso_providers ids) whose identity data may carry platform groups (sso_identity.* paths). Empty: SSO groups are ignored, whatever the paths say.';

create function private.groups_path_allowed(path text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select path ~ '^(app_metadata|sso_identity)(\.[^.]+)+$'
$$;
comment on function private.groups_path_allowed(text) is
  'Whether a groups claim path starts at a source users cannot write (app_metadata or sso_identity) and names a key below it.';

create function private.settings_check_groups_paths()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  bad text;
begin
  select p into bad from unnest(new.groups_claim_paths) as p where not coalesce(private.groups_path_allowed(p), false) limit 1;
  if bad is not null or array_position(new.groups_claim_paths, null) is not null then
    raise exception using errcode = '22023',
      message = format('groups_claim_paths: "%s" is not allowed; groups may only come from app_metadata.* or sso_identity.* (user_metadata is written by the user)', coalesce(bad, 'null')),
      hint = 'Put groups in raw_app_meta_data (service role / admin API) or read them from the SSO identity, e.g. sso_identity.custom_claims.groups.';
  end if;
  return new;
end;
$$;
comment on function private.settings_check_groups_paths() is
  'BEFORE INSERT/UPDATE on settings: refuses a groups claim path users can write, naming it (22023).';

-- Existing deployments: the user-writable defaults go. A user_metadata path existed for
-- SSO users (Supabase Auth copies the SSO identity into user_metadata); the same key of
-- the SSO identity itself replaces it, so SSO groups keep working without the hole.
do $$
declare
  original text[];
  before text[];
  after text[] := '{}';
  path text;
begin
  select s.groups_claim_paths into original from private.settings s;
  before := original;
  if before is null then
    return;
  end if;
  -- Untouched defaults become the new defaults.
  if before = array['app_metadata.groups', 'user_metadata.groups', 'user_metadata.custom_claims.groups'] then
    before := array['app_metadata.groups', 'sso_identity.custom_claims.groups', 'sso_identity.groups'];
  end if;
  foreach path in array before loop
    if path like 'user_metadata.%' then
      path := 'sso_identity.' || substr(path, char_length('user_metadata.') + 1);
    end if;
    if coalesce(private.groups_path_allowed(path), false) and path <> all (after) then
      after := after || path;
    end if;
  end loop;
  if after is distinct from original then
    update private.settings s set groups_claim_paths = after;
    perform private.audit('settings.groups_claim_paths', null, 'settings', 'groups_claim_paths',
      jsonb_build_object('before', to_jsonb(original), 'after', to_jsonb(after), 'why', 'user-writable paths are no longer accepted'));
  end if;
end;
$$;

create trigger settings_check_groups_paths before insert or update of groups_claim_paths on private.settings
  for each row execute function private.settings_check_groups_paths();

-- ── reading the groups ───────────────────────────────────────────────────────
create or replace function private.groups_from(document jsonb)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  path text;
  value jsonb;
begin
  -- The first configured path that is present wins; none present means the claim is absent.
  -- A path outside the allowed roots is skipped even if the settings guard was bypassed.
  foreach path in array (select s.groups_claim_paths from private.settings s) loop
    continue when not coalesce(private.groups_path_allowed(path), false);
    value := document #> string_to_array(path, '.');
    if value is not null and jsonb_typeof(value) <> 'null' then
      return coalesce(private.groups_value(value), '{}');
    end if;
  end loop;
  return null;
end;
$$;
comment on function private.groups_from(jsonb) is
  'Extracts the groups claim along settings.groups_claim_paths (app_metadata / sso_identity roots only), or null when absent. Definer: reads settings.';

create function private.auth_user_groups(user_id uuid, app_metadata jsonb, is_sso_user boolean)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  sso jsonb;
begin
  -- The SSO identity is read only for SSO users, so an ordinary signup costs no lookup.
  if coalesce(is_sso_user, false) then
    select i.identity_data into sso from auth.identities i
    where i.user_id = auth_user_groups.user_id
      and i.provider = any (array(select 'sso:' || x::text from private.settings s, unnest(s.trusted_sso_providers) as x))
    order by i.updated_at desc nulls last
    limit 1;
  end if;
  return private.groups_from(jsonb_build_object('app_metadata', coalesce(app_metadata, '{}'::jsonb), 'sso_identity', sso));
end;
$$;
comment on function private.auth_user_groups(uuid, jsonb, boolean) is
  'A Supabase Auth user''s IdP groups from sources they cannot write (app_metadata, their SSO identity), or null when absent. Definer: reads auth.identities and settings.';

-- provision_auth_user and the auth.users triggers read groups through auth_user_groups:
-- they are redefined, once, in the provisioning hardening migration (20261201000220).

grant execute on function private.groups_path_allowed(text), private.auth_user_groups(uuid, jsonb, boolean) to service_role;
revoke execute on all functions in schema private from public;
