-- ════════════════════════════════════════════════════════════════════════════
-- Administering users (SPEC F14, issue 11): list and search, one user in full, edit,
-- disable and enable, delete, and the first step of creating one. Every function needs
-- users:admin (the operator and the secret key act as admins), refuses through
-- private.deny, and audits what it changes. Creating, banning and deleting a Supabase
-- Auth user also needs Supabase Auth's admin API, which the admin edge function calls
-- after these functions have authorised and recorded the change.
-- ════════════════════════════════════════════════════════════════════════════

-- ── a user's status ─────────────────────────────────────────────────────────
create index profiles_created_at_id_idx on public.profiles (created_at desc, id desc);
comment on index public.profiles_created_at_id_idx is 'The admin user list''s order and keyset.';
create index profiles_disabled_created_at_idx on public.profiles (created_at desc, id desc) where disabled_at is not null;
create index profiles_unprovisioned_created_at_idx on public.profiles (created_at desc, id desc) where provisioned_at is null and disabled_at is null;
comment on index public.profiles_disabled_created_at_idx is 'The admin user list filtered to disabled users (few among many).';
comment on index public.profiles_unprovisioned_created_at_idx is 'The admin user list filtered to unprovisioned users (few among many).';

create function private.user_status(profile public.profiles)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when profile.disabled_at is not null then 'disabled'
              when profile.provisioned_at is null then 'unprovisioned'
              else 'active' end
$$;
comment on function private.user_status(public.profiles) is
  'active, disabled (disabled_at set) or unprovisioned (provisioning never completed). A Supabase Auth user with no profile at all is unprovisioned too.';

create function private.platform_roles_json(user_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('role', a.role, 'source', a.source, 'granted_by', a.granted_by, 'created_at', a.created_at)
                            order by a.role), '[]'::jsonb)
  from public.platform_role_assignments a where a.user_id = platform_roles_json.user_id
$$;
comment on function private.platform_roles_json(uuid) is
  'A user''s platform roles with where each came from (admin, idp, default). Definer: callers have checked users:admin.';

