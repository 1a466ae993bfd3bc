-- ════════════════════════════════════════════════════════════════════════════
-- A role change writes only the grants that change (issue 13; SPEC F6).
--
-- member_grants followed an updated membership by removing the organization from every
-- permission of the old role and adding it back to every permission of the new one, so
-- promoting a viewer to member rewrote seven member_grants rows and, through
-- caller_grants_follow_member_grants, seven caller_grants rows per caller key, where one
-- permission (data:write) changes. Roles share most of their permissions, so an update
-- now applies the net change per (user, organization, permission): a pair that is in both
-- the old and the new rows is left alone. Fewer rows written also means fewer rows locked
-- against concurrent grant changes of the same user. Inserts and deletes are unchanged.
-- ════════════════════════════════════════════════════════════════════════════

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
  -- The share lock waits for a rebuild of the role matrix in progress (and, under
  -- REPEATABLE READ, fails if one committed after this transaction began).
  perform 1 from private.member_grants_epoch for share;
  if tg_op = 'DELETE' then
    update private.member_grants g
    set organization_ids = array(select x from unnest(g.organization_ids) as x where x <> all (r.organization_ids))
    from (
      select o.user_id, rp.permission, array_agg(o.organization_id) as organization_ids
      from old_rows o
      join public.role_permissions rp on rp.scope = 'org' and rp.role = o.role
      group by 1, 2
    ) r
    where g.user_id = r.user_id and g.permission = r.permission;
  elsif tg_op = 'INSERT' then
    insert into private.member_grants as g (user_id, permission, organization_ids)
    select n.user_id, rp.permission, array_agg(distinct n.organization_id)
    from new_rows n
    join public.role_permissions rp on rp.scope = 'org' and rp.role = n.role
    group by 1, 2
    on conflict (user_id, permission) do update
      set organization_ids = array(select distinct x from unnest(g.organization_ids || excluded.organization_ids) as x);
  else
    -- An update: what the old rows granted and the new rows do not, then the reverse.
    -- (user, organization) is the key of memberships, so a pair is at most once on each side.
    update private.member_grants g
    set organization_ids = array(select x from unnest(g.organization_ids) as x where x <> all (r.organization_ids))
    from (
      select o.user_id, rp.permission, array_agg(o.organization_id) as organization_ids
      from old_rows o
      join public.role_permissions rp on rp.scope = 'org' and rp.role = o.role
      where not exists (
        select 1 from new_rows n
        join public.role_permissions kept on kept.scope = 'org' and kept.role = n.role and kept.permission = rp.permission
        where n.user_id = o.user_id and n.organization_id = o.organization_id)
      group by 1, 2
    ) r
    where g.user_id = r.user_id and g.permission = r.permission;
    insert into private.member_grants as g (user_id, permission, organization_ids)
    select n.user_id, rp.permission, array_agg(distinct n.organization_id)
    from new_rows n
    join public.role_permissions rp on rp.scope = 'org' and rp.role = n.role
    where not exists (
      select 1 from old_rows o
      join public.role_permissions had on had.scope = 'org' and had.role = o.role and had.permission = rp.permission
      where o.user_id = n.user_id and o.organization_id = n.organization_id)
    group by 1, 2
    on conflict (user_id, permission) do update
      set organization_ids = array(select distinct x from unnest(g.organization_ids || excluded.organization_ids) as x);
  end if;
  return null;
end;
$$;
comment on function private.member_grants_follow_memberships() is
  'Statement trigger on memberships: applies the changed rows to member_grants (an update only the net change per user, organization and permission, so a role change rewrites only the permissions the two roles do not share). Definer: member_grants is private.';
