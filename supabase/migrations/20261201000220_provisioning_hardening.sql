-- Provisioning hardening (issue 10, items 3, 5, 11, 15, 16):
--   * email_verified follows auth.users.email_confirmed_at, at signup and whenever the
--     address or its confirmation changes; caller_email() only answers a verified email.
--   * profiles.provisioned_at records that provisioning completed. ensure_provisioned()
--     repairs only a profile whose provisioning never completed (or a missing profile),
--     and audits every row it adds: a user removed from an organization stays removed.
--   * Generated personal organization names and slugs never overflow or collide: they
--     are bounded, and on a conflict another is chosen.
--   * A provisioning failure is recorded in private.provisioning_failures, which
--     operators read with list_provisioning_failures(); a later success clears it.
--   * Profile values from metadata are sanitised (see the profile_values migration).
--   * A token of a registered but disabled issuer gets nothing from ensure_provisioned().

-- ── completion ───────────────────────────────────────────────────────────────
-- Every existing profile was provisioned in one transaction (a failure rolled all of it
-- back), so existing rows count as completed: the column is added with a default (which
-- fills them without an UPDATE, so updated_at stays as it was), then the default goes.
alter table public.profiles add column provisioned_at timestamptz default now();
alter table public.profiles alter column provisioned_at drop default;
comment on column public.profiles.provisioned_at is
  'When provisioning completed (profile, memberships, starter project); for profiles older than this column, the time it was added. Null means it never did: ensure_provisioned() then adds what is missing. Protected.';

-- ── failures operators can see ───────────────────────────────────────────────
create table private.provisioning_failures (
  user_id uuid primary key references auth.users (id) on delete cascade,
  sqlstate text,
  error text,
  attempts integer not null default 1,
  first_failed_at timestamptz not null default now(),
  last_failed_at timestamptz not null default now()
);
comment on table private.provisioning_failures is
  'Supabase Auth users whose provisioning failed at signup (the signup itself succeeded). Cleared when provisioning later succeeds (ensure_provisioned). Read with list_provisioning_failures().';
alter table private.provisioning_failures enable row level security;
revoke all on private.provisioning_failures from anon, authenticated, service_role;

create function private.list_provisioning_failures()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('provisioning.list_failures', 'you may not read provisioning failures');
  end if;
  return coalesce((
    select jsonb_agg(jsonb_build_object(
             'user_id', f.user_id, 'email', u.email, 'sqlstate', f.sqlstate, 'error', f.error, 'attempts', f.attempts,
             'first_failed_at', f.first_failed_at, 'last_failed_at', f.last_failed_at)
           order by f.last_failed_at desc)
    from private.provisioning_failures f
    left join auth.users u on u.id = f.user_id), '[]'::jsonb);
end;
$$;
comment on function private.list_provisioning_failures() is
  'Users whose provisioning failed and was not repaired yet, newest first (users:admin or an operator). Definer: reads the private table and auth.users.';
-- Its RPC, public.list_provisioning_failures(), is defined behind the RPC gate (rpc_contracts_profiles migration).

-- ── provisioning one user ────────────────────────────────────────────────────
drop function private.provision_user(uuid, text, text, text, jsonb, uuid, text[]);

