-- Database status for operators and the readiness check (issue 11; SPEC F14).
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
update private.settings set audit_denials_per_minute = 10000;
create temp table status as select pg_temp.call('platform_admin', 'public.database_status()') as s;
\set QUIET off

select plan(11);

select is(private.applied_migrations(),
  (select array_agg(version::text order by version) from supabase_migrations.schema_migrations),
  'applied_migrations lists the versions supabase db push recorded, oldest first');
select ok('20261202000510' = any (private.applied_migrations()), '... this migration among them');
select ok(not has_function_privilege('authenticated', 'private.applied_migrations()', 'execute')
          and not has_function_privilege('anon', 'private.applied_migrations()', 'execute'),
  'the API roles cannot call applied_migrations (only the functions'' own role does)');

select is((select s ->> 'server_version' from status), current_setting('server_version'), 'status: the server version');
select is((select s ->> 'server_version_num' from status)::integer, current_setting('server_version_num')::integer, '... as a number too');
select is((select s -> 'migrations_applied' from status), to_jsonb(private.applied_migrations()), '... the applied migrations');
select ok((select s -> 'extensions' @> '[{"name": "pgcrypto", "schema": "extensions"}]' from status), '... the extensions, with their schema');
select is((select s -> 'rls' from status), private.rls_summary(), '... and the RLS summary');

select is(pg_temp.call('service_role', 'public.database_status()') ->> 'database', current_database()::text, 'the secret key may read it');
select is(pg_temp.call('auditor', 'public.database_status()') -> 'error' ->> 'code', 'forbidden', 'without rls:manage it is refused ...');
select ok(exists (select 1 from public.audit_events where action = 'status.read' and outcome = 'denied' and actor_id = pg_temp.actor_id('auditor')),
  '... and the refusal audited');

select * from finish();
rollback;
