-- ════════════════════════════════════════════════════════════════════════════
-- Authorization at scale (issue 13; SPEC F6, principle 6).
--
-- Organization-scoped policies used to read `organization_id = any ((select
-- private.caller_org_ids(p)))`. The `(select …)` makes the call once per statement, but
-- the planner cannot see an InitPlan's value, so it estimated every caller as a member of
-- ten organizations and chose one plan per table size for everyone: at 10,000,000 rows a
-- user in one organization walked the created_at index (318× the floor). Now:
--
-- * private.member_grants holds, per user and permission, the organizations where a
--   membership grants it, kept by triggers on memberships and role_permissions. A
--   caller's organizations are one primary-key read, whatever their number.
-- * The standard condition (private.org_policy_condition, the one place it is written)
--   is two conjuncts on the tenant column:
--     col = any (private.caller_org_ids(p))                -- A
--     and col in (select unnest((select private.caller_org_ids(p)))) -- B
--   A is a plain STABLE call: the planner evaluates it while estimating (so a caller in
--   one organization and a caller in 1,000 get their own plans) and, as an index
--   condition, the executor evaluates it once. B is a hashed subplan, built once per
--   statement: where the plan walks another index (created_at for a caller in many
--   organizations), B rejects the other tenants' rows with a hash probe and A runs only
--   for the rows B let through. Neither carries a value across callers: a cached generic
--   plan keeps the calls, not their results (supabase/tests/52_rls_plans.test.sql runs one
--   prepared statement for two users).
-- ════════════════════════════════════════════════════════════════════════════

-- ── who holds what where ─────────────────────────────────────────────────────
create table private.member_grants (
  user_id uuid not null references public.profiles (id) on delete cascade,
  permission text not null,
  organization_ids uuid[] not null,
  primary key (user_id, permission)
);
comment on table private.member_grants is
  'Per user and permission, the organizations where the user''s membership role grants it (memberships × role_permissions of scope org). Derived: written only by the triggers on memberships and role_permissions; read by private.caller_org_ids.';
revoke all on private.member_grants from public, anon, authenticated, service_role;

create table private.member_grants_epoch (
  id boolean primary key default true check (id),
  rebuilt_at timestamptz not null default now()
);
comment on table private.member_grants_epoch is
  'One row, rewritten by every rebuild of member_grants and share-locked by every membership change: a membership change under REPEATABLE READ that overlaps a rebuild fails with a serialization error instead of applying the old role matrix.';
insert into private.member_grants_epoch default values;
revoke all on private.member_grants_epoch from public, anon, authenticated, service_role;

create function private.member_grants_follow_memberships()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
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
comment on function private.member_grants_follow_memberships() is
  'Statement trigger on memberships: applies the changed rows to member_grants (a role change or a move removes the old grants and adds the new). Definer: member_grants is private.';

create trigger memberships_member_grants_insert after insert on public.memberships
  referencing new table as new_rows for each statement execute function private.member_grants_follow_memberships();
create trigger memberships_member_grants_update after update on public.memberships
  referencing old table as old_rows new table as new_rows for each statement execute function private.member_grants_follow_memberships();
create trigger memberships_member_grants_delete after delete on public.memberships
  referencing old table as old_rows for each statement execute function private.member_grants_follow_memberships();

create function private.rebuild_member_grants()
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- A REPEATABLE READ snapshot could miss memberships committed after it began.
  if pg_catalog.current_setting('transaction_isolation') = 'repeatable read' then
    raise exception using errcode = '25000',
      message = 'change role_permissions or truncate memberships in a READ COMMITTED or SERIALIZABLE transaction';
  end if;
  -- Concurrent membership changes wait until the rebuild commits.
  update private.member_grants_epoch set rebuilt_at = pg_catalog.now();
  lock table private.member_grants in exclusive mode;
  delete from private.member_grants;
  insert into private.member_grants (user_id, permission, organization_ids)
  select m.user_id, rp.permission, array_agg(m.organization_id)
  from public.memberships m
  join public.role_permissions rp on rp.scope = 'org' and rp.role = m.role
  group by 1, 2;