-- ── list ────────────────────────────────────────────────────────────────────
create function private.admin_list_users(q text, platform_role text, organization_id uuid, status text, provider text,
                                         after_created_at timestamptz, after_id uuid, page_size integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  pattern text := private.like_pattern(q);
  rows jsonb;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('user.list', 'you may not list users (users:admin)');
  end if;
  if page_size is null or page_size not between 1 and 200 then
    raise exception using errcode = '22023', message = 'page_size must be between 1 and 200', column = 'page_size';
  end if;
  if status is not null and status not in ('active', 'disabled', 'unprovisioned') then
    raise exception using errcode = '22023', message = 'status must be active, disabled or unprovisioned', column = 'status';
  end if;

  -- Newest first; keyset pagination on (created_at, id).
  with page as (
    select p.* from public.profiles p
    where (pattern is null or p.email ilike pattern or p.display_name ilike pattern)
      and (provider is null or p.identity_provider = provider)
      -- user_status() spelled out as column tests, so a status filter can use its partial index.
      and (status is null
           or status = 'disabled' and p.disabled_at is not null
           or status = 'unprovisioned' and p.disabled_at is null and p.provisioned_at is null
           or status = 'active' and p.disabled_at is null and p.provisioned_at is not null)
      and (platform_role is null or exists (
            select 1 from public.platform_role_assignments a where a.user_id = p.id and a.role = platform_role))
      and (admin_list_users.organization_id is null or exists (
            select 1 from public.memberships m where m.user_id = p.id and m.organization_id = admin_list_users.organization_id))
      and (after_id is null or (p.created_at, p.id) < (after_created_at, after_id))
    order by p.created_at desc, p.id desc
    limit page_size
  ),
  -- Supabase Auth users whose signup provisioning failed have no profile: they are listed
  -- when unprovisioned users are asked for (auth.users ids, in the same keyset).
  unprovisioned as (
    select u.id, u.email, u.last_sign_in_at, u.created_at from auth.users u
    where status = 'unprovisioned' and (provider is null or provider = 'supabase')
      and platform_role is null and admin_list_users.organization_id is null
      and not exists (select 1 from public.profiles p where p.auth_user_id = u.id)
      and (pattern is null or u.email ilike pattern)
      and (after_id is null or (u.created_at, u.id) < (after_created_at, after_id))
    order by u.created_at desc, u.id desc
    limit page_size
  ),
  listed as (
    select p.created_at, p.id, jsonb_build_object(
             'id', p.id, 'email', p.email, 'display_name', p.display_name, 'avatar_url', p.avatar_url,
             'provider', p.identity_provider,
             -- Inline rather than platform_roles_json(): a definer call per row costs more than the rows.
             'platform_roles', coalesce((
               select jsonb_agg(jsonb_build_object('role', a.role, 'source', a.source, 'granted_by', a.granted_by, 'created_at', a.created_at)
                                order by a.role)
               from public.platform_role_assignments a where a.user_id = p.id), '[]'::jsonb),
             'organization_count', (select count(*) from public.memberships m where m.user_id = p.id),
             'last_login_at', p.last_login_at, 'status', private.user_status(p), 'created_at', p.created_at) as row
    from page p
    union all
    select u.created_at, u.id, jsonb_build_object(
             'id', u.id, 'email', u.email, 'display_name', null, 'avatar_url', null, 'provider', 'supabase',
             'platform_roles', '[]'::jsonb, 'organization_count', 0, 'last_login_at', u.last_sign_in_at,
             'status', 'unprovisioned', 'created_at', u.created_at)
    from unprovisioned u
  )
  select coalesce(jsonb_agg(l.row order by l.created_at desc, l.id desc), '[]'::jsonb) into rows
  from (select * from listed order by created_at desc, id desc limit page_size) l;

  return jsonb_build_object('users', rows,
    'next', case when jsonb_array_length(rows) = page_size
                 then jsonb_build_object('created_at', rows -> (page_size - 1) -> 'created_at', 'id', rows -> (page_size - 1) -> 'id') end);
end;
$$;
comment on function private.admin_list_users(text, text, uuid, text, text, timestamptz, uuid, integer) is
  'A page of users, newest first: search q in email and display name (trigram indexes), filters platform role, organization, status, identity provider; keyset (after_created_at, after_id). Definer: reads every profile once users:admin is checked.';

-- ── one user in full ────────────────────────────────────────────────────────
create function private.admin_get_user(user_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  profile public.profiles;
  auth_user auth.users;
  failure jsonb;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('user.read', 'you may not read users (users:admin)', null, 'user', user_id::text);
  end if;
  select * into profile from public.profiles p where p.id = user_id;
  select * into auth_user from auth.users u where u.id = coalesce(profile.auth_user_id, user_id);
  if profile.id is null and auth_user.id is null then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  select jsonb_build_object('sqlstate', f.sqlstate, 'error', f.error, 'attempts', f.attempts,
                            'first_failed_at', f.first_failed_at, 'last_failed_at', f.last_failed_at)
  into failure from private.provisioning_failures f where f.user_id = auth_user.id;

  return jsonb_build_object(
    'profile', case when profile.id is not null then to_jsonb(profile) end,
    'status', case when profile.id is null then 'unprovisioned' else private.user_status(profile) end,
    'auth', case when auth_user.id is not null then jsonb_build_object(
              'id', auth_user.id, 'email', auth_user.email, 'email_confirmed_at', auth_user.email_confirmed_at,
              'invited_at', auth_user.invited_at, 'last_sign_in_at', auth_user.last_sign_in_at,
              'banned_until', auth_user.banned_until, 'created_at', auth_user.created_at) end,
    'memberships', coalesce((
      select jsonb_agg(jsonb_build_object('organization_id', o.id, 'slug', o.slug, 'name', o.name, 'role', m.role,
                                          'is_personal', o.is_personal, 'is_default', o.is_default, 'since', m.created_at)
                       order by o.name)
      from public.memberships m join public.organizations o on o.id = m.organization_id
      where m.user_id = profile.id), '[]'::jsonb),
    'platform_roles', private.platform_roles_json(profile.id),
    'role_overrides', case when profile.id is not null then private.role_overrides_json(profile.id) end,
    'tokens', coalesce((
      select jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name, 'prefix', t.prefix, 'scopes', t.scopes,
                                          'created_at', t.created_at, 'last_used_at', t.last_used_at,
                                          'expires_at', t.expires_at, 'revoked_at', t.revoked_at)
                       order by t.created_at desc)
      from public.personal_access_tokens t where t.user_id = profile.id), '[]'::jsonb),
    'quota_usage', case when profile.id is not null then jsonb_build_object(
      'plan', profile.plan,
      'orgs_per_user', jsonb_build_object('max', private.quota_max('orgs_per_user', profile.plan), 'used', private.quota_used('orgs_per_user', profile.id)),
      'tokens_per_user', jsonb_build_object('max', private.quota_max('tokens_per_user', profile.plan), 'used', private.quota_used('tokens_per_user', profile.id))) end,
    'recent_audit_events', coalesce((
      select jsonb_agg(to_jsonb(e) - 'prev_hash' - 'hash' order by e.id desc)
      from (
        select * from (
          select e.* from public.audit_events e where e.actor_id = profile.id order by e.id desc limit 20) as acted
        union
        select * from (
          select e.* from public.audit_events e where e.target_type = 'user' and e.target_id = user_id::text order by e.id desc limit 20) as targeted
        order by id desc limit 20) e), '[]'::jsonb),
    'provisioning', jsonb_build_object(
      'provisioned_at', profile.provisioned_at,
      'failure', failure));