create function private.provision_user(
  profile_id uuid,
  identity_provider text,
  identity_sub text,
  email text,
  email_verified boolean,
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
  base_name text;
  -- The personal organization's slug and name; a conflict picks another (below).
  hex constant text := replace(profile_id::text, '-', '');
  personal_name text;
  inserted boolean := false;
  personal_org uuid;
  existing public.profiles;
  added boolean;
  project_id uuid;
begin
  -- Most signups carry one or two of these keys: skip the calls for the absent ones.
  if metadata ?| name_keys then
    display_name := private.clean_display_text(private.metadata_text(metadata, name_keys, 200));
  end if;
  -- Bounded, so the name always fits organizations.name (at most 100 characters).
  base_name := coalesce(left(display_name, 60),
                        private.clean_display_text(left(pg_catalog.regexp_replace(split_part(email, '@', 1), '[[:cntrl:]]', '', 'g'), 60)),
                        'Workspace');
  personal_name := format('%s (personal %s)', base_name, left(profile_id::text, 8));

  -- A new user: every row in one statement. The profile's primary key serialises racing
  -- provisioners of the same user (the loser waits, then finds the profile below). A
  -- taken slug or name leaves the organization out (on conflict do nothing) and the
  -- slower path below picks another. The brand-new personal organization with its one
  -- owner and one project cannot exceed any plan: the quota checks exempt it (see the
  -- quotas_every_path migration).
  with profile as (
    insert into public.profiles (id, auth_user_id, identity_provider, identity_sub, email, email_verified,
                                 display_name, avatar_url, company_name, timezone, provisioned_at)
    values (
      profile_id, auth_user_id, identity_provider, identity_sub,
      left(lower(pg_catalog.btrim(email)), 320), coalesce(email_verified, false),
      display_name,
      case when metadata ?| avatar_keys then private.safe_url(private.metadata_text(metadata, avatar_keys, 2049)) end,
      case when metadata ?| company_keys then private.clean_display_text(private.metadata_text(metadata, company_keys, 200)) end,
      case when metadata ?| timezone_keys then private.safe_time_zone(private.metadata_text(metadata, timezone_keys, 64)) end,
      pg_catalog.now()
    )
    on conflict do nothing
    returning id
  ), personal as (
    insert into public.organizations (slug, name, is_personal, created_by)
    select 'personal-' || left(hex, 16), personal_name, true, profile.id
    from profile
    where settings.create_personal_organization
    on conflict do nothing
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
  inserted := coalesce(inserted, false);

  if not inserted then
    -- The profile exists. Provisioning that completed is never redone: memberships the
    -- user was removed from stay removed. One that never completed gets what is missing,
    -- each added row audited.
    perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.provision:' || profile_id::text, 0));
    select * into existing from public.profiles p where p.id = profile_id;
    if existing.provisioned_at is null then
      if settings.create_personal_organization then
        select o.id into personal_org from public.organizations o where o.created_by = profile_id and o.is_personal;
        if personal_org is null then
          personal_org := private.new_personal_organization(profile_id, base_name);
          perform private.audit('organization.create', personal_org, 'organization', personal_org::text,
            jsonb_build_object('source', 'repair', 'is_personal', true, 'user_id', profile_id));
        end if;
        insert into public.memberships (organization_id, user_id, role)
        values (personal_org, profile_id, 'owner')
        on conflict do nothing
        returning true into added;
        if added then
          perform private.audit('membership.add', personal_org, 'user', profile_id::text,
            jsonb_build_object('role', 'owner', 'source', 'repair'));
        end if;
        if settings.starter_project_name is not null then
          insert into public.projects (organization_id, name, is_starter, created_by)
          values (personal_org, settings.starter_project_name, true, profile_id)
          on conflict (organization_id) where is_starter do nothing
          returning id into project_id;
          if project_id is not null then
            perform private.audit('project.create', personal_org, 'project', project_id::text,
              jsonb_build_object('name', settings.starter_project_name, 'is_starter', true, 'source', 'repair'));
          end if;
        end if;
      end if;
      if settings.default_organization_id is not null then
        added := null;
        insert into public.memberships (organization_id, user_id, role)
        values (settings.default_organization_id, profile_id, 'member')
        on conflict do nothing
        returning true into added;
        if added then
          perform private.audit('membership.add', settings.default_organization_id, 'user', profile_id::text,
            jsonb_build_object('role', 'member', 'source', 'repair'));
        end if;
      end if;
      update public.profiles p set provisioned_at = pg_catalog.now() where p.id = profile_id;
      perform private.audit('user.provision', null, 'user', profile_id::text,
        jsonb_build_object('identity_provider', identity_provider, 'source', 'repair', 'personal_organization_id', personal_org));
    end if;
  else
    if settings.create_personal_organization and personal_org is null then
      -- The generated slug or name was taken (another user's organization, or an id
      -- sharing the prefix): choose another, then add what the statement above left out.
      personal_org := private.new_personal_organization(profile_id, base_name);
      insert into public.memberships (organization_id, user_id, role) values (personal_org, profile_id, 'owner');
      if settings.starter_project_name is not null then
        insert into public.projects (organization_id, name, is_starter, created_by)
        values (personal_org, settings.starter_project_name, true, profile_id);
      end if;
    end if;
    -- The shared default organization keeps its quota check.
    if settings.default_organization_id is not null then
      insert into public.memberships (organization_id, user_id, role)
      values (settings.default_organization_id, profile_id, 'member')
      on conflict do nothing;
    end if;
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
comment on function private.provision_user(uuid, text, text, text, boolean, jsonb, uuid, text[]) is
  'Provisions a user (profile, personal/default memberships, starter project, default roles) once: a profile whose provisioning completed (provisioned_at) is left alone; one that never completed gets what is missing, audited. Race-safe, one statement for a new user. Definer: runs inside Supabase Auth''s transaction as supabase_auth_admin.';

create function private.new_personal_organization(user_id uuid, base_name text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  hex constant text := replace(user_id::text, '-', '');
  org uuid;
  suffix text;
begin
  -- Candidates: the 16-hex-char slug with the 8-char name; then the whole id (unique per
  -- user, unless squatted); then random suffixes nobody can have taken in advance. All
  -- fit the slug (48) and name (100) limits.
  for attempt in 0..12 loop
    suffix := case when attempt >= 2 then substr(md5(pg_catalog.gen_random_uuid()::text), 1, 8) end;
    insert into public.organizations (slug, name, is_personal, created_by)
    values (
      case attempt when 0 then 'personal-' || left(hex, 16)
                   when 1 then 'personal-' || hex
                   else 'personal-' || left(hex, 24) || '-' || suffix end,
      case attempt when 0 then format('%s (personal %s)', left(base_name, 60), left(user_id::text, 8))
                   when 1 then format('%s (personal %s)', left(base_name, 50), user_id)
                   else format('%s (personal %s-%s)', left(base_name, 50), left(user_id::text, 8), suffix) end,
      true, user_id)
    on conflict do nothing
    returning id into org;
    if org is not null then
      return org;
    end if;
    -- This user's personal organization itself may be what conflicted.
    select o.id into org from public.organizations o where o.created_by = user_id and o.is_personal;
    if org is not null then
      return org;
    end if;
  end loop;
  raise exception using errcode = '23505', message = 'no free slug and name found for the personal organization';
end;
$$;
comment on function private.new_personal_organization(uuid, text) is
  'Creates a user''s personal organization under a slug and name nobody holds (bounded; another is tried on conflict). Definer: writes organizations.';

create or replace function private.provision_auth_user(auth_user_id uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  result uuid;
begin
  select private.provision_user(u.id, 'supabase', u.id::text, u.email, u.email_confirmed_at is not null, u.raw_user_meta_data, u.id,
                                private.auth_user_groups(u.id, u.raw_app_meta_data, u.is_sso_user))
  into result
  from auth.users u
  where u.id = auth_user_id;
  if result is not null then
    delete from private.provisioning_failures f where f.user_id = result;
  end if;
  return result;
end;
$$;
comment on function private.provision_auth_user(uuid) is
  'Provisions (or repairs) a Supabase Auth user from their auth.users row and clears a recorded failure. Definer: reads auth.users.';

-- ── triggers on auth.users ───────────────────────────────────────────────────
create or replace function private.on_auth_user_created()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  begin
    perform private.provision_user(new.id, 'supabase', new.id::text, new.email, new.email_confirmed_at is not null,
                                   new.raw_user_meta_data, new.id,
                                   case when new.raw_app_meta_data is not null or new.is_sso_user
                                        then private.auth_user_groups(new.id, new.raw_app_meta_data, new.is_sso_user) end);
  exception when others then
    -- A signup must never fail because of provisioning: record it where operators look
    -- (list_provisioning_failures) and let ensure_provisioned() repair.
    declare
      message text;
      state text;
    begin
      get stacked diagnostics message = message_text, state = returned_sqlstate;
      insert into private.provisioning_failures as f (user_id, sqlstate, error)
      values (new.id, state, left(message, 500))
      on conflict (user_id) do update
        set sqlstate = excluded.sqlstate, error = excluded.error, attempts = f.attempts + 1, last_failed_at = pg_catalog.now();
      perform private.audit('user.provision_failed', null, 'user', new.id::text,
        jsonb_build_object('sqlstate', state, 'error', left(message, 500)));
    end;
  end;
  return new;
end;
$$;
comment on function private.on_auth_user_created() is
  'AFTER INSERT on auth.users: provisions the new user; a failure is recorded in provisioning_failures, never fails the signup. Definer: Supabase Auth runs it as supabase_auth_admin, which owns none of our tables.';

create or replace function private.on_auth_user_updated()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  email_changed constant boolean := new.email is distinct from old.email;
begin
  update public.profiles p
  set last_login_at = case when new.last_sign_in_at is distinct from old.last_sign_in_at then new.last_sign_in_at else p.last_login_at end,
      email = case when email_changed then left(lower(new.email), 320) else p.email end,
      -- A new address is unverified until confirmed: by a confirmation in the same update,
      -- or by Supabase Auth applying the pending, confirmed email_change.
      email_verified = case
        when email_changed then coalesce(new.email is not null and new.email_confirmed_at is not null
                                         and (new.email_confirmed_at is distinct from old.email_confirmed_at
                                              or lower(nullif(old.email_change, '')) = lower(new.email)), false)
        when new.email_confirmed_at is distinct from old.email_confirmed_at then new.email_confirmed_at is not null and new.email is not null
        else p.email_verified end
  where p.id = new.id;
  if new.last_sign_in_at is distinct from old.last_sign_in_at then
    begin
      -- Every sign-in re-syncs platform roles from the IdP groups; a failure never blocks the login.
      perform private.sync_platform_roles(new.id, private.auth_user_groups(new.id, new.raw_app_meta_data, new.is_sso_user), 'sign_in');
    exception when others then
      perform private.audit('platform_role.sync_failed', null, 'user', new.id::text, jsonb_build_object('sqlstate', sqlstate, 'error', left(sqlerrm, 500)));
    end;
  end if;
  return new;
end;
$$;
comment on function private.on_auth_user_updated() is
  'AFTER UPDATE on auth.users: sign-ins set last_login_at and re-sync platform roles; email and confirmation changes reach the profile (email_verified). Definer: runs as supabase_auth_admin.';

create or replace trigger on_auth_user_updated
  after update of last_sign_in_at, email, email_confirmed_at on auth.users
  for each row
  when (old.last_sign_in_at is distinct from new.last_sign_in_at or old.email is distinct from new.email
        or old.email_confirmed_at is distinct from new.email_confirmed_at)
  execute function private.on_auth_user_updated();

-- ── verified email only ──────────────────────────────────────────────────────
create or replace function private.caller_email()
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select lower(p.email) from public.profiles p where p.id = private.caller_id() and p.email_verified
$$;
comment on function private.caller_email() is
  'The caller''s profile email, lower-cased, only when verified (else null), for matching invitations. Definer: reads profiles.';

-- ── repair / explicit provisioning for any signed-in user ────────────────────
create or replace function private.ensure_provisioned()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  provider private.identity_providers;
  profile_id uuid;
begin
  select * into provider from private.identity_providers i where i.issuer = claims ->> 'iss';
  if provider.issuer is not null then
    -- A registered issuer's token is that issuer's identity, never a Supabase Auth user.
    if not provider.enabled then
      return private.deny('user.ensure_provisioned', format('issuer "%s" is disabled', provider.issuer), null, 'user', left(claims ->> 'sub', 512));
    end if;
    perform private.provision_caller();
    profile_id := private.caller_id();
  else
    select u.id into profile_id from auth.users u where u.id::text = claims ->> 'sub';
    if profile_id is null then
      raise exception using errcode = '42501', message = 'ensure_provisioned needs a signed-in user';
    end if;
    perform private.provision_auth_user(profile_id);
  end if;
  return jsonb_build_object(
    'profile', (select to_jsonb(p) from public.profiles p where p.id = profile_id),
    'memberships', (select coalesce(jsonb_agg(to_jsonb(m)), '[]'::jsonb) from public.memberships m where m.user_id = profile_id));
end;
$$;
comment on function private.ensure_provisioned() is
  'Creates what a never-completed provisioning left missing for the caller (audited): a Supabase Auth user from auth.users, a registered, enabled third-party identity from its verified claims. Definer: writes rows clients cannot.';

grant execute on function private.list_provisioning_failures() to authenticated, service_role;
revoke execute on all functions in schema private from public;
