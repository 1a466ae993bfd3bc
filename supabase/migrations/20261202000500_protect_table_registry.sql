-- ════════════════════════════════════════════════════════════════════════════
-- The protect_table registry and the RLS report (issue 11; SPEC F6, F14, F15).
--
-- * private.protected_tables records every table protect_table() was applied to, with
--   the arguments it ran with (scope, column, permissions), so the "Enable RLS" action
--   (POST /admin/rls/apply) and USER_MGMT_RLS_ENFORCE can apply it again exactly as the
--   application asked. The example tables are registered with the arguments of their
--   migration (20261121001200_example_tables.sql).
-- * private.protect_table_drift() says what protect_table would change on a registered
--   table now (RLS off, a policy dropped, a grant changed, the index gone); the admin
--   function's automatic re-application (USER_MGMT_RLS_ENFORCE) repairs only tables
--   that drifted, so a healthy table is not locked and no event is written for it.
-- * protect_table no longer takes the table's ACCESS EXCLUSIVE lock when RLS is on
--   already: re-applying it to a healthy table blocks no reader.
-- * public.rls_report() (rls:manage): every table of the schemas the Data API exposes
--   (pgrst.db_schemas, config.toml [api] schemas), RLS enabled and forced, policies,
--   grants, whether protect_table manages it, and tables the API roles can reach
--   without RLS, flagged.
-- ════════════════════════════════════════════════════════════════════════════

-- ── the registry ─────────────────────────────────────────────────────────────
create table private.protected_tables (
  schema_name name not null,
  table_name name not null,
  scope text not null check (scope in ('owner', 'org')),
  column_name name not null,
  read_permission text not null,
  write_permission text not null,
  registered_at timestamptz not null default now(),
  applied_at timestamptz not null default now(),
  primary key (schema_name, table_name)
);
comment on table private.protected_tables is
  'Every table protect_table() was applied to, with the arguments it ran with (column resolved from its default): what the Enable RLS action and USER_MGMT_RLS_ENFORCE apply again. Written by private.protect_table.';
comment on column private.protected_tables.applied_at is 'When protect_table last ran on the table successfully.';
revoke all on private.protected_tables from public, anon, authenticated, service_role;

-- The example application tables, as their migration protected them.
insert into private.protected_tables (schema_name, table_name, scope, column_name, read_permission, write_permission) values
  ('public', 'projects', 'org', 'organization_id', 'data:read', 'data:write'),
  ('public', 'research_sessions', 'owner', 'user_id', 'data:read', 'data:write'),
  ('public', 'draft_files', 'owner', 'user_id', 'data:read', 'data:write');

-- ── what protect_table would change ──────────────────────────────────────────
create function private.protect_table_policy_names(target regclass, scope text)
returns text[]
language sql
stable
set search_path = ''
as $$
  select array(
    select format('%s_%s_%s', c.relname, op, case scope when 'owner' then 'owner' else 'members' end)
    from pg_catalog.pg_class c, unnest(array['select', 'insert', 'update', 'delete']) with ordinality as x(op, position)
    where c.oid = target
    order by x.position)
$$;
comment on function private.protect_table_policy_names(regclass, text) is
  'The names of the four policies protect_table writes on a table for a scope (table_operation_owner or table_operation_members).';

create function private.protect_table_drift(target regclass, scope text, column_name name)
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  problems text[] := '{}';
  missing text[];
  privilege text;
begin
  if not (select c.relrowsecurity from pg_catalog.pg_class c where c.oid = target) then
    problems := problems || 'row-level security is disabled'::text;
  end if;
  missing := array(
    select n from unnest(private.protect_table_policy_names(target, scope)) as n
    where not exists (select 1 from pg_catalog.pg_policy p where p.polrelid = target and p.polname = n));
  if cardinality(missing) > 0 then
    problems := problems || format('policies missing: %s', array_to_string(missing, ', '));
  end if;
  if exists (select 1 from pg_catalog.pg_class c, aclexplode(c.relacl) a
             where c.oid = target and a.grantee = 'anon'::regrole) then
    problems := problems || 'anon holds privileges on it'::text;
  end if;
  foreach privilege in array array['SELECT', 'INSERT', 'UPDATE', 'DELETE'] loop
    if not pg_catalog.has_table_privilege('authenticated', target, privilege) then
      problems := problems || format('authenticated lacks %s', privilege);
    end if;
  end loop;
  if not exists (
    select 1 from pg_catalog.pg_index i join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
    where i.indrelid = target and a.attname = column_name) then
    problems := problems || format('no index leads with %s', column_name);
  end if;
  return problems;
