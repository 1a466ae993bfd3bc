-- ════════════════════════════════════════════════════════════════════════════
-- Platform-wide reads at scale (issue 13; SPEC F4, F6, principle 6).
--
-- A platform role (reader, auditor, admin) grants a permission in every organization.
-- Under the standard condition that meant private.caller_org_ids returned every
-- organization id — one array element per organization, built, estimated over and
-- probed by every statement (119× the floor for a list at 10,000 organizations; about
-- 16 MB per statement at a million). No policy shape can serve both callers: an OR with a
-- platform flag makes the member arm unindexable, and a member arm alone must enumerate.
--
-- PostgreSQL chooses policies by role, and a cached plan is kept per role, so platform
-- callers get their own role:
--
-- * tenantry_platform inherits authenticated (every grant and every policy written
--   `to authenticated` applies to it too) and adds one companion policy per operation on
--   each organization-scoped table: `(select p = any (private.caller_platform_permissions()))`, a
--   pseudo-constant evaluated once per statement, evaluated before the member policy's
--   condition in the OR that combines them (see below).
-- * Under tenantry_platform the standard condition counts memberships only
--   (private.policy_org_ids): platform-wide access is the companion policy's, so nothing
--   enumerates organizations. Under authenticated it keeps the platform-wide answer, so a
--   platform caller that reaches the database as authenticated (PostgREST, Storage,
--   Realtime) still reads everything, only slower.
-- * private.pre_request (the edge functions call it for every signed-in request)
--   switches a caller who holds a platform role to tenantry_platform for the transaction.
--
-- The role is a plan selector, never a grant: both policies check the database. A caller
-- without the platform permission who runs as tenantry_platform sees exactly their
-- memberships' rows (supabase/tests/54_platform_reads.test.sql tries it).
--
-- Evaluation order: PostgreSQL ORs a table's permissive policies in descending name
-- order, so `<table>_<op>_platform` runs before `<table>_<op>_members`; for a platform
-- caller the OR stops at the first, already computed, arm. The test checks the order in
-- the plan, so a PostgreSQL release that changes it fails there first.
-- ════════════════════════════════════════════════════════════════════════════

-- ── the role ─────────────────────────────────────────────────────────────────
-- Roles are per cluster: another database of the cluster may have created it.
do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'tenantry_platform') then
    create role tenantry_platform nologin inherit;
  end if;
end $$;
comment on role tenantry_platform is
  'Tenantry: the role a caller with a platform role runs as (set by private.pre_request). Inherits authenticated; only selects the platform-wide policies, which check the permission themselves.';
-- The edge functions and tests (connected as postgres) switch to it. Not authenticator:
-- PostgREST does not switch (see pre_request), and a token naming the role would be taken.
-- PostgreSQL 16+ lets a non-superuser grant a role only with ADMIN OPTION on it: where
-- these grants are refused the migration still applies, says so, and the pre-request
-- keeps every request as authenticated (it checks both memberships).
do $$
begin
  grant authenticated to tenantry_platform;
  grant tenantry_platform to postgres;
exception when insufficient_privilege or invalid_grant_operation then
  raise notice 'tenantry_platform could not be set up (%): platform-wide readers plan as authenticated', sqlerrm;
end $$;

-- ── the organizations the standard condition counts ─────────────────────────
create function private.policy_org_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- Under the platform role the companion policy admits platform-wide access.
  return private.caller_org_ids_for(permission, pg_catalog.current_setting('role') <> 'tenantry_platform');
end;
$$;
comment on function private.policy_org_ids(text) is
  'The organizations the standard policy condition admits: private.caller_org_ids, except under role tenantry_platform, where only memberships count (the companion platform policy admits platform-wide access, so no statement enumerates every organization). Definer: calls caller_org_ids_for.';
revoke execute on function private.policy_org_ids(text) from public;
grant execute on function private.policy_org_ids(text) to authenticated, service_role;

