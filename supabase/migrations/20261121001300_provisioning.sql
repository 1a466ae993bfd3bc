-- Provisioning (SPEC F1): a Supabase Auth signup creates the user's profile, default
-- and/or personal organization membership, starter project and default platform
-- roles, in the signup's own transaction. It runs as supabase_auth_admin with
-- search_path `auth`, so every name is qualified; odd metadata is sanitised, and
-- even an unexpected failure never breaks the signup (ensure_provisioned() repairs).

-- At most one personal organization per user, so concurrent provisioning cannot make two.
create unique index organizations_personal_key on public.organizations (created_by) where is_personal;

-- ── sanitising metadata ──────────────────────────────────────────────────────
create function private.metadata_text(metadata jsonb, keys text[], max_length integer)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  key text;
  value text;
begin
  -- The first usable value among claim-name variants (name, full_name, ...): strings and
  -- numbers become trimmed text without control characters, cut to length; objects,
  -- arrays, booleans, null and blanks are skipped. Never raises.
  if pg_catalog.jsonb_typeof(metadata) is distinct from 'object' then
    return null;
  end if;
  foreach key in array keys loop
    if pg_catalog.jsonb_typeof(metadata -> key) in ('string', 'number') then
      value := nullif(left(pg_catalog.btrim(pg_catalog.regexp_replace(metadata ->> key, '[[:cntrl:]]', '', 'g')), max_length), '');
      if value is not null then
        return value;
      end if;
    end if;
  end loop;
  return null;
end;
$$;
comment on function private.metadata_text(jsonb, text[], integer) is
  'Safe, bounded text from the first usable metadata key, or null. Never raises.';

