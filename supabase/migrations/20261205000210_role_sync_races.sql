-- ════════════════════════════════════════════════════════════════════════════
-- A third-party sign-in's role sync racing an admin's change (issue 14, concurrency
-- suite; SPEC F2, F8). tests/integration/concurrency-role-sync.test.ts forces each race:
--
-- * A suppression saved while the user signed in was lost: sync read the overrides
--   before the admin's change committed and granted the suppressed role after it (its
--   insert waited for the admin's removal of that very role, then wrote it again). Sync
--   (sync_platform_roles) and override changes (set_role_overrides,
--   clear_role_overrides) of one user now take that user's role-sync lock first, so the
--   second always reads what the first committed: an override an admin saved is never
--   undone by a sign-in that overlapped it.
-- * An admin adding the user to their tenant's organization while their sign-in added
--   them too failed the sign-in (500, a duplicate key): the sign-in now finds the
--   membership the admin made and syncs its role like any other (the IdP decides the
--   role in its tenant's organization at every sign-in, as documented).
-- * A sign-in syncing a changed role while ownership was being transferred to the user
--   read the role from before the transfer, then demoted the new owner: the owner check
--   at commit failed the sign-in (409). It now reads the role under the row's lock, so it
--   sees the user as owner and, as for any last owner, leaves the role alone (audited
--   as membership.sync_skipped).
-- ════════════════════════════════════════════════════════════════════════════

create function private.lock_role_sync(user_id uuid)
returns void
language sql
set search_path = ''
as $$
  select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.role_sync:' || user_id::text, 0))
$$;
comment on function private.lock_role_sync(uuid) is
  'Takes a user''s role-sync lock until the transaction ends: role sync and override changes of one user run one after the other.';

create or replace function private.sync_platform_roles(user_id uuid, groups text[], reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  overrides public.role_overrides;
  mapped text[] := case when groups is null then '{}'::text[]
                        else array(select distinct m.role from private.group_role_mappings m
                                   where m.group_key = any (array(select lower(btrim(g)) from unnest(groups) as g))) end;
  defaults text[] := array(select d from unnest((select s.default_platform_roles from private.settings s)) as d
                           where exists (select 1 from public.roles r where r.scope = 'platform' and r.name = d));
  desired text[];
  role_name text;
  role_source text;
  granted text[] := '{}';
  revoked text[] := '{}';
begin
  -- One sync or override change of a user at a time: each reads the overrides the other wrote.
  perform private.lock_role_sync(user_id);
  select * into overrides from public.role_overrides o where o.user_id = sync_platform_roles.user_id;
  desired := array(select unnest(defaults || mapped) except select unnest(coalesce(overrides.suppressed, '{}')));

  for role_name, role_source in
    select d, case when d = any (mapped) then 'idp' else 'default' end from unnest(desired) as d
  loop
    insert into public.platform_role_assignments (user_id, role, source)
    values (user_id, role_name, role_source)
    on conflict do nothing;
    if found then
      granted := granted || role_name;
      perform private.audit('platform_role.grant', null, 'user', user_id::text,
        jsonb_build_object('role', role_name, 'source', role_source, 'reason', reason,
                           'why', case when role_source = 'idp' then 'group mapping' else 'default role' end));
    end if;
  end loop;

  if groups is not null and not coalesce(overrides.paused, false) then
    for role_name, role_source in
      delete from public.platform_role_assignments a
      where a.user_id = sync_platform_roles.user_id
        and a.source in ('idp', 'default', 'jit')
        and a.role <> all (desired)
        and a.role <> all (coalesce(overrides.preserved, '{}'))
      returning a.role, a.source
    loop
      revoked := revoked || role_name;
      perform private.audit('platform_role.revoke', null, 'user', user_id::text,
        jsonb_build_object('role', role_name, 'source', role_source, 'reason', reason,
                           'why', case when role_name = any (coalesce(overrides.suppressed, '{}')) then 'suppressed by override' else 'no longer in the user''s groups' end));
    end loop;
  end if;

  return jsonb_build_object('granted', to_jsonb(granted), 'revoked', to_jsonb(revoked),
                            'groups_present', groups is not null, 'paused', coalesce(overrides.paused, false));
end;
$$;
comment on function private.sync_platform_roles(uuid, text[], text) is
  'Applies the F8 sync rules for one user under the user''s role-sync lock; groups null = claim absent (no revocation); preserved roles are kept, never granted. Definer: writes assignments and audit.';

create or replace function private.set_role_overrides(user_id uuid, paused boolean, preserved text[], suppressed text[])
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  clean_preserved text[];
  clean_suppressed text[];
  overlap text[];
  before jsonb;
  after jsonb;
  removed record;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('role_overrides.set', 'you may not change role overrides', null, 'user', user_id::text);
  end if;
  -- Waits for a sync of this user in progress (and holds the next one back): see lock_role_sync.
  perform private.lock_role_sync(user_id);
  if not exists (select 1 from public.profiles p where p.id = user_id) then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  clean_preserved := private.normalize_roles(preserved, 'preserved');
  clean_suppressed := private.normalize_roles(suppressed, 'suppressed');
  overlap := array(select unnest(clean_preserved) intersect select unnest(clean_suppressed) order by 1);
  if cardinality(overlap) > 0 then
    raise exception using errcode = '22023',
      message = format('preserved: %s cannot be both preserved and suppressed', array_to_string(overlap, ', '));
  end if;
  before := private.role_overrides_json(user_id);

  if not coalesce(paused, false) and cardinality(clean_preserved) = 0 and cardinality(clean_suppressed) = 0 then
    delete from public.role_overrides o where o.user_id = set_role_overrides.user_id;
  else
    insert into public.role_overrides (user_id, paused, preserved, suppressed, updated_by)
    values (user_id, coalesce(paused, false), clean_preserved, clean_suppressed, private.caller_id())
    on conflict on constraint role_overrides_pkey do update
      set paused = excluded.paused, preserved = excluded.preserved, suppressed = excluded.suppressed, updated_by = excluded.updated_by;
  end if;
  after := private.role_overrides_json(user_id);
  perform private.audit('role_overrides.set', null, 'user', user_id::text, jsonb_build_object('before', before, 'after', after));

  -- An admin's suppression applies now, not at the next sign-in (it is not automatic revocation).
  for removed in
    delete from public.platform_role_assignments a
    where a.user_id = set_role_overrides.user_id and a.source in ('idp', 'default', 'jit') and a.role = any (clean_suppressed)
    returning a.role, a.source
  loop
    perform private.audit('platform_role.revoke', null, 'user', user_id::text,
      jsonb_build_object('role', removed.role, 'source', removed.source, 'reason', 'override', 'why', 'suppressed by override'));
  end loop;
  -- Preserved roles grant nothing: they only keep a role the user holds from being revoked.
  return after;
end;
$$;
comment on function private.set_role_overrides(uuid, boolean, text[], text[]) is
  'Sets a user''s overrides, normalised, under the user''s role-sync lock; clearing every field removes them (users:admin). Suppressed automatic grants are revoked at once (audited); preserved roles grant nothing. Definer: writes overrides, assignments and audit.';

create or replace function private.clear_role_overrides(user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  before jsonb;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('role_overrides.clear', 'you may not change role overrides', null, 'user', user_id::text);
  end if;
  perform private.lock_role_sync(user_id);
  before := private.role_overrides_json(user_id);
  delete from public.role_overrides o where o.user_id = clear_role_overrides.user_id;
  if found then
    perform private.audit('role_overrides.clear', null, 'user', user_id::text, jsonb_build_object('before', before));
  end if;
  return private.role_overrides_json(user_id);
end;
$$;
comment on function private.clear_role_overrides(uuid) is
  'Removes a user''s overrides (users:admin), under the user''s role-sync lock. Definer: writes overrides and audit.';

create or replace function private.jit_provision(claims jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  provider private.identity_providers;
  subject text := claims ->> 'sub';
  profile public.profiles;
  created boolean := false;
  refreshed boolean := false;
  tenant text;
  org uuid;
  org_role text;
  current_role_name text;
  groups text[];
  removed record;
  name_keys constant text[] := array['name', 'full_name', 'display_name', 'preferred_username', 'nickname'];
  avatar_keys constant text[] := array['picture', 'avatar_url', 'profilePictureUrl'];
  token_email text := lower(private.claim_text(claims, 'email', 320));
  token_email_verified boolean := coalesce(claims -> 'email_verified' = 'true'::jsonb, false);
  token_name text := private.clean_display_text(private.metadata_text(claims, name_keys, 200));
  token_avatar text := private.safe_url(private.metadata_text(claims, avatar_keys, 2049));
  n integer;
begin
  select * into provider from private.identity_providers i where i.issuer = claims ->> 'iss' and i.enabled;
  if provider is null then
    raise exception using errcode = '42501', message = format('issuer "%s" is not a registered identity provider', claims ->> 'iss');
  end if;
  if subject is null or char_length(subject) not between 1 and 512 then
    raise exception using errcode = '22023', message = 'the token has no usable sub claim';
  end if;
  -- Concurrent first requests for one identity queue here; the first creates, the rest find.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.identity:' || provider.issuer || '|' || subject, 0));

  select * into profile from public.profiles p
  where p.identity_provider = provider.issuer and p.identity_sub = subject and p.auth_user_id is null;
  if profile is null then
    insert into public.profiles (identity_provider, identity_sub, email, email_verified, display_name, avatar_url, last_login_at, provisioned_at)
    values (provider.issuer, subject, token_email, token_email is not null and token_email_verified,
            token_name, token_avatar, pg_catalog.now(), pg_catalog.now())
    returning * into profile;
    created := true;
    perform private.audit('user.provision', null, 'user', profile.id::text,
      jsonb_build_object('identity_provider', provider.issuer, 'source', 'jit'));
  else
    -- Refresh what the token says; last_login_at at most once a minute (a hot path: every
    -- request). A token with an email says whether it is verified; without one, both stay.
    update public.profiles p
    set last_login_at = pg_catalog.now(),
        email = coalesce(token_email, p.email),
        email_verified = case when token_email is not null then token_email_verified else p.email_verified end,
        display_name = coalesce(token_name, p.display_name),
        avatar_url = coalesce(token_avatar, p.avatar_url)
    where p.id = profile.id
      and (p.last_login_at is null or p.last_login_at < pg_catalog.now() - interval '1 minute'
           or p.email is distinct from coalesce(token_email, p.email)
           or (token_email is not null and p.email_verified is distinct from token_email_verified)
           or p.display_name is distinct from coalesce(token_name, p.display_name)
           or p.avatar_url is distinct from coalesce(token_avatar, p.avatar_url));
    get diagnostics n = row_count;
    refreshed := n > 0;
  end if;
  if profile.disabled_at is not null then
    return jsonb_build_object('profile_id', profile.id, 'created', created, 'disabled', true);
  end if;

  tenant := private.claim_text(claims, provider.tenant_claim, 512);
  if tenant is not null then
    org := private.linked_organization(provider, tenant, private.claim_text(claims, provider.tenant_name_claim, 100));
    org_role := private.org_role_from_claims(provider, claims);
    -- Locked: a role an admin is changing (or an ownership being transferred) is read
    -- once that change has committed, never from before it.
    select m.role into current_role_name from public.memberships m
    where m.organization_id = org and m.user_id = profile.id for no key update;
    if current_role_name is null then
      insert into public.memberships (organization_id, user_id, role) values (org, profile.id, org_role)
      on conflict do nothing;
      if found then
        perform private.audit('membership.add', org, 'user', profile.id::text, jsonb_build_object('role', org_role, 'source', 'jit'));
      else
        -- Added meanwhile (an admin's add_member committed first): sync its role as below.
        select m.role into current_role_name from public.memberships m
        where m.organization_id = org and m.user_id = profile.id for no key update;
      end if;
    end if;
    if current_role_name is not null and current_role_name <> org_role then
      -- The same rule (and owner locks) as change_member_role: an organization keeps an owner.
      if current_role_name = 'owner' and private.would_orphan(org, profile.id) then
        -- Audited when the profile is refreshed (at most once a minute), not on every request.
        if refreshed then
          perform private.audit('membership.sync_skipped', org, 'user', profile.id::text,
            jsonb_build_object('role', current_role_name, 'token_role', org_role, 'source', 'jit',
                               'why', 'the last owner of an organization is never demoted by sync'));
        end if;
        org_role := current_role_name;
      else
        update public.memberships m set role = org_role where m.organization_id = org and m.user_id = profile.id;
        perform private.audit('membership.change_role', org, 'user', profile.id::text,
          jsonb_build_object('before', current_role_name, 'after', org_role, 'source', 'jit'));
      end if;
    end if;
    if provider.tenant_switch = 'move' then
      for removed in
        select m.organization_id, m.role
        from public.memberships m
        join private.organization_links l on l.organization_id = m.organization_id and l.issuer = provider.issuer
        where m.user_id = profile.id and m.organization_id <> org
        order by m.organization_id
        for update of m
      loop
        if removed.role = 'owner' and private.would_orphan(removed.organization_id, profile.id) then
          if refreshed or created then
            perform private.audit('membership.sync_skipped', removed.organization_id, 'user', profile.id::text,
              jsonb_build_object('role', removed.role, 'source', 'jit', 'why', 'the last owner of an organization is never removed by sync'));
          end if;
        else
          delete from public.memberships m where m.organization_id = removed.organization_id and m.user_id = profile.id;
          perform private.audit('membership.remove', removed.organization_id, 'user', profile.id::text,
            jsonb_build_object('role', removed.role, 'source', 'jit', 'why', 'the token names another tenant'));
        end if;
      end loop;
    end if;
  end if;

  groups := private.groups_value(claims -> provider.groups_claim);
  perform private.sync_platform_roles(profile.id, groups, case when created then 'jit_provisioning' else 'jit_sign_in' end);
  return jsonb_build_object('profile_id', profile.id, 'created', created, 'organization_id', org, 'role', org_role, 'disabled', false);
end;
$$;
comment on function private.jit_provision(jsonb) is
  'Provisions or refreshes a third-party IdP user from verified token claims (email_verified from the claim; the last owner of an organization is never demoted or removed; the tenant membership''s role is read under its row lock, and one added meanwhile is synced, not duplicated); idempotent and serialised per identity. Definer: writes profiles, organizations, memberships and roles. Called only through provision_caller(), with the verified claims of the request.';

revoke execute on all functions in schema private from public;
