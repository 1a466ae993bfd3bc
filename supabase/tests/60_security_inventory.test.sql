-- Security inventory (issue 14; SPEC §2 principles 1–3): what a security reviewer checks
-- first, asserted over the whole catalog so a new function, view or table cannot escape.
-- Tenantry's schemas are public, private and tenantry_request. (Search paths, comments,
-- PUBLIC (in all three schemas) and anon grants, RLS on public tables: 02_hygiene.)
begin;
\ir _helpers.psql

select plan(5);

-- Every SECURITY DEFINER function is listed with its reason: its comment says
-- "Definer: <why>", the inventory a reviewer reads with \df+ or pg_proc.
select is(
  (select array_agg(p.oid::regprocedure::text order by 1) from pg_proc p
   where p.prosecdef and p.pronamespace in ('public'::regnamespace, 'private'::regnamespace, 'tenantry_request'::regnamespace)
     and coalesce(obj_description(p.oid, 'pg_proc'), '') !~ 'Definer: *[^ ].{8,}'),
  null, 'every SECURITY DEFINER function says in its comment why it needs its owner''s rights ("Definer: …")');

-- The functions the API roles may run with their owner's rights are reachable from a
-- client only through an exposed schema, and private never is (PostgREST's schemas).
select is(
  (select array_agg(distinct s order by s) from unnest(private.exposed_schemas()) as s
   where s in ('private', 'tenantry_request', 'auth')
      or exists (select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = s and p.prosecdef)),
  null, 'no schema holding definer functions or internal state is exposed to the Data API');

-- A view runs with its owner's rights (and skips the tables' RLS for them) unless it is
-- security_invoker.
select is(
  (select array_agg(c.oid::regclass::text order by 1) from pg_class c
   where c.relkind in ('v', 'm') and c.relnamespace in ('public'::regnamespace, 'private'::regnamespace, 'tenantry_request'::regnamespace)
     and not coalesce(c.relkind = 'v' and 'security_invoker=true' = any (c.reloptions), false)),
  null, 'every view is security_invoker (no materialized views)');

-- A table's owner skips its RLS unless FORCE ROW LEVEL SECURITY is set. The owners are
-- roles that bypass RLS anyway (postgres) and that no API role can act as.
select is(
  (select array_agg(format('%s (%s)', c.oid::regclass, pg_get_userbyid(c.relowner)) order by 1) from pg_class c
   join pg_roles o on o.oid = c.relowner
   where c.relkind in ('r', 'p') and c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
     and (exists (select 1 from unnest(array['anon', 'authenticated', 'service_role', 'tenantry_platform']) as r
                  where pg_has_role(r, c.relowner, 'member'))
          or not (o.rolbypassrls or o.rolsuper or c.relforcerowsecurity))),
  null, 'no table is owned by a role an API role can act as, and every owner bypasses RLS anyway or the table forces it');

-- The API roles never hold a role that bypasses RLS or owns Tenantry's objects.
select is(
  (select array_agg(format('%s → %s', r, m.rolname) order by 1)
   from unnest(array['anon', 'authenticated', 'service_role', 'tenantry_platform']) as r, pg_roles m
   where m.rolname <> r and pg_has_role(r, m.oid, 'member')
     and (m.rolbypassrls or m.rolsuper
          or m.oid in (select c.relowner from pg_class c where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace))
          or m.oid in (select p.proowner from pg_proc p where p.prosecdef and p.pronamespace in ('public'::regnamespace, 'private'::regnamespace, 'tenantry_request'::regnamespace)))),
  null, 'anon, authenticated and tenantry_platform act as no role that bypasses RLS or owns Tenantry''s tables or definer functions (service_role bypasses by design, itself)');

select * from finish();
rollback;
