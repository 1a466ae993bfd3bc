-- ════════════════════════════════════════════════════════════════════════════
-- The platform companion policy admits organization rows only (issue 13 review).
--
-- Under authenticated the members' condition never admits a row whose tenant column is
-- NULL (NULL = any (...) is not true), even for a platform-wide reader. The companion
-- policy written by migration 20261203000500 was a pure pseudo-constant, so under
-- tenantry_platform the same reader also saw (and could write) rows that belong to no
-- organization. The role must select plans, never answers: the companion now requires
-- the tenant column too. The once-per-statement check stays first, so for everyone
-- else the OR still stops before the per-row test.
-- ════════════════════════════════════════════════════════════════════════════

create function private.platform_policy_condition(column_ref text, permission text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- Platform roles only (caller_platform_permissions: token scopes applied, nobody for a
  -- disabled or unknown caller), not has_platform_permission: the enforcement waiver must
  -- not admit more under this role than the members' condition does under authenticated.
  select format('(select %2$L = any (private.caller_platform_permissions())) and %1$s is not null', column_ref, permission)
$$;
comment on function private.platform_policy_condition(text, text) is
  'The text of the companion policy condition for role tenantry_platform on a quoted tenant column: a pseudo-constant (once per statement) that holds when a platform role gives the caller the permission, and a tenant column that names an organization. Pure text; reads nothing.';
revoke execute on function private.platform_policy_condition(text, text) from public;

create or replace function private.protect_table_policies(
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
           else private.platform_policy_condition(pg_catalog.quote_ident(column_name), p.permission)
         end,
         case w.who
           when 'owner' then format('protect_table: rows whose %s is the caller (%s).', column_name, x.op)
           when 'members' then format('protect_table: rows of organizations where the caller holds %s (%s).', p.permission, x.op)
           else format('protect_table: every organization''s rows, for a platform role that grants %s (%s; role tenantry_platform).', p.permission, x.op)
         end
  from pg_catalog.pg_class c,
       unnest(case scope when 'owner' then array['owner'] else array['members', 'platform'] end) with ordinality as w(who, w_position),
       unnest(array['select', 'insert', 'update', 'delete']) with ordinality as x(op, position),
       lateral (select case when x.op = 'select' then read_permission else write_permission end as permission) as p
  where c.oid = target
  order by w.w_position, x.position
$$;

drop function private.platform_policy_condition(text);

-- ── Tenantry's own companions ────────────────────────────────────────────────
do $$ begin
  execute format('alter policy organizations_select_platform on public.organizations using (%s)',
                 private.platform_policy_condition('id', 'org:read'));
  execute format('alter policy organization_feature_flags_select_platform on public.organization_feature_flags using (%s)',
                 private.platform_policy_condition('organization_id', 'org:read'));
end $$;

-- ── registered tables ────────────────────────────────────────────────────────
-- A companion still exactly as migration 20261203000500 wrote it gets the new condition
-- (ALTER POLICY keeps its name, roles and comment); one the application changed is left
-- alone, with a notice.
do $$
declare
  entry private.protected_tables;
  target regclass;
  policy record;
  old_shape text;
  new_shape text;
begin
  for entry in select * from private.protected_tables t where t.scope = 'org' loop
    target := pg_catalog.to_regclass(format('%I.%I', entry.schema_name, entry.table_name));
    continue when target is null;
    for policy in
      select p.polname, p.polcmd, pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expr,
             pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check_expr
      from pg_catalog.pg_policy p
      where p.polrelid = target and p.polname = any (private.protect_table_policy_names(target, 'org'))
        and p.polname like '%\_platform'
    loop
      -- The previous condition as PostgreSQL prints it back.
      old_shape := format('( SELECT (%L::text = ANY (private.caller_platform_permissions())))',
                          case when policy.polcmd = 'r' then entry.read_permission else entry.write_permission end);
      new_shape := private.platform_policy_condition(pg_catalog.quote_ident(entry.column_name),
                          case when policy.polcmd = 'r' then entry.read_permission else entry.write_permission end);
      if coalesce(policy.using_expr, old_shape) <> old_shape or coalesce(policy.check_expr, old_shape) <> old_shape then
        raise notice 'protect_table: % on % was changed by the application; left as it is', policy.polname, target;
        continue;
      end if;
      execute case policy.polcmd
        when 'a' then format('alter policy %I on %s with check (%s)', policy.polname, target, new_shape)
        when 'w' then format('alter policy %I on %s using (%s) with check (%s)', policy.polname, target, new_shape, new_shape)
        else format('alter policy %I on %s using (%s)', policy.polname, target, new_shape)
      end;
      execute format('comment on policy %I on %s is %L', policy.polname, target,
                     (select d.description from private.protect_table_policies(target, 'org', entry.column_name, entry.read_permission, entry.write_permission) d
                      where d.name = policy.polname));
    end loop;
  end loop;
end $$;
