-- ════════════════════════════════════════════════════════════════════════════
-- Platform grants precomputed (issue 13; SPEC F4, principle 6).
--
-- Every standard policy condition asks which organizations the caller may act in, up to
-- three times per statement. The answer used to take two lookups after the caller's:
-- the platform roles (a join of assignments and the role matrix) and the member grants.
-- private.member_grants now counts, per user and permission, the platform roles that grant
-- it everywhere, so one primary-key read answers both.
--
-- * Counted, not recomputed: an assignment added adds one to every permission its role
--   grants, one removed subtracts one. Two transactions changing one user's roles update
--   the same row, so the second applies its delta to what the first committed.
-- * TRUNCATE of assignments and every role-matrix change rebuild the table (the rebuild
--   already ran for role_permissions) and share the epoch lock the membership deltas take.
-- * The triggers fire in replica mode too, like the membership ones.
-- ════════════════════════════════════════════════════════════════════════════

alter table private.member_grants add column platform_roles integer not null default 0 check (platform_roles >= 0);
comment on table private.member_grants is
  'Per user and permission: the organizations where the user''s membership role grants it, and how many of the user''s platform roles grant it everywhere. Derived: written only by the triggers on memberships, platform_role_assignments and role_permissions; read by private.caller_org_ids_for.';
comment on column private.member_grants.platform_roles is
  'How many of the user''s platform role assignments grant the permission in every organization (0: none).';

-- ── kept by the platform role assignments ────────────────────────────────────
create function private.member_grants_follow_platform_roles()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
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
comment on function private.member_grants_follow_platform_roles() is
  'Statement trigger on platform_role_assignments: counts the changed assignments into member_grants.platform_roles. Definer: member_grants is private.';

revoke execute on function private.member_grants_follow_platform_roles() from public;

create trigger platform_role_assignments_member_grants_insert after insert on public.platform_role_assignments
  referencing new table as new_rows for each statement execute function private.member_grants_follow_platform_roles();
create trigger platform_role_assignments_member_grants_update after update on public.platform_role_assignments
  referencing old table as old_rows new table as new_rows for each statement execute function private.member_grants_follow_platform_roles();
create trigger platform_role_assignments_member_grants_delete after delete on public.platform_role_assignments
  referencing old table as old_rows for each statement execute function private.member_grants_follow_platform_roles();
create trigger platform_role_assignments_member_grants_truncate after truncate on public.platform_role_assignments
  for each statement execute function private.member_grants_rebuild();
alter table public.platform_role_assignments enable always trigger platform_role_assignments_member_grants_insert;
alter table public.platform_role_assignments enable always trigger platform_role_assignments_member_grants_update;
alter table public.platform_role_assignments enable always trigger platform_role_assignments_member_grants_delete;
alter table public.platform_role_assignments enable always trigger platform_role_assignments_member_grants_truncate;

create or replace function private.rebuild_member_grants()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A REPEATABLE READ snapshot could miss memberships committed after it began.
  if pg_catalog.current_setting('transaction_isolation') = 'repeatable read' then
    raise exception using errcode = '25000',
      message = 'change role_permissions or truncate memberships or platform role assignments in a READ COMMITTED or SERIALIZABLE transaction';
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
comment on function private.rebuild_member_grants() is
  'Computes member_grants again from memberships, platform role assignments and role_permissions. Definer: member_grants is private.';

select private.rebuild_member_grants();

-- ── one read answers the caller's organizations ─────────────────────────────
create function private.caller_org_ids_for(permission text, platform_wide boolean)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid;
  grant_row private.member_grants;
begin
  if auth.role() = 'service_role' or private.is_operator() then
    return array(select o.id from public.organizations o);
  end if;
  caller := private.caller_id();
  if caller is null or not private.token_allows(permission) then
    return '{}';
  end if;
  select * into grant_row from private.member_grants g
  where g.user_id = caller and g.permission = caller_org_ids_for.permission;
  if platform_wide and grant_row.platform_roles > 0 then
    return array(select o.id from public.organizations o);
  end if;
  return coalesce(grant_row.organization_ids, '{}');
end;
$$;
comment on function private.caller_org_ids_for(text, boolean) is
  'The rule behind caller_org_ids (and policy_org_ids, migration 20261203000500): every organization for the secret key and the operator; none for nobody or a token without the permission; every organization for a platform role that grants it (when platform_wide); else those where a membership grants it. Definer: reads member_grants.';
revoke execute on function private.caller_org_ids_for(text, boolean) from public;

create or replace function private.caller_org_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return private.caller_org_ids_for(permission, true);
end;
$$;
comment on function private.caller_org_ids(text) is
  'Organizations in which the caller holds the permission (all of them for a platform role that grants it, the secret key and the operator), none when the token used lacks it. See caller_org_ids_for. Definer: calls it.';
