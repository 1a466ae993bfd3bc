-- ════════════════════════════════════════════════════════════════════════════
-- A caller's organizations in one read (issue 13; SPEC F6, principle 6).
--
-- The standard policy condition resolves the caller's organizations three times per
-- statement (the planner's estimate, the hashed subplan, the filter or index condition).
-- Finding the profile (caller_identities) and then its grants (member_grants) was two
-- index probes per resolution. private.caller_grants holds their join: per caller key
-- (the key caller_identities gives a token) and permission, the organizations and the
-- platform role count of member_grants, so a resolution is one primary-key probe for a
-- provider's user (a Supabase Auth user's token: a miss, then a probe that also checks
-- the issuer is no provider's).
--
-- It is kept by statement triggers on both sides, in the changing transaction:
-- * member_grants changes (a membership, platform role or role matrix change) copy the
--   changed rows to every key of their user;
-- * caller_identities changes (a new profile, a disabled or changed identity, a provider
--   or issuer change) add the grants of new keys and drop those of removed keys.
-- Both sides take private.member_grants_epoch first (grant changes and new profiles FOR
-- SHARE; every other identity change writes it, under READ COMMITTED only: see migration
-- 20261203000700), so each recomputes from a snapshot that holds the other's committed
-- change, or fails to serialize: a disabled user keeps no row, a removed membership no
-- organization.
-- ════════════════════════════════════════════════════════════════════════════

create table private.caller_grants (
  supabase boolean not null,
  issuer text not null,
  subject text not null,
  permission text not null,
  profile_id uuid not null references public.profiles (id) on delete cascade,
  organization_ids uuid[] not null,
  platform_roles integer not null,
  primary key (supabase, issuer, subject, permission)
);
create index caller_grants_profile_idx on private.caller_grants (profile_id, permission);
comment on table private.caller_grants is
  'Per caller key (private.caller_identities) and permission, the user''s member_grants row: caller_identities joined with member_grants, kept by triggers on both. Derived; read by private.caller_org_ids_for.';
revoke all on private.caller_grants from public, anon, authenticated, service_role;

-- ── kept by member_grants ────────────────────────────────────────────────────
create function private.caller_grants_follow_member_grants()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    perform 1 from old_rows limit 1;
  else
    perform 1 from new_rows limit 1;
  end if;
  if not found then
    return null;
  end if;
  -- Ordered against identity changes by member_grants_epoch, which every writer of
  -- member_grants holds already (the membership and platform role triggers FOR SHARE, a
  -- rebuild by writing it).
  if tg_op = 'DELETE' then
    delete from private.caller_grants c using old_rows o
    where c.profile_id = o.user_id and c.permission = o.permission;
    return null;
  end if;
  insert into private.caller_grants as c (supabase, issuer, subject, permission, profile_id, organization_ids, platform_roles)
  select k.supabase, k.issuer, k.subject, n.permission, n.user_id, n.organization_ids, n.platform_roles
  from new_rows n
  join private.caller_identities k on k.profile_id = n.user_id
  on conflict (supabase, issuer, subject, permission) do update
    set organization_ids = excluded.organization_ids, platform_roles = excluded.platform_roles, profile_id = excluded.profile_id;
  return null;
end;
$$;
comment on function private.caller_grants_follow_member_grants() is
  'Statement trigger on member_grants: copies the changed rows to every caller key of their user (or drops them). Definer: both tables are private.';
revoke execute on function private.caller_grants_follow_member_grants() from public;

create trigger member_grants_caller_grants_insert after insert on private.member_grants
  referencing new table as new_rows for each statement execute function private.caller_grants_follow_member_grants();
create trigger member_grants_caller_grants_update after update on private.member_grants
  referencing new table as new_rows for each statement execute function private.caller_grants_follow_member_grants();
create trigger member_grants_caller_grants_delete after delete on private.member_grants
  referencing old table as old_rows for each statement execute function private.caller_grants_follow_member_grants();

-- ── kept by caller_identities ────────────────────────────────────────────────
create function private.caller_grants_follow_identities()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The identity change that got here holds member_grants_epoch already (a deleted
  -- profile's rows go with it in any case).
  if tg_op = 'DELETE' then
    delete from private.caller_grants c using old_rows o
    where c.supabase = o.supabase and c.issuer = o.issuer and c.subject = o.subject;
    return null;
  end if;
  insert into private.caller_grants as c (supabase, issuer, subject, permission, profile_id, organization_ids, platform_roles)
  select n.supabase, n.issuer, n.subject, g.permission, n.profile_id, g.organization_ids, g.platform_roles
  from new_rows n
  join private.member_grants g on g.user_id = n.profile_id
  on conflict (supabase, issuer, subject, permission) do update
    set organization_ids = excluded.organization_ids, platform_roles = excluded.platform_roles, profile_id = excluded.profile_id;
  return null;
end;
$$;
comment on function private.caller_grants_follow_identities() is
  'Statement trigger on caller_identities: a new key gets its user''s member_grants rows, a removed key loses its rows. Definer: both tables are private.';
revoke execute on function private.caller_grants_follow_identities() from public;

create trigger caller_identities_caller_grants_insert after insert on private.caller_identities
  referencing new table as new_rows for each statement execute function private.caller_grants_follow_identities();
create trigger caller_identities_caller_grants_delete after delete on private.caller_identities
  referencing old table as old_rows for each statement execute function private.caller_grants_follow_identities();

-- Also in replica mode, like the tables they follow.
alter table private.member_grants enable always trigger member_grants_caller_grants_insert;
alter table private.member_grants enable always trigger member_grants_caller_grants_update;
alter table private.member_grants enable always trigger member_grants_caller_grants_delete;
alter table private.caller_identities enable always trigger caller_identities_caller_grants_insert;
alter table private.caller_identities enable always trigger caller_identities_caller_grants_delete;

insert into private.caller_grants (supabase, issuer, subject, permission, profile_id, organization_ids, platform_roles)
select k.supabase, k.issuer, k.subject, g.permission, k.profile_id, g.organization_ids, g.platform_roles
from private.caller_identities k
join private.member_grants g on g.user_id = k.profile_id;
analyze private.caller_grants;

-- ── statements that change nothing take no lock ──────────────────────────────
-- The grant triggers of migrations 20261203000100 and 400, unchanged but for the first
-- test: every request of a third-party user syncs its platform roles with a statement
-- that usually changes nothing, and a share lock on the epoch held for it would make a
-- concurrent identity change in the same kind of request deadlock.
create or replace function private.member_grants_follow_memberships()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A statement that changed no row changes no grant and takes no lock (a request's role
  -- sync runs one every time; holding the epoch for it would queue identity changes).
  -- (One test per event: a transition table the event lacks is never planned.)
  if tg_op = 'INSERT' then
    perform 1 from new_rows limit 1;
  else
    perform 1 from old_rows limit 1;
  end if;
  if not found then
    return null;
  end if;
  -- Deltas rather than a recomputation: two transactions changing one user's
  -- memberships update the same grant row, so the second waits for the first and applies
  -- its change to the row the first committed (a recomputation from the second's snapshot
  -- could drop the first's change). Under REPEATABLE READ the second fails and retries.
  -- Each trigger has only the transition tables of its own event; a branch not taken is
  -- never planned. The share lock waits for a rebuild of the role matrix in progress
  -- (and, under REPEATABLE READ, fails if one committed after this transaction began).
  perform 1 from private.member_grants_epoch for share;
  if tg_op in ('DELETE', 'UPDATE') then
    update private.member_grants g
    set organization_ids = array(select x from unnest(g.organization_ids) as x where x <> all (r.organization_ids))
    from (
      select o.user_id, rp.permission, array_agg(o.organization_id) as organization_ids
      from old_rows o
      join public.role_permissions rp on rp.scope = 'org' and rp.role = o.role
      group by 1, 2
    ) r
    where g.user_id = r.user_id and g.permission = r.permission;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.member_grants as g (user_id, permission, organization_ids)
    select n.user_id, rp.permission, array_agg(distinct n.organization_id)
    from new_rows n
    join public.role_permissions rp on rp.scope = 'org' and rp.role = n.role
    group by 1, 2
    on conflict (user_id, permission) do update
      set organization_ids = array(select distinct x from unnest(g.organization_ids || excluded.organization_ids) as x);
  end if;
  return null;
end;
$$;

create or replace function private.member_grants_follow_platform_roles()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A statement that changed no row changes no grant and takes no lock (a request's role
  -- sync runs one every time; holding the epoch for it would queue identity changes).
  -- (One test per event: a transition table the event lacks is never planned.)
  if tg_op = 'INSERT' then
    perform 1 from new_rows limit 1;
  else
    perform 1 from old_rows limit 1;
  end if;
  if not found then
    return null;
  end if;
  -- Deltas, as for memberships (see member_grants_follow_memberships).
  perform 1 from private.member_grants_epoch for share;
  if tg_op in ('DELETE', 'UPDATE') then
    update private.member_grants g
    set platform_roles = g.platform_roles - r.assignments
    from (
      select o.user_id, rp.permission, count(*)::integer as assignments
      from old_rows o
      join public.role_permissions rp on rp.scope = 'platform' and rp.role = o.role
      group by 1, 2
    ) r
    where g.user_id = r.user_id and g.permission = r.permission;
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into private.member_grants as g (user_id, permission, organization_ids, platform_roles)
    select n.user_id, rp.permission, '{}', count(*)::integer
    from new_rows n
    join public.role_permissions rp on rp.scope = 'platform' and rp.role = n.role
    group by 1, 2
    on conflict (user_id, permission) do update
      set platform_roles = g.platform_roles + excluded.platform_roles;
  end if;
  return null;
end;
$$;

-- ── rebuilds run under READ COMMITTED only ──────────────────────────────────
-- As identity changes (migration 20261203000700): a SERIALIZABLE rebuild's snapshot could
-- miss a READ COMMITTED sign-up's grants, and its delete would leave them behind. The
-- body of migration 20261203000400's rebuild, but for the first test.
create or replace function private.rebuild_member_grants()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- An older snapshot (REPEATABLE READ, or SERIALIZABLE against READ COMMITTED writers,
  -- which SSI does not track) could miss memberships committed after it began.
  if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
    raise exception using errcode = '25000',
      message = 'change role_permissions or truncate memberships or platform role assignments in a READ COMMITTED transaction';
  end if;
  -- Concurrent membership and platform role changes wait until the rebuild commits.
  update private.member_grants_epoch set rebuilt_at = pg_catalog.now();
  lock table private.member_grants in exclusive mode;
  delete from private.member_grants;
  insert into private.member_grants (user_id, permission, organization_ids, platform_roles)
  select x.user_id, x.permission,
         coalesce(array_agg(x.organization_id) filter (where x.organization_id is not null), '{}'),
         (count(*) filter (where x.organization_id is null))::integer
  from (
    select m.user_id, rp.permission, m.organization_id
    from public.memberships m
    join public.role_permissions rp on rp.scope = 'org' and rp.role = m.role
    union all
    select a.user_id, rp.permission, null
    from public.platform_role_assignments a
    join public.role_permissions rp on rp.scope = 'platform' and rp.role = a.role
  ) x
  group by 1, 2;
end;
$$;

-- ── the caller's organizations ───────────────────────────────────────────────
create or replace function private.caller_org_ids_for(permission text, platform_wide boolean)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  token_subject text := claims ->> 'sub';
  token_issuer text := claims ->> 'iss';
  grant_row record;
begin
  -- No claims: the operator's own SQL session (is_operator requires none), or nobody.
  if claims is null then
    return case when private.is_operator() then array(select o.id from public.organizations o) else '{}' end;
  end if;
  if claims ->> 'role' = 'service_role' then
    return array(select o.id from public.organizations o);
  end if;
  -- Only a request made with a personal access token carries scopes (token_scopes).
  if claims ? 'pat_scopes' and not private.token_allows(permission) then
    return '{}';
  end if;
  -- The caller's key as private.caller_id() finds it (the same two reads, in the same
  -- order), with the permission: a provider's user, else a Supabase Auth user.
  select g.organization_ids, g.platform_roles into grant_row from private.caller_grants g
  where not g.supabase and g.issuer = token_issuer and g.subject = token_subject and g.permission = caller_org_ids_for.permission;
  if not found and token_subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select g.organization_ids, g.platform_roles into grant_row from private.caller_grants g
    where g.supabase and g.issuer = pg_catalog.rtrim(token_issuer, '/') and g.subject = pg_catalog.lower(token_subject)
      and g.permission = caller_org_ids_for.permission
      and not exists (select 1 from private.identity_providers i where i.issuer = token_issuer and i.enabled);
  end if;
  if platform_wide and grant_row.platform_roles > 0 then
    return array(select o.id from public.organizations o);
  end if;
  return coalesce(grant_row.organization_ids, '{}');
end;
$$;
comment on function private.caller_org_ids_for(text, boolean) is
  'The rule behind caller_org_ids and policy_org_ids: every organization for the secret key and the operator; none for nobody or a token without the permission; every organization for a platform role that grants it (when platform_wide); else those where a membership grants it. One read of caller_grants. Definer: reads it.';