end;
$$;
comment on function private.admin_get_user(uuid) is
  'One user for operators: profile, status, their Supabase Auth record, memberships, platform roles with source, role overrides, token metadata, quota usage, the last 20 audit events by or about them, provisioning state. Definer: users:admin is checked first.';

-- ── edit ────────────────────────────────────────────────────────────────────
create function private.admin_update_user(user_id uuid, changes jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  editable constant text[] := array['display_name', 'avatar_url', 'company_name', 'timezone', 'onboarding_completed', 'plan'];
  before public.profiles;
  after public.profiles;
  refused text[];
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('user.update', 'you may not edit users (users:admin)', null, 'user', user_id::text);
  end if;
  if changes is null or jsonb_typeof(changes) <> 'object' then
    raise exception using errcode = '22023', message = 'changes must be a JSON object', column = 'changes';
  end if;
  refused := array(select k from jsonb_object_keys(changes) as k where not k = any (editable) order by k);
  if cardinality(refused) > 0 then
    raise exception using errcode = '22023', column = refused[1],
      message = format('not editable: %s (editable: %s)', array_to_string(refused, ', '), array_to_string(editable, ', '));
  end if;
  if changes ? 'plan' and not exists (select 1 from public.plan_limits l where l.plan = changes ->> 'plan') then
    raise exception using errcode = '22023', column = 'plan', message = format('unknown plan "%s"', changes ->> 'plan');
  end if;
  if changes ? 'onboarding_completed' and jsonb_typeof(changes -> 'onboarding_completed') <> 'boolean' then
    raise exception using errcode = '22023', column = 'onboarding_completed', message = 'onboarding_completed must be true or false';
  end if;
  select * into before from public.profiles p where p.id = user_id for update;
  if before.id is null then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  -- The profile_values trigger cleans the text values (bidi marks, unsafe URLs, unknown time zones).
  update public.profiles p set
    display_name = case when changes ? 'display_name' then changes ->> 'display_name' else p.display_name end,
    avatar_url = case when changes ? 'avatar_url' then changes ->> 'avatar_url' else p.avatar_url end,
    company_name = case when changes ? 'company_name' then changes ->> 'company_name' else p.company_name end,
    timezone = case when changes ? 'timezone' then changes ->> 'timezone' else p.timezone end,
    onboarding_completed = case when changes ? 'onboarding_completed' then (changes ->> 'onboarding_completed')::boolean else p.onboarding_completed end,
    plan = case when changes ? 'plan' then changes ->> 'plan' else p.plan end
  where p.id = user_id
  returning * into after;
  perform private.audit('user.update', null, 'user', user_id::text, jsonb_build_object(
    'before', (select jsonb_object_agg(k, to_jsonb(before) -> k) from jsonb_object_keys(changes) as k),
    'after', (select jsonb_object_agg(k, to_jsonb(after) -> k) from jsonb_object_keys(changes) as k)));
  return to_jsonb(after);
end;
$$;
comment on function private.admin_update_user(uuid, jsonb) is
  'Changes the editable fields of a user''s profile (display_name, avatar_url, company_name, timezone, onboarding_completed, plan); any other key is refused, named. Audited with before and after. Definer: profiles are written by Tenantry only.';

-- ── disable / enable ────────────────────────────────────────────────────────
create function private.set_user_disabled(user_id uuid, disabled boolean)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  action text := case when disabled then 'user.disable' else 'user.enable' end;
  profile public.profiles;
  sessions integer := 0;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny(action, 'you may not disable or enable users (users:admin)', null, 'user', user_id::text);
  end if;
  if disabled is null then
    raise exception using errcode = '22023', message = 'disabled must be true or false', column = 'disabled';
  end if;
  if disabled and user_id = private.caller_id() then
    return private.deny(action, 'you may not disable yourself', null, 'user', user_id::text);
  end if;
  update public.profiles p
  set disabled_at = case when disabled then coalesce(p.disabled_at, pg_catalog.now()) end
  where p.id = user_id
  returning * into profile;
  if profile.id is null then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  if disabled and profile.auth_user_id is not null then
    -- Signed out everywhere: their refresh tokens go with the sessions (Supabase Auth's own
    -- ban then stops new sign-ins). Tenantry already refuses their access tokens.
    with ended as (delete from auth.sessions s where s.user_id = profile.auth_user_id returning 1)
    select count(*)::integer into sessions from ended;
  end if;
  perform private.audit(action, null, 'user', user_id::text, jsonb_build_object('sessions_revoked', sessions));
  return jsonb_build_object('id', profile.id, 'auth_user_id', profile.auth_user_id, 'disabled_at', profile.disabled_at,
                            'status', private.user_status(profile), 'sessions_revoked', sessions);
end;
$$;
comment on function private.set_user_disabled(uuid, boolean) is
  'Disables (disabled_at; Supabase Auth sessions revoked) or enables a user. A disabled user is refused from their very next request, whatever token they hold. Nobody disables themselves. Definer: writes profiles and auth.sessions.';

-- ── delete ──────────────────────────────────────────────────────────────────
create function private.delete_user(user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  profile public.profiles;
  orphaned text;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('user.delete', 'you may not delete users (users:admin)', null, 'user', user_id::text);
  end if;
  if user_id = private.caller_id() then
    return private.deny('user.delete', 'you may not delete yourself', null, 'user', user_id::text);
  end if;
  select * into profile from public.profiles p where p.id = user_id for update;
  if profile.id is null then
    if exists (select 1 from auth.users u where u.id = user_id) then
      -- A Supabase Auth user whose provisioning failed: only Supabase Auth holds them.
      perform private.audit('user.delete_requested', null, 'user', user_id::text, jsonb_build_object('via', 'supabase_auth'));
      return jsonb_build_object('id', user_id, 'auth_user_id', user_id, 'deleted', false);
    end if;
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  select string_agg(format('%s (%s)', o.name, o.slug), ', ' order by o.name) into orphaned
  from public.memberships m join public.organizations o on o.id = m.organization_id
  where m.user_id = profile.id and m.role = 'owner' and not o.is_personal
    and not exists (select 1 from public.memberships other
                    where other.organization_id = m.organization_id and other.role = 'owner' and other.user_id <> profile.id);
  if orphaned is not null then
    raise exception using errcode = '55000',
      message = format('the user is the last owner of %s: transfer ownership first', orphaned);
  end if;
  if profile.auth_user_id is not null then
    -- Deleted through Supabase Auth's admin API next; the profile follows by cascade and
    -- its deletion is audited then (user.delete). This records who asked.
    perform private.audit('user.delete_requested', null, 'user', user_id::text,
      jsonb_build_object('via', 'supabase_auth', 'email', profile.email));
    return jsonb_build_object('id', profile.id, 'auth_user_id', profile.auth_user_id, 'deleted', false);
  end if;
  delete from public.profiles p where p.id = profile.id;  -- audited by the profiles_on_deleted trigger
  return jsonb_build_object('id', profile.id, 'auth_user_id', null, 'deleted', true);
end;
$$;
comment on function private.delete_user(uuid) is
  'Deletes a user: a third-party user''s profile here (cascading; the audit history stays), a Supabase Auth user through the admin function, which calls Supabase Auth after this has authorised and recorded it. Refuses the last owner of a shared organization. Definer: deletes profiles.';

-- ── create (the authorisation step) ─────────────────────────────────────────
create function private.begin_user_creation(email text, organization_id uuid, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  clean_email text := lower(pg_catalog.btrim(email));
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('user.create', 'you may not create users (users:admin)', organization_id, 'user', clean_email);
  end if;
  if clean_email is null or clean_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' or char_length(clean_email) > 320 then
    raise exception using errcode = '22023', column = 'email', message = 'email must be an email address';
  end if;
  if exists (select 1 from auth.users u where lower(u.email) = clean_email)
     or exists (select 1 from public.profiles p where lower(p.email) = clean_email and p.email_verified) then
    raise exception using errcode = '23505', column = 'email', message = format('a user with email "%s" already exists', clean_email);
  end if;
  if organization_id is not null then
    perform private.require_org_role(coalesce(role, 'member'));
    if not exists (select 1 from public.organizations o where o.id = organization_id) then
      raise exception using errcode = 'P0002', column = 'organization_id', message = format('no organization with id "%s"', organization_id);
    end if;
    -- What add_member will check once the user exists, checked before Supabase Auth creates
    -- (or emails) anyone: the caller's rank, and a free member slot.
    if private.role_rank('org', coalesce(role, 'member')) > private.caller_rank_in(organization_id) then
      return private.deny('user.create', format('you may not grant "%s", which ranks above your own role', role), organization_id, 'user', clean_email);
    end if;
    perform private.enforce_quota('members_per_org', organization_id);
  elsif role is not null then
    raise exception using errcode = '22023', column = 'role', message = 'role needs organization_id';
  end if;
  perform private.audit('user.create', organization_id, 'user', clean_email,
    jsonb_build_object('email', clean_email, 'organization_id', organization_id, 'role', role));
  return jsonb_build_object('email', clean_email);
end;
$$;
comment on function private.begin_user_creation(text, uuid, text) is
  'Authorises and records the creation of a Supabase Auth user by email (users:admin), before the admin function asks Supabase Auth to create or invite them; refuses an email already in use. Definer: reads auth.users.';

-- ── RPCs ────────────────────────────────────────────────────────────────────
insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('admin_list_users', 'user.list', 'users:admin', 'profile', true, false),
  ('admin_get_user', 'user.read', 'users:admin', 'profile', true, false),
  ('admin_update_user', 'user.update', 'users:admin', 'profile', true, true),
  ('set_user_disabled', 'user.disable', 'users:admin', 'profile', true, true),
  ('delete_user', 'user.delete', 'users:admin', 'profile', true, true),
  ('begin_user_creation', 'user.create', 'users:admin', 'profile', true, true);

create function public.admin_list_users(q text default null, platform_role text default null, organization_id uuid default null,
                                        status text default null, provider text default null,
                                        after_created_at timestamptz default null, after_id uuid default null,
                                        page_size integer default 50)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('admin_list_users'),
                      private.admin_list_users(q, platform_role, organization_id, status, provider, after_created_at, after_id, page_size)) $$;
comment on function public.admin_list_users(text, text, uuid, text, text, timestamptz, uuid, integer) is
  'RPC (users:admin): a page of users, newest first, with search and filters; pass next.created_at and next.id as after_created_at and after_id for the next page.';

create function public.admin_get_user(user_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('admin_get_user'), private.admin_get_user(user_id)) $$;
comment on function public.admin_get_user(uuid) is 'RPC (users:admin): one user in full.';

create function public.admin_update_user(user_id uuid, changes jsonb)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('admin_update_user'), private.admin_update_user(user_id, changes)) $$;
comment on function public.admin_update_user(uuid, jsonb) is 'RPC (users:admin): edit a user''s editable profile fields and plan.';

create function public.set_user_disabled(user_id uuid, disabled boolean)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('set_user_disabled'), private.set_user_disabled(user_id, disabled)) $$;
comment on function public.set_user_disabled(uuid, boolean) is 'RPC (users:admin): disable or enable a user; effective on their next request.';