-- ── provisioning one user ────────────────────────────────────────────────────
create function private.provision_user(
  profile_id uuid,
  identity_provider text,
  identity_sub text,
  email text,
  metadata jsonb,
  auth_user_id uuid,
  groups text[]
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  settings private.settings := (select s from private.settings s);
  display_name text := private.metadata_text(metadata, array['full_name', 'name', 'display_name', 'user_name', 'preferred_username', 'nickname'], 200);
  personal_org uuid;
  inserted boolean;
begin
  -- One user at a time: concurrent calls for the same user queue here, then find their work done.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.provision:' || profile_id::text, 0));

  insert into public.profiles (id, auth_user_id, identity_provider, identity_sub, email, display_name, avatar_url, company_name, timezone)
  values (
    profile_id, auth_user_id, identity_provider, identity_sub,
    left(lower(pg_catalog.btrim(email)), 320),
    display_name,
    private.metadata_text(metadata, array['avatar_url', 'picture', 'avatar'], 2048),
    private.metadata_text(metadata, array['company_name', 'company', 'organization'], 200),
    private.metadata_text(metadata, array['timezone', 'time_zone', 'zoneinfo', 'tz'], 64)
  )
  on conflict do nothing
  returning true into inserted;

  -- A brand-new profile owns nothing yet, so its rows go in with plain inserts; a repair
  -- (profile already there) checks each row and adds only what is missing.
  if settings.default_organization_id is not null then
    insert into public.memberships (organization_id, user_id, role)
    values (settings.default_organization_id, profile_id, 'member')
    on conflict do nothing;
  end if;

  if settings.create_personal_organization then
    if not coalesce(inserted, false) then
      select o.id into personal_org from public.organizations o where o.created_by = profile_id and o.is_personal;
    end if;
    if personal_org is null then
      -- A brand-new organization with its one owner and one project cannot exceed any plan:
      -- quota checks (see the quotas migration) skip these inserts.
      perform pg_catalog.set_config('tenantry.provisioning', 'on', true);
      insert into public.organizations (slug, name, is_personal, created_by)
      values (
        'personal-' || left(replace(profile_id::text, '-', ''), 16),
        format('%s (personal %s)', coalesce(left(display_name, 60), split_part(email, '@', 1), 'Workspace'), left(profile_id::text, 8)),
        true, profile_id)
      returning id into personal_org;
      insert into public.memberships (organization_id, user_id, role) values (personal_org, profile_id, 'owner');
      -- The starter project lives in the user's own organization, never in the shared default one.
      if settings.starter_project_name is not null then
        insert into public.projects (organization_id, name, is_starter, created_by)
        values (personal_org, settings.starter_project_name, true, profile_id);
      end if;
      perform pg_catalog.set_config('tenantry.provisioning', 'off', true);
    else
      insert into public.memberships (organization_id, user_id, role)
      values (personal_org, profile_id, 'owner')
      on conflict do nothing;
      if settings.starter_project_name is not null then
        insert into public.projects (organization_id, name, is_starter, created_by)
        values (personal_org, settings.starter_project_name, true, profile_id)
        on conflict (organization_id) where is_starter do nothing;
      end if;
    end if;
  end if;

  -- Default and group-mapped platform roles, by the sync rules (groups null = claim absent).
  -- Nothing to grant or revoke without groups or defaults: skip the work on the signup path.
  if groups is not null or cardinality(settings.default_platform_roles) > 0 or not coalesce(inserted, false) then
    perform private.sync_platform_roles(profile_id, groups, 'provisioning');
  end if;

  if inserted then
    perform private.audit('user.provision', null, 'user', profile_id::text,
      jsonb_build_object('identity_provider', identity_provider, 'personal_organization_id', personal_org));
  end if;
  return profile_id;
end;
$$;
comment on function private.provision_user(uuid, text, text, text, jsonb, uuid, text[]) is
  'Creates whatever of a user''s profile, memberships, starter project and default roles is missing; idempotent and serialised per user. Definer: runs inside Supabase Auth''s transaction as supabase_auth_admin.';

create function private.provision_auth_user(auth_user_id uuid)
returns uuid
language sql
security definer
set search_path = ''
as $$
  select private.provision_user(u.id, 'supabase', u.id::text, u.email, u.raw_user_meta_data, u.id,
                                private.groups_from(jsonb_build_object('app_metadata', u.raw_app_meta_data, 'user_metadata', u.raw_user_meta_data)))
  from auth.users u
  where u.id = auth_user_id
$$;
comment on function private.provision_auth_user(uuid) is 'Provisions a Supabase Auth user from their auth.users row. Definer: reads auth.users.';

-- ── triggers on auth.users ───────────────────────────────────────────────────
create function private.on_auth_user_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    perform private.provision_user(new.id, 'supabase', new.id::text, new.email, new.raw_user_meta_data, new.id,
                                   private.groups_from(jsonb_build_object('app_metadata', new.raw_app_meta_data, 'user_metadata', new.raw_user_meta_data)));
  exception when others then
    -- A signup must never fail because of provisioning; record it and let ensure_provisioned() repair.
    declare
      message text;
      state text;
    begin
      get stacked diagnostics message = message_text, state = returned_sqlstate;
      perform private.audit('user.provision_failed', null, 'user', new.id::text,
        jsonb_build_object('sqlstate', state, 'error', left(message, 500)));
    end;
  end;
  return new;
end;
$$;
comment on function private.on_auth_user_created() is
  'AFTER INSERT on auth.users: provisions the new user. Definer: Supabase Auth runs it as supabase_auth_admin, which owns none of our tables.';

create function private.on_auth_user_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles p
  set last_login_at = case when new.last_sign_in_at is distinct from old.last_sign_in_at then new.last_sign_in_at else p.last_login_at end,
      email = case when new.email is distinct from old.email then left(lower(new.email), 320) else p.email end
  where p.id = new.id;
  if new.last_sign_in_at is distinct from old.last_sign_in_at then
    begin
      -- Every sign-in re-syncs platform roles from the IdP groups; a failure never blocks the login.
      perform private.sync_platform_roles(new.id, private.groups_from(jsonb_build_object('app_metadata', new.raw_app_meta_data, 'user_metadata', new.raw_user_meta_data)), 'sign_in');
    exception when others then
      perform private.audit('platform_role.sync_failed', null, 'user', new.id::text, jsonb_build_object('sqlstate', sqlstate, 'error', left(sqlerrm, 500)));
    end;
  end if;
  return new;
end;
$$;
comment on function private.on_auth_user_updated() is
  'AFTER UPDATE on auth.users: sign-ins set last_login_at and re-sync platform roles; email changes reach the profile. Definer: runs as supabase_auth_admin.';

create or replace trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.on_auth_user_created();

create or replace trigger on_auth_user_updated
  after update of last_sign_in_at, email on auth.users
  for each row
  when (old.last_sign_in_at is distinct from new.last_sign_in_at or old.email is distinct from new.email)
  execute function private.on_auth_user_updated();

-- ── deleting a user ──────────────────────────────────────────────────────────
create function private.on_profile_deleted()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- Their personal organization goes with them; shared organizations stay.
  delete from public.organizations o where o.created_by = old.id and o.is_personal;
  perform private.audit('user.delete', null, 'user', old.id::text,
    jsonb_build_object('identity_provider', old.identity_provider, 'email', old.email));
  return old;
end;
$$;
comment on function private.on_profile_deleted() is
  'BEFORE DELETE on profiles (also when auth.users cascades): removes the personal organization, keeps the audit trail. Definer: runs as whoever deletes the auth user.';

create trigger profiles_on_deleted before delete on public.profiles
  for each row execute function private.on_profile_deleted();

-- ── repair ───────────────────────────────────────────────────────────────────
create function private.ensure_default_organization(name text, slug text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  org public.organizations;
begin
  if auth.role() is not null and not private.has_platform_permission('users:admin') then
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
comment on function private.ensure_default_organization(text, text) is
  'Creates the default organization if there is none and makes provisioning use it (users:admin). Definer: writes settings.';

create function private.ensure_default_organization_membership()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  default_org uuid := (select s.default_organization_id from private.settings s);
  added integer;
begin
  if auth.role() is not null and not private.has_platform_permission('users:admin') then
    perform private.deny('organization.backfill_default', 'you may not backfill the default organization');
    return 0;
  end if;
  if default_org is null then
    raise exception using errcode = '55000', message = 'there is no default organization; call ensure_default_organization first';
  end if;
  insert into public.memberships (organization_id, user_id, role)
  select default_org, p.id, 'member' from public.profiles p
  on conflict do nothing;
  get diagnostics added = row_count;
  perform private.audit('organization.backfill_default', default_org, 'organization', default_org::text, jsonb_build_object('added', added));
  return added;
end;
$$;
comment on function private.ensure_default_organization_membership() is
  'Adds every user who is not yet a member to the default organization; returns how many (users:admin). Definer: inserts memberships.';

create function public.ensure_default_organization(name text default 'Default', slug text default null)
returns jsonb language sql set search_path = '' as $$ select private.ensure_default_organization(name, slug) $$;
create function public.ensure_default_organization_membership()
returns integer language sql set search_path = '' as $$ select private.ensure_default_organization_membership() $$;
comment on function public.ensure_default_organization(text, text) is 'RPC: create the default organization if missing (users:admin).';
comment on function public.ensure_default_organization_membership() is 'RPC: add every user to the default organization (users:admin); returns the number added.';

grant execute on function private.ensure_default_organization(text, text),
  private.ensure_default_organization_membership() to authenticated, service_role;
call private.grant_rpc('public.ensure_default_organization(text, text)', 'public.ensure_default_organization_membership()');

-- New functions are executable by PUBLIC until revoked; private ones are granted explicitly above.
revoke execute on all functions in schema private from public;