end;
$$;
comment on function private.protect_table_drift(regclass, text, name) is
  'What protect_table(target, scope, column) would change now: RLS disabled, its policies missing, anon grants, missing grants to authenticated, the tenant-column index missing. Empty when the table is as protect_table left it.';

-- ── protect_table: records the registration, locks only when it must ─────────
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
             else format('%s = any ((select private.caller_org_ids(%L))::uuid[])', column_ref,
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
  'Enables RLS with Tenantry''s standard policies on an application table (schema public, not Tenantry-managed, not a view) and registers it in private.protected_tables. Definer: altering tables and creating policies needs the owner''s rights.';

-- ── USER_MGMT_RLS_ENFORCE: repair a registered table that drifted ────────────
create function private.reapply_protected_table(schema_name name, table_name name)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
  entry private.protected_tables;
  target regclass;
  drift text[];
begin
  select * into entry from private.protected_tables t
  where t.schema_name = reapply_protected_table.schema_name and t.table_name = reapply_protected_table.table_name;
  if entry is null then
    raise exception using errcode = 'P0002', message = format('%I.%I is not registered with protect_table', schema_name, table_name);
  end if;
  target := pg_catalog.to_regclass(format('%I.%I', entry.schema_name, entry.table_name));
  if target is null then
    return jsonb_build_object('table', format('%I.%I', entry.schema_name, entry.table_name), 'status', 'missing');
  end if;
  drift := private.protect_table_drift(target, entry.scope, entry.column_name);
  if cardinality(drift) = 0 then
    return jsonb_build_object('table', target::text, 'status', 'unchanged');
  end if;
  return jsonb_build_object('status', 'repaired', 'drift', to_jsonb(drift))
      || private.protect_table(target, entry.scope, entry.column_name, entry.read_permission, entry.write_permission);
end;
$$;
comment on function private.reapply_protected_table(name, name) is
  'USER_MGMT_RLS_ENFORCE: applies protect_table again, with its registered arguments, to a registered table that drifted (audited as protect_table); a table as protect_table left it is not touched. Run by the admin function as its own role (the operator); not executable by the API roles.';

-- ── the report ───────────────────────────────────────────────────────────────
create function private.exposed_schemas()
returns text[]
language sql
stable
set search_path = ''
as $$
  -- The Data API's schemas as PostgREST reads them (config.toml [api] schemas), else its default.
  select array(select btrim(s) from unnest(string_to_array(
    coalesce(nullif(pg_catalog.current_setting('pgrst.db_schemas', true), ''), 'public,graphql_public'), ',')) as s
    where btrim(s) <> '')
$$;
comment on function private.exposed_schemas() is
  'The schemas the Data API exposes: pgrst.db_schemas (what config.toml [api] schemas sets), else public and graphql_public.';

create function private.rls_tables()
returns table (
  schema_name name, table_name name, kind text, rls_enabled boolean, rls_forced boolean, policies jsonb,
  anon_privileges text[], authenticated_privileges text[], tenantry_managed boolean, protection jsonb,
  exposed_without_rls boolean, drift text[])
language sql
stable
set search_path = ''
as $$
  select n.nspname, c.relname,
         case c.relkind when 'p' then 'partitioned table' else 'table' end,
         c.relrowsecurity, c.relforcerowsecurity,
         coalesce((
           select jsonb_agg(jsonb_build_object(
                    'name', p.polname,
                    'command', case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
                    'permissive', p.polpermissive,
                    'roles', (select coalesce(jsonb_agg(case when r = 0 then 'public' else r::regrole::text end order by 1), '[]'::jsonb)
                              from unnest(p.polroles) as r),
                    'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                    'with_check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
                  order by p.polname)
           from pg_catalog.pg_policy p where p.polrelid = c.oid), '[]'::jsonb),
         privileges.anon, privileges.authenticated,
         exists (select 1 from private.tenantry_tables t where t.schema_name = n.nspname and t.table_name = c.relname),
         (select jsonb_build_object('scope', t.scope, 'column', t.column_name, 'read_permission', t.read_permission,
                                    'write_permission', t.write_permission, 'registered_at', t.registered_at, 'applied_at', t.applied_at)
          from private.protected_tables t where t.schema_name = n.nspname and t.table_name = c.relname),
         not c.relrowsecurity and cardinality(privileges.anon || privileges.authenticated) > 0,
         (select private.protect_table_drift(c.oid, t.scope, t.column_name)
          from private.protected_tables t where t.schema_name = n.nspname and t.table_name = c.relname)
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  cross join lateral (
    select array(select lower(x.privilege) from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) with ordinality as x(privilege, position)
                 where case when x.privilege = 'DELETE' then pg_catalog.has_table_privilege('anon', c.oid, x.privilege)
                            else pg_catalog.has_any_column_privilege('anon', c.oid, x.privilege) end
                 order by x.position) as anon,
           array(select lower(x.privilege) from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) with ordinality as x(privilege, position)
                 where case when x.privilege = 'DELETE' then pg_catalog.has_table_privilege('authenticated', c.oid, x.privilege)
                            else pg_catalog.has_any_column_privilege('authenticated', c.oid, x.privilege) end
                 order by x.position) as authenticated
  ) as privileges
  where c.relkind in ('r', 'p') and not c.relispartition
    and n.nspname = any (private.exposed_schemas())
  order by n.nspname, c.relname