end;
$$;
comment on function private.rebuild_member_grants() is
  'Computes member_grants again from memberships and role_permissions. Definer: member_grants is private.';

create function private.member_grants_rebuild()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- The role matrix changed, or memberships were truncated: rare, an operator's act.
  perform private.rebuild_member_grants();
  return null;
end;
$$;
comment on function private.member_grants_rebuild() is
  'Statement trigger on role_permissions (any change) and on TRUNCATE memberships: every user''s grants are computed again. Definer: see rebuild_member_grants.';

create trigger role_permissions_member_grants after insert or update or delete or truncate on public.role_permissions
  for each statement execute function private.member_grants_rebuild();
create trigger memberships_member_grants_truncate after truncate on public.memberships
  for each statement execute function private.member_grants_rebuild();

-- Also in replica mode (a data-only restore, a logical-replication subscriber): grants
-- follow every membership row the database holds, however it got there.
alter table public.memberships enable always trigger memberships_member_grants_insert;
alter table public.memberships enable always trigger memberships_member_grants_update;
alter table public.memberships enable always trigger memberships_member_grants_delete;
alter table public.memberships enable always trigger memberships_member_grants_truncate;
alter table public.role_permissions enable always trigger role_permissions_member_grants;

-- The grants of the memberships that exist.
select private.rebuild_member_grants();

-- ── the caller's organizations ───────────────────────────────────────────────
-- Every policy evaluation asks whether the caller is the operator; under an API role the
-- answer is no, and it now comes from the role setting alone before any catalog query.
create or replace function private.is_operator()
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  if pg_catalog.current_setting('role') <> 'none' then
    return false;
  end if;
  return auth.jwt() is null
     and exists (select 1 from pg_catalog.pg_roles r
                 where r.rolname = session_user and (r.rolsuper or r.rolname = 'postgres'));
end;
$$;
comment on function private.is_operator() is
  'Whether this is an operator''s plain SQL session: logged in as postgres or a superuser, no API role, no JWT claims.';

create or replace function private.caller_org_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid;
  scopes text[];
begin
  if auth.role() = 'service_role' or private.is_operator() then
    return array(select o.id from public.organizations o);
  end if;
  caller := private.caller_id();
  if caller is null then
    return '{}';
  end if;
  scopes := private.token_scopes();
  if scopes is not null and not permission = any (scopes) then
    return '{}';
  end if;
  if permission = any (private.user_platform_permissions(caller)) then
    return array(select o.id from public.organizations o);
  end if;
  return coalesce((select g.organization_ids from private.member_grants g
                   where g.user_id = caller and g.permission = caller_org_ids.permission), '{}');
end;
$$;
comment on function private.caller_org_ids(text) is
  'Organizations in which the caller holds the permission (all of them for a platform role that grants it, the secret key and the operator), none when the token used lacks it. STABLE and never wrapped in (select …) by the standard policy, so the planner sees each caller''s own list. Definer: reads member_grants and platform roles.';

