-- Hygiene of a security product (SPEC §2.4), checked over the whole schema so a new
-- table, function or policy that forgets a rule fails here.
begin;
select plan(10);

select is(
  (select array_agg(format('%s.%s', n.nspname, p.proname) order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'private') and p.prokind in ('f', 'p')
     and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) c where c like 'search_path=%')),
  null, 'every function and procedure pins its search_path');

select is(
  (select array_agg(format('%s.%s', n.nspname, p.proname) order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where p.prosecdef and n.nspname <> 'private' and n.nspname in ('public', 'private')),
  null, 'SECURITY DEFINER functions live in the private schema only');

select is(
  (select array_agg(format('%s.%s', n.nspname, p.proname) order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'private') and has_function_privilege('anon', p.oid, 'execute')),
  null, 'anon can execute no Tenantry function');

select is(
  (select array_agg(format('%s.%s', n.nspname, p.proname) order by 1)
   from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
   where n.nspname in ('public', 'private', 'tenantry_request') and a.grantee = 0 and a.privilege_type = 'EXECUTE'),
  null, 'PUBLIC holds EXECUTE on no Tenantry function');

select is(
  (select array_agg(c.relname::text order by 1) from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relrowsecurity),
  null, 'every public table has row-level security enabled');

select is(
  (select array_agg(format('%s:%s', c.relname, a.privilege_type) order by 1)
   from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) a
   where n.nspname = 'public' and a.grantee = 'anon'::regrole),
  null, 'anon holds no privilege on any public table');

-- Schema private holds derived and internal state (member grants, the audit chain head,
-- settings): the API roles reach it only through functions, never a table.
select is(
  (select array_agg(format('%s on %s', r, c.oid::regclass) order by 1) from pg_class c, unnest(array['anon', 'authenticated', 'service_role']) as r
   where c.relnamespace = 'private'::regnamespace
     and case when c.relkind = 'S' then has_sequence_privilege(r, c.oid, 'usage, select, update')
              when c.relkind in ('r', 'p', 'v', 'm') then has_table_privilege(r, c.oid, 'select, insert, update, delete, truncate, references, trigger')
                                                      or has_any_column_privilege(r, c.oid, 'select, insert, update, references')
              else false end),
  null, 'no API role holds a privilege on any table, column or sequence in schema private');

select is(
  (select array_agg(c.relname::text order by 1) from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname in ('public', 'private') and c.relkind = 'r' and obj_description(c.oid, 'pg_class') is null),
  null, 'every table has a comment');

select is(
  (select array_agg(format('%s.%s', n.nspname, p.proname) order by 1) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
   where n.nspname in ('public', 'private') and obj_description(p.oid, 'pg_proc') is null),
  null, 'every function has a comment');

select is(
  (select array_agg(format('%s on %s', pol.polname, pol.polrelid::regclass) order by 1) from pg_policy pol
   where obj_description(pol.oid, 'pg_policy') is null),
  null, 'every policy has a comment');

select * from finish();
rollback;