$$;
comment on function private.rls_tables() is
  'One row per table of the exposed schemas: RLS enabled/forced, policies, what anon and authenticated may do (table or column grants), whether Tenantry manages it, its protect_table registration and drift, and whether the API roles reach it without RLS.';

create function private.rls_report()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  tables jsonb;
begin
  if not private.has_platform_permission('rls:manage') then
    return private.deny('rls.read', 'you may not read the row-level security report (rls:manage)');
  end if;
  select coalesce(jsonb_agg(jsonb_build_object(
           'schema', t.schema_name, 'name', t.table_name, 'table', format('%I.%I', t.schema_name, t.table_name), 'kind', t.kind,
           'rls_enabled', t.rls_enabled, 'rls_forced', t.rls_forced, 'policies', t.policies,
           'grants', jsonb_build_object('anon', to_jsonb(t.anon_privileges), 'authenticated', to_jsonb(t.authenticated_privileges)),
           'tenantry_managed', t.tenantry_managed, 'protected', t.protection is not null, 'protection', t.protection,
           'drift', to_jsonb(t.drift), 'exposed_without_rls', t.exposed_without_rls)
         order by t.schema_name, t.table_name), '[]'::jsonb)
  into tables
  from private.rls_tables() t;
  return jsonb_build_object(
    'schemas', to_jsonb(private.exposed_schemas()),
    'tables', tables,
    -- Registered tables that are gone (dropped or renamed since protect_table ran).
    'missing_protected_tables', coalesce((
      select jsonb_agg(format('%I.%I', p.schema_name, p.table_name) order by p.schema_name, p.table_name)
      from private.protected_tables p
      where pg_catalog.to_regclass(format('%I.%I', p.schema_name, p.table_name)) is null), '[]'::jsonb),
    'summary', private.rls_summary());
end;
$$;
comment on function private.rls_report() is
  'The row-level security report (rls:manage): every table of the exposed schemas with RLS state, policies, grants, protect_table registration and drift; exposed tables without RLS flagged. Definer: reads the registry and refuses through private.deny.';

create function private.rls_summary()
returns jsonb
language sql
stable
set search_path = ''
as $$
  select jsonb_build_object(
    'tables', count(*),
    'rls_enabled', count(*) filter (where t.rls_enabled),
    'rls_forced', count(*) filter (where t.rls_forced),
    'protected', count(*) filter (where t.protection is not null),
    'drifted', count(*) filter (where cardinality(t.drift) > 0),
    'exposed_without_rls', count(*) filter (where t.exposed_without_rls),
    'exposed_without_rls_tables', coalesce(jsonb_agg(format('%I.%I', t.schema_name, t.table_name) order by t.schema_name, t.table_name)
                                             filter (where t.exposed_without_rls), '[]'::jsonb))
  from private.rls_tables() t
$$;
comment on function private.rls_summary() is
  'Counts over private.rls_tables(): tables, with RLS enabled, forced, protected by protect_table, drifted, and exposed without RLS (named).';

insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('rls_report', 'rls.read', 'rls:manage', 'profile', true, false);

create function public.rls_report()
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('rls_report'), private.rls_report()) $$;
comment on function public.rls_report() is
  'RPC: row-level security of every table the Data API exposes (rls:manage): enabled, forced, policies, grants, protect_table registration and drift, exposed tables without RLS flagged.';

grant execute on function private.rls_report() to authenticated, service_role;
call private.grant_rpc('public.rls_report()');
revoke execute on all functions in schema private from public;