-- ── the standard organization-scoped condition ──────────────────────────────
create function private.org_policy_condition(column_ref text, permission text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- B's inner (select …) keeps the planner from calling the function to estimate
  -- unnest's rows: A already gives it the estimate, and every call costs.
  select format('%1$s = any (private.caller_org_ids(%2$L)) and %1$s in (select unnest((select private.caller_org_ids(%2$L))))',
                column_ref, permission)
$$;
comment on function private.org_policy_condition(text, text) is
  'The text of the standard organization-scoped policy condition on a quoted tenant column: an estimable, index-usable call (A) and a hashed subplan built once per statement (B). See this migration''s banner. Pure text; reads nothing.';

create or replace function private.protect_table(
  target regclass,
  scope text,
  column_name text,
  read_permission text,
  write_permission text
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  table_name text := (select c.relname from pg_catalog.pg_class c where c.oid = target);
  column_ref text;
  was_enabled boolean;
  index_created boolean := false;
  created text[] := '{}';
  existing text[] := '{}';
  policy record;
  report jsonb;
  target_schema name;
  target_kind "char";
begin
  -- Clients need rls:manage; the operator's plain SQL session (a migration) holds it.
  if not private.has_platform_permission('rls:manage') then
    return private.deny('rls.protect_table', 'you may not change row-level security', null, 'table', target::text);
  end if;
  -- Only the application's own tables: ordinary tables in schema public that Tenantry
  -- does not manage. Tenantry's tables keep the policies their migrations wrote.
  select n.nspname, c.relkind into target_schema, target_kind
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.oid = target;
  if target_schema is distinct from 'public' then
    raise exception using errcode = '22023',
      message = format('target: %s is in schema "%s"; protect_table protects application tables in schema public only', target, target_schema);
  end if;
  if target_kind not in ('r', 'p') then
    raise exception using errcode = '22023', message = format('target: %s is not a table (views and other relations cannot be protected)', target);
  end if;
  if private.is_tenantry_table(target) then
    return private.deny('rls.protect_table', format('%s is managed by Tenantry; its policies are not protect_table''s to change', target),
                        null, 'table', target::text);
  end if;
  if scope not in ('owner', 'org') then
    raise exception using errcode = '22023', message = format('scope "%s" is invalid: use owner or org', scope);
  end if;
  column_name := coalesce(column_name, case scope when 'owner' then 'user_id' else 'organization_id' end);
  if not exists (
    select 1 from pg_catalog.pg_attribute a
    where a.attrelid = target and a.attname = column_name and not a.attisdropped and a.atttypid = 'uuid'::regtype
  ) then
    raise exception using errcode = '22023', message = format('table %s has no uuid column "%s"', target, column_name);
  end if;
  if scope = 'org' and not exists (select 1 from public.permissions p where p.name in (read_permission, write_permission) having count(*) = 2) then
    raise exception using errcode = '22023', message = format('unknown permission in "%s" / "%s"', read_permission, write_permission);
  end if;
  column_ref := pg_catalog.quote_ident(column_name);

  select c.relrowsecurity into was_enabled from pg_catalog.pg_class c where c.oid = target;
  -- ALTER TABLE takes an ACCESS EXCLUSIVE lock: only when there is something to change.
  if not was_enabled then
    execute format('alter table %s enable row level security', target);
  end if;

  -- Explicit grants: nothing for anon, CRUD for signed-in users under the policies.
  execute format('revoke all on %s from anon', target);
  execute format('grant select, insert, update, delete on %s to authenticated, service_role', target);

  for policy in
    select format('%s_%s_%s', table_name, op, case scope when 'owner' then 'owner' else 'members' end) as name, op,
           case scope
             when 'owner' then format('%s = (select private.caller_id())', column_ref)
             else private.org_policy_condition(column_ref,
                                               case when op = 'select' then read_permission else write_permission end)
           end as condition
    from unnest(array['select', 'insert', 'update', 'delete']) as op
  loop
    if exists (select 1 from pg_catalog.pg_policy p where p.polrelid = target and p.polname = policy.name) then
      existing := existing || policy.name;
      continue;
    end if;
    execute case policy.op
      when 'select' then format('create policy %I on %s for select to authenticated using (%s)', policy.name, target, policy.condition)
      when 'insert' then format('create policy %I on %s for insert to authenticated with check (%s)', policy.name, target, policy.condition)
      when 'update' then format('create policy %I on %s for update to authenticated using (%s) with check (%s)', policy.name, target, policy.condition, policy.condition)
      else format('create policy %I on %s for delete to authenticated using (%s)', policy.name, target, policy.condition)
    end;
    execute format('comment on policy %I on %s is %L', policy.name, target,
      case scope
        when 'owner' then format('protect_table: rows whose %s is the caller (%s).', column_name, policy.op)
        else format('protect_table: rows of organizations where the caller holds %s (%s).',
                    case when policy.op = 'select' then read_permission else write_permission end, policy.op)
      end);
    created := created || policy.name;
  end loop;

  -- The tenant column leads an index, so policies become index conditions.
  if not exists (
    select 1 from pg_catalog.pg_index i
    where i.indrelid = target and i.indkey[0] = (select a.attnum from pg_catalog.pg_attribute a where a.attrelid = target and a.attname = column_name)
  ) then
    execute format('create index %I on %s (%I)', left(table_name || '_' || column_name || '_idx', 63), target, column_name);
    index_created := true;
  end if;

  -- The registry: what the Enable RLS action and USER_MGMT_RLS_ENFORCE apply again.
  insert into private.protected_tables as t (schema_name, table_name, scope, column_name, read_permission, write_permission)
  values (target_schema, table_name, scope, column_name, read_permission, write_permission)
  on conflict on constraint protected_tables_pkey do update
    set scope = excluded.scope, column_name = excluded.column_name, read_permission = excluded.read_permission,
        write_permission = excluded.write_permission, applied_at = pg_catalog.now();

  report := jsonb_build_object(
    'table', target::text,
    'scope', scope,
    'column', column_name,
    'rls_was_enabled', was_enabled,
    'rls_enabled', true,
    'policies_created', to_jsonb(created),
    'policies_existing', to_jsonb(existing),
    'index_created', index_created
  );
  perform private.audit('rls.protect_table', null, 'table', target::text, report);
  return report;
end;
$$;
comment on function private.protect_table(regclass, text, text, text, text) is
  'Enables RLS with Tenantry''s standard policies on an application table (schema public, not Tenantry-managed, not a view) and registers it in private.protected_tables. Organization-scoped policies use private.org_policy_condition. Definer: altering tables and creating policies needs the owner''s rights.';

-- ── policies written with the standard condition ─────────────────────────────
drop policy organizations_select_members on public.organizations;
drop policy organization_feature_flags_select_members on public.organization_feature_flags;
do $$ begin
  execute format('create policy organizations_select_members on public.organizations for select to authenticated using (%s)',
                 private.org_policy_condition('id', 'org:read'));
  execute format('create policy organization_feature_flags_select_members on public.organization_feature_flags for select to authenticated using (%s)',
                 private.org_policy_condition('organization_id', 'org:read'));
end $$;
comment on policy organizations_select_members on public.organizations is 'Organizations where you hold org:read.';
comment on policy organization_feature_flags_select_members on public.organization_feature_flags is
  'An organization''s flag values, for those who may read the organization.';

-- Every table protect_table registered with scope org (the example projects table and
-- any the application added) gets its policies again in the new shape — only those still
-- exactly as protect_table wrote them: a policy the application changed is left alone
-- (and named in a notice).
do $$
declare
  entry private.protected_tables;
  target regclass;
  policy record;
  old_shape text;
  report jsonb;
begin
  for entry in select * from private.protected_tables t where t.scope = 'org' loop
    target := pg_catalog.to_regclass(format('%I.%I', entry.schema_name, entry.table_name));
    continue when target is null;
    for policy in
      select p.polname, p.polcmd, pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expr,
             pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
      from pg_catalog.pg_policy p
      where p.polrelid = target and p.polname = any (private.protect_table_policy_names(target, 'org'))
    loop
      -- The old condition as PostgreSQL prints it back.
      old_shape := format('(%s = ANY (( SELECT private.caller_org_ids(%L::text) AS caller_org_ids)::uuid[]))',
                          pg_catalog.quote_ident(entry.column_name),
                          case when policy.polcmd = 'r' then entry.read_permission else entry.write_permission end);
      if coalesce(policy.using_expr, old_shape) = old_shape and coalesce(policy.check_expr, old_shape) = old_shape then
        execute format('drop policy %I on %s', policy.polname, target);
      else
        raise notice 'protect_table: % on % was changed by the application; left as it is', policy.polname, target;
      end if;
    end loop;
    report := private.protect_table(target, entry.scope, entry.column_name, entry.read_permission, entry.write_permission);
    if report ? 'error' then
      raise exception 'protect_table(%) refused: %', target, report;
    end if;
  end loop;
end $$;

revoke execute on all functions in schema private from public;