create or replace function private.org_policy_condition(column_ref text, permission text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- B's inner (select …) keeps the planner from calling the function to estimate
  -- unnest's rows: A already gives it the estimate, and every call costs.
  select format('%1$s = any (private.policy_org_ids(%2$L)) and %1$s in (select unnest((select private.policy_org_ids(%2$L))))',
                column_ref, permission)
$$;
comment on function private.org_policy_condition(text, text) is
  'The text of the standard organization-scoped policy condition on a quoted tenant column: an estimable, index-usable call (A) and a hashed subplan built once per statement (B), both over private.policy_org_ids. See migration 20261203000100''s banner. Pure text; reads nothing.';

create function private.platform_policy_condition(permission text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- Platform roles only (caller_platform_permissions: token scopes applied, nobody for a
  -- disabled or unknown caller), not has_platform_permission: the enforcement waiver must
  -- not admit more under this role than the members' condition does under authenticated.
  select format('(select %L = any (private.caller_platform_permissions()))', permission)
$$;
comment on function private.platform_policy_condition(text) is
  'The text of the companion policy condition for role tenantry_platform: a pseudo-constant (once per statement) that holds when a platform role gives the caller the permission. Pure text; reads nothing.';

-- ── the policies protect_table writes ────────────────────────────────────────
-- One list, read by protect_table (to write them) and protect_table_policy_names (to
-- check them): the next change of shape redefines this function, not protect_table.
create function private.protect_table_policies(
  target regclass, scope text, column_name text, read_permission text, write_permission text)
returns table (name text, op text, who text, grantee text, condition text, description text)
language sql
stable
set search_path = ''
as $$
  select format('%s_%s_%s', c.relname, x.op, w.who), x.op, w.who,
         case w.who when 'platform' then 'tenantry_platform' else 'authenticated' end,
         case w.who
           when 'owner' then format('%s = (select private.caller_id())', pg_catalog.quote_ident(column_name))
           when 'members' then private.org_policy_condition(pg_catalog.quote_ident(column_name), p.permission)
           else private.platform_policy_condition(p.permission)
         end,
         case w.who
           when 'owner' then format('protect_table: rows whose %s is the caller (%s).', column_name, x.op)
           when 'members' then format('protect_table: rows of organizations where the caller holds %s (%s).', p.permission, x.op)
           else format('protect_table: every row, for a platform role that grants %s (%s; role tenantry_platform).', p.permission, x.op)
         end
  from pg_catalog.pg_class c,
       unnest(case scope when 'owner' then array['owner'] else array['members', 'platform'] end) with ordinality as w(who, w_position),
       unnest(array['select', 'insert', 'update', 'delete']) with ordinality as x(op, position),
       lateral (select case when x.op = 'select' then read_permission else write_permission end as permission) as p
  where c.oid = target
  order by w.w_position, x.position
$$;
comment on function private.protect_table_policies(regclass, text, text, text, text) is
  'The policies protect_table writes on a table for a scope, in order: table_operation_owner (owner), or table_operation_members to authenticated and their companions table_operation_platform to tenantry_platform (org). Name, operation, who, role, condition and comment of each.';

revoke execute on function private.protect_table_policies(regclass, text, text, text, text) from public;

create or replace function private.protect_table_policy_names(target regclass, scope text)
returns text[]
language sql
stable
set search_path = ''
as $$
  select array(select p.name from private.protect_table_policies(target, scope, null, null, null) as p)
$$;
comment on function private.protect_table_policy_names(regclass, text) is
  'The names of the policies protect_table writes on a table for a scope (see protect_table_policies; a companion only beside a members'' policy protect_table wrote).';

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

  select c.relrowsecurity into was_enabled from pg_catalog.pg_class c where c.oid = target;
  -- ALTER TABLE takes an ACCESS EXCLUSIVE lock: only when there is something to change.
  if not was_enabled then
    execute format('alter table %s enable row level security', target);
  end if;

  -- Explicit grants: nothing for anon, CRUD for signed-in users under the policies
  -- (tenantry_platform inherits them from authenticated).
  execute format('revoke all on %s from anon', target);
  execute format('grant select, insert, update, delete on %s to authenticated, service_role', target);

  for policy in select * from private.protect_table_policies(target, scope, column_name, read_permission, write_permission) loop
    if exists (select 1 from pg_catalog.pg_policy p where p.polrelid = target and p.polname = policy.name) then
      existing := existing || policy.name;
      continue;
    end if;
    -- A companion widens its members' policy for platform callers: only beside one this
    -- call wrote, never beside one the application kept or changed.
    continue when policy.who = 'platform' and format('%s_%s_members', table_name, policy.op) <> all (created);
    execute case policy.op
      when 'select' then format('create policy %I on %s for select to %I using (%s)', policy.name, target, policy.grantee, policy.condition)
      when 'insert' then format('create policy %I on %s for insert to %I with check (%s)', policy.name, target, policy.grantee, policy.condition)
      when 'update' then format('create policy %I on %s for update to %I using (%s) with check (%s)', policy.name, target, policy.grantee, policy.condition, policy.condition)
      else format('create policy %I on %s for delete to %I using (%s)', policy.name, target, policy.grantee, policy.condition)
    end;
    execute format('comment on policy %I on %s is %L', policy.name, target, policy.description);
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
  'Enables RLS with Tenantry''s standard policies on an application table (schema public, not Tenantry-managed, not a view) and registers it in private.protected_tables. The policies are private.protect_table_policies. Definer: altering tables and creating policies needs the owner''s rights.';

-- ── Tenantry's own tables with the standard condition ───────────────────────
drop policy organizations_select_members on public.organizations;
drop policy organization_feature_flags_select_members on public.organization_feature_flags;
do $$ begin
  execute format('create policy organizations_select_members on public.organizations for select to authenticated using (%s)',
                 private.org_policy_condition('id', 'org:read'));
  execute format('create policy organizations_select_platform on public.organizations for select to tenantry_platform using (%s)',
                 private.platform_policy_condition('org:read'));
  execute format('create policy organization_feature_flags_select_members on public.organization_feature_flags for select to authenticated using (%s)',
                 private.org_policy_condition('organization_id', 'org:read'));
  execute format('create policy organization_feature_flags_select_platform on public.organization_feature_flags for select to tenantry_platform using (%s)',
                 private.platform_policy_condition('org:read'));
end $$;
comment on policy organizations_select_members on public.organizations is 'Organizations where you hold org:read.';
comment on policy organizations_select_platform on public.organizations is
  'Every organization, for a platform role that grants org:read (role tenantry_platform).';
comment on policy organization_feature_flags_select_members on public.organization_feature_flags is
  'An organization''s flag values, for those who may read the organization.';
comment on policy organization_feature_flags_select_platform on public.organization_feature_flags is
  'Every organization''s flag values, for a platform role that grants org:read (role tenantry_platform).';

-- Every registered organization-scoped table gets the new members' condition and its
-- companions — only where the members' policies are still exactly as protect_table wrote
-- them (migration 20261203000100's shape); a policy the application changed is left alone
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
        and p.polname like '%\_members'
    loop
      -- The previous condition (migration 20261203000100) as PostgreSQL prints it back.
      old_shape := format('((%1$s = ANY (private.caller_org_ids(%2$L::text))) AND (%1$s IN ( SELECT unnest(( SELECT private.caller_org_ids(%2$L::text) AS caller_org_ids)) AS unnest)))',
                          pg_catalog.quote_ident(entry.column_name),
                          case when policy.polcmd = 'r' then entry.read_permission else entry.write_permission end);
      if coalesce(policy.using_expr, old_shape) = old_shape and coalesce(policy.check_expr, old_shape) = old_shape
      then
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

-- ── the pre-request: platform callers run as tenantry_platform ──────────────
create function private.caller_holds_platform_role()
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return cardinality(private.user_platform_permissions(private.caller_id())) > 0;
end;
$$;
comment on function private.caller_holds_platform_role() is
  'Whether a platform role grants the caller any permission (which role their requests plan as). Definer: reads platform role assignments.';

create function private.pre_request()
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- A plan selector, never a grant: under tenantry_platform every policy still checks the
  -- permission in the database, so a caller who reached this role without a platform
  -- role would see no more than as authenticated.
  if pg_catalog.current_setting('role') <> 'authenticated' then
    return;
  end if;
  if pg_catalog.pg_has_role(session_user, 'tenantry_platform', 'MEMBER')
     and pg_catalog.pg_has_role('tenantry_platform', 'authenticated', 'USAGE') then
    if private.caller_holds_platform_role() then
      perform pg_catalog.set_config('role', 'tenantry_platform', true);
    end if;
  end if;
end;
$$;
comment on function private.pre_request() is
  'Called by the edge functions for every signed-in request: a caller who holds a platform role runs the request as tenantry_platform, so platform-wide reads plan without enumerating organizations. Does nothing where tenantry_platform could not be set up. Invoker: SET ROLE is refused inside a definer function.';

revoke execute on function private.caller_holds_platform_role(), private.pre_request(), private.platform_policy_condition(text) from public;
grant execute on function private.caller_holds_platform_role() to authenticated;
grant execute on function private.pre_request() to authenticated;

-- Not set as PostgREST's db-pre-request here: PostgREST runs it for every request,
-- anon and service_role too, which cannot reach schema private. Until a pre-request
-- reachable by every API role exists, PostgREST requests plan as authenticated (correct,
-- slower for platform callers); the edge functions switch.
