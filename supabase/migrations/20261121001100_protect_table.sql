-- protect_table() (SPEC F6): the "Enable RLS" action for an application's own tables.
-- Applies Tenantry's standard policies, owner-scoped (a user column) or
-- organization-scoped (an organization column checked against permissions),
-- idempotently, and returns a JSON report of what it did.

create function private.protect_table(
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
begin
  -- Clients need rls:manage; migrations and operators (no JWT) are already trusted.
  if auth.role() is not null and not private.has_platform_permission('rls:manage') then
    return private.deny('rls.protect_table', 'you may not change row-level security', null, 'table', target::text);
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
  'Enables RLS with Tenantry''s standard policies on a table. Definer: altering tables and creating policies needs the owner''s rights.';

create function public.protect_table(
  target regclass,
  scope text default 'org',
  column_name text default null,
  read_permission text default 'data:read',
  write_permission text default 'data:write'
)
returns jsonb
language sql
set search_path = ''
as $$ select private.protect_table(target, scope, column_name, read_permission, write_permission) $$;
comment on function public.protect_table(regclass, text, text, text, text) is
  'Protect a table with RLS: scope owner (column defaults to user_id) or org (column defaults to organization_id; permissions default to data:read / data:write). Idempotent; returns a JSON report. Needs rls:manage when called by a client.';

grant execute on function private.protect_table(regclass, text, text, text, text) to authenticated, service_role;
call private.grant_rpc('public.protect_table(regclass, text, text, text, text)');

-- New functions are executable by PUBLIC until revoked; private ones are granted explicitly above.
revoke execute on all functions in schema private from public;
