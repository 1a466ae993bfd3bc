-- Provisioning fast path (SPEC F1, issue 3's signup benchmark). Every signup runs
-- provision_user inside Supabase Auth's transaction, so its cost is added to each one.
-- A brand-new user now gets profile, personal organization, owner membership and starter
-- project from one statement, profile fields absent from the metadata cost no function
-- call, and only a repair (profile already there) takes the per-user lock. Behaviour is
-- unchanged: same rows, same idempotence, same sanitising; the repair path is as before.

-- ── provisioning one user ────────────────────────────────────────────────────
create or replace function private.provision_user(
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
  -- Claim-name variants of each profile field, first usable one wins (see metadata_text).
  name_keys constant text[] := array['full_name', 'name', 'display_name', 'user_name', 'preferred_username', 'nickname'];
  avatar_keys constant text[] := array['avatar_url', 'picture', 'avatar'];
  company_keys constant text[] := array['company_name', 'company', 'organization'];
  timezone_keys constant text[] := array['timezone', 'time_zone', 'zoneinfo', 'tz'];
  display_name text;
  -- The personal organization's slug and name (derived from the id, so unique per user).
  personal_slug constant text := 'personal-' || left(replace(profile_id::text, '-', ''), 16);
  personal_name text;
  inserted boolean := false;
  personal_org uuid;
begin
  -- Most signups carry one or two of these keys: skip the calls for the absent ones.
  if metadata ?| name_keys then
    display_name := private.metadata_text(metadata, name_keys, 200);
  end if;
  personal_name := format('%s (personal %s)', coalesce(left(display_name, 60), split_part(email, '@', 1), 'Workspace'), left(profile_id::text, 8));

  -- A new user: every row in one statement. The profile's primary key serialises racing
  -- provisioners of the same user (the loser waits, then finds the profile and repairs
  -- below), so rows hanging off a profile created here need no conflict handling. The
  -- brand-new organization with its one owner and one project cannot exceed any plan:
  -- quota checks (see the quotas migration) skip these inserts.
  perform pg_catalog.set_config('tenantry.provisioning', 'on', true);
  with profile as (
    insert into public.profiles (id, auth_user_id, identity_provider, identity_sub, email, display_name, avatar_url, company_name, timezone)
    values (
      profile_id, auth_user_id, identity_provider, identity_sub,
      left(lower(pg_catalog.btrim(email)), 320),
      display_name,
      case when metadata ?| avatar_keys then private.metadata_text(metadata, avatar_keys, 2048) end,
      case when metadata ?| company_keys then private.metadata_text(metadata, company_keys, 200) end,
      case when metadata ?| timezone_keys then private.metadata_text(metadata, timezone_keys, 64) end
    )
    on conflict do nothing
    returning id
  ), personal as (
    insert into public.organizations (slug, name, is_personal, created_by)
    select personal_slug, personal_name, true, profile.id
    from profile
    where settings.create_personal_organization
    returning id
  ), owner as (
    insert into public.memberships (organization_id, user_id, role)
    select personal.id, profile_id, 'owner' from personal
  ), starter as (
    -- The starter project lives in the user's own organization, never in the shared default one.
    insert into public.projects (organization_id, name, is_starter, created_by)
    select personal.id, settings.starter_project_name, true, profile_id from personal
    where settings.starter_project_name is not null
  )
  select true, (select personal.id from personal) into inserted, personal_org from profile;
  perform pg_catalog.set_config('tenantry.provisioning', 'off', true);
  inserted := coalesce(inserted, false);

  if not inserted then
    -- A repair (legacy user, earlier failure, or a racing provisioner): one at a time per
    -- user, each adds only what is missing.
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.provision:' || profile_id::text, 0));
    if settings.create_personal_organization then
      select o.id into personal_org from public.organizations o where o.created_by = profile_id and o.is_personal;
      if personal_org is null then
        perform pg_catalog.set_config('tenantry.provisioning', 'on', true);
        insert into public.organizations (slug, name, is_personal, created_by)
        values (personal_slug, personal_name, true, profile_id)
        returning id into personal_org;
        perform pg_catalog.set_config('tenantry.provisioning', 'off', true);
      end if;
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

  -- The shared default organization keeps its quota check: joined outside the flag above.
  if settings.default_organization_id is not null then
    insert into public.memberships (organization_id, user_id, role)
    values (settings.default_organization_id, profile_id, 'member')
    on conflict do nothing;
  end if;

  -- Default and group-mapped platform roles, by the sync rules (groups null = claim absent).
  -- Nothing to grant or revoke without groups or defaults: skip the work on the signup path.
  if groups is not null or cardinality(settings.default_platform_roles) > 0 or not inserted then
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
  'Creates whatever of a user''s profile, memberships, starter project and default roles is missing; idempotent, race-safe, one statement for a new user. Definer: runs inside Supabase Auth''s transaction as supabase_auth_admin.';

revoke execute on all functions in schema private from public;