create function public.delete_user(user_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('delete_user'), private.delete_user(user_id)) $$;
comment on function public.delete_user(uuid) is
  'RPC (users:admin): delete a third-party user; for a Supabase Auth user it authorises the deletion, which the admin API then asks Supabase Auth for.';

create function public.begin_user_creation(email text, organization_id uuid default null, role text default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('begin_user_creation'), private.begin_user_creation(email, organization_id, role)) $$;
comment on function public.begin_user_creation(text, uuid, text) is
  'RPC (users:admin): authorise creating a Supabase Auth user by email; the admin API then creates or invites them.';

-- The wrappers run as the caller and call the implementations; nothing else is executable.
revoke execute on all functions in schema private from public;
grant execute on function private.admin_list_users(text, text, uuid, text, text, timestamptz, uuid, integer), private.admin_get_user(uuid),
  private.admin_update_user(uuid, jsonb), private.set_user_disabled(uuid, boolean), private.delete_user(uuid),
  private.begin_user_creation(text, uuid, text) to authenticated, service_role;
call private.grant_rpc('public.admin_list_users(text, text, uuid, text, text, timestamptz, uuid, integer)', 'public.admin_get_user(uuid)',
                       'public.admin_update_user(uuid, jsonb)', 'public.set_user_disabled(uuid, boolean)',
                       'public.delete_user(uuid)', 'public.begin_user_creation(text, uuid, text)');
