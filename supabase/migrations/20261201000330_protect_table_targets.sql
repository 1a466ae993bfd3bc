-- protect_table() targets application tables only (issue 10, item 8). It refused
-- nothing before: protect_table('public.memberships', 'owner', 'user_id') wrote policies
-- letting any user insert an owner membership, and private.settings was accepted. Now:
--   * only ordinary (or partitioned) tables in schema public, never views or other schemas;
--   * never a Tenantry-managed table. private.tenantry_tables is the one list of them:
--     every migration that creates a Tenantry table adds it there (a pgTAP test over
--     pg_class fails for a public table that is neither listed nor an example table);
--   * the operator test is private.is_operator(), not auth.role() is not null.

create table private.tenantry_tables (
  schema_name name not null,
  table_name name not null,
  primary key (schema_name, table_name)
);
comment on table private.tenantry_tables is
  'Tables in schema public that Tenantry''s migrations create and manage (their policies are Tenantry''s). protect_table refuses them. A migration that creates a public Tenantry table inserts it here. The example application tables (projects, research_sessions, draft_files) are not listed: they are protected like any application table.';
revoke all on private.tenantry_tables from public, anon, authenticated, service_role;

-- Every public table existing now except the example application tables. (Tables in
-- private need no entry: protect_table accepts schema public only.)
insert into private.tenantry_tables (schema_name, table_name)
select n.nspname, c.relname
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and n.nspname = 'public'
  and c.relname not in ('projects', 'research_sessions', 'draft_files');

create function private.is_tenantry_table(target regclass)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    join private.tenantry_tables t on t.schema_name = n.nspname and t.table_name = c.relname
    where c.oid = target)
$$;
comment on function private.is_tenantry_table(regclass) is 'Whether a table is one Tenantry manages (private.tenantry_tables). Definer: reads that list.';

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
  execute format('alter table %s enable row level security', target);

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
  'Enables RLS with Tenantry''s standard policies on an application table (schema public, not Tenantry-managed, not a view). Definer: altering tables and creating policies needs the owner''s rights.';

grant execute on function private.is_tenantry_table(regclass) to authenticated, service_role;
revoke execute on all functions in schema private from public;
