-- Who sees which profiles, and how much of them (issue 10, item 4). One rule:
--   * you read your own profile, the people you share an organization with (one in
--     which you are a member with members:read), and everyone with users:admin;
--   * through the table, signed-in users read only the public columns of a profile
--     (id, display_name, avatar_url, email). The whole row (company, timezone, plan,
--     last_login_at, identity columns, flags, disabled state) comes from definer
--     functions: public.me() for your own, public.get_profile(user_id) for your own or,
--     with users:admin, anyone's (and the public columns of a co-member's).
-- Before this, caller_co_member_ids() counted a platform-wide members:read (auditor,
-- reader) as sharing every organization, so those roles read every member's profile.

create or replace function private.caller_co_member_ids()
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
  scopes text[] := private.token_scopes();
begin
  if caller is null or (scopes is not null and not 'members:read' = any (scopes)) then
    return '{}';
  end if;
  -- Only organizations the caller actually belongs to with members:read: a platform
  -- role's members:read is no membership, and the default organization (which every
  -- user may join) is no shared team, or everyone would read everyone's email.
  return array(
    select distinct m.user_id
    from public.memberships m
    where m.organization_id = any (array(
      select mine.organization_id from public.memberships mine
      join public.organizations o on o.id = mine.organization_id and not o.is_default
      where mine.user_id = caller
        and mine.role = any (array(
          select rp.role from public.role_permissions rp
          where rp.scope = 'org' and rp.permission = 'members:read')))));
end;
$$;
comment on function private.caller_co_member_ids() is
  'Users who share an organization (other than the default one) in which the caller is a member with members:read (platform roles do not count), none when the token used lacks members:read. Definer: reads memberships across those orgs.';

comment on policy profiles_select_self_comembers_admins on public.profiles is
  'You see yourself, people you share an organization with as a member holding members:read, and everyone if you hold users:admin. Column grants limit what signed-in users read to the public columns.';

-- Column-level SELECT: the public subset of a profile.
revoke select on public.profiles from authenticated;
grant select (id, display_name, avatar_url, email) on public.profiles to authenticated;
comment on table public.profiles is
  'One row per user. Supabase Auth users: id = auth.users.id, identity_provider = ''supabase''. Third-party IdP users: identity_provider = token issuer, identity_sub = token subject. Signed-in users read id, display_name, avatar_url and email of the profiles they may see; their own full profile through public.me().';

-- ── one profile, as much of it as the caller may see ─────────────────────────
create function private.get_profile(user_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid;
  profile public.profiles;
begin
  if private.has_platform_permission('users:admin') then
    select * into profile from public.profiles p where p.id = user_id;
    if profile.id is null then
      raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
    end if;
    return to_jsonb(profile);
  end if;
  caller := private.require_caller();
  select * into profile from public.profiles p where p.id = user_id;
  if profile.id = caller then
    return to_jsonb(profile);
  elsif profile.id = any (private.caller_co_member_ids()) then
    return jsonb_build_object('id', profile.id, 'display_name', profile.display_name,
                              'avatar_url', profile.avatar_url, 'email', profile.email);
  end if;
  -- A stranger and an unknown id get the same answer: no existence oracle.
  raise exception using errcode = 'P0002', message = format('no user with id "%s" that you may see', user_id);
end;
$$;
comment on function private.get_profile(uuid) is
  'A profile: the whole row for yourself or with users:admin, the public columns for a co-member, not found otherwise. Definer: reads the columns signed-in users have no grant on.';

-- Its RPC, public.get_profile(user_id), is defined behind the RPC gate (rpc_contracts_profiles migration).
grant execute on function private.get_profile(uuid) to authenticated, service_role;

revoke execute on all functions in schema private from public;
