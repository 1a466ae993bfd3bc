-- The protect_table registry, drift and repair (USER_MGMT_RLS_ENFORCE), and the RLS
-- report (issue 11; SPEC F6, F14, F15).
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
update private.settings set audit_denials_per_minute = 10000;
create table public.gadgets (id uuid primary key default gen_random_uuid(), team_id uuid not null, label text);
create table public.open_table (id uuid primary key);
grant select on public.open_table to authenticated;
create schema app_hidden;
create table app_hidden.secrets (id uuid primary key, user_id uuid not null);
create function pg_temp.events_since(since bigint, event_action text)
returns bigint
language sql
as $$ select count(*) from public.audit_events where id > since and action = event_action $$;
create temp table marks (name text primary key, id bigint);
\set QUIET off

select plan(32);

-- ── the registry ─────────────────────────────────────────────────────────────
select results_eq(
  $$ select table_name::text collate "default", scope, column_name::text collate "default", read_permission, write_permission from private.protected_tables
     where table_name in ('projects', 'research_sessions', 'draft_files') order by table_name $$,
  $$ values ('draft_files', 'owner', 'user_id', 'data:read', 'data:write'),
            ('projects', 'org', 'organization_id', 'data:read', 'data:write'),
            ('research_sessions', 'owner', 'user_id', 'data:read', 'data:write') $$,
  'the example tables are registered with the arguments their migration protected them with');

select is(pg_temp.call('platform_admin', $$public.protect_table('public.gadgets', 'org', 'team_id', 'org:read', 'data:write')$$) ->> 'column', 'team_id',
  'protect_table applies to a new application table');
select results_eq(
  $$ select scope, column_name::text collate "default", read_permission, write_permission from private.protected_tables where table_name = 'gadgets' $$,
  $$ values ('org', 'team_id', 'org:read', 'data:write') $$,
  '... and registers it with the arguments it ran with');
select is(pg_temp.call('platform_admin', $$public.protect_table('public.gadgets', 'org', 'team_id')$$) ->> 'table', 'public.gadgets',
  'applying it again with other permissions works');
select is((select read_permission from private.protected_tables where table_name = 'gadgets'), 'data:read',
  '... and the registration follows the latest arguments');
select is(pg_temp.call('member_a', $$public.protect_table('public.open_table', 'org', 'id')$$) -> 'error' ->> 'code', 'forbidden',
  'a refused protect_table ...');
select ok(not exists (select 1 from private.protected_tables where table_name = 'open_table'), '... registers nothing');
select throws_ok($$ select public.protect_table('public.open_table', 'owner') $$, '22023', null, 'a failed protect_table (no user_id column) ...');
select ok(not exists (select 1 from private.protected_tables where table_name = 'open_table'), '... registers nothing either');

-- ── drift and repair ─────────────────────────────────────────────────────────
select is(private.protect_table_drift('public.gadgets', 'org', 'team_id'), '{}'::text[], 'a table as protect_table left it has no drift');
select is((private.reapply_protected_table('public', 'gadgets')) ->> 'status', 'unchanged', 'reapplying to it changes nothing ...');
insert into marks values ('before_unchanged', (select max(id) from public.audit_events));
select is((private.reapply_protected_table('public', 'gadgets')) ->> 'status', 'unchanged', '(again)');
select is(pg_temp.events_since((select id from marks where name = 'before_unchanged'), 'rls.protect_table'), 0::bigint,
  '... and writes no audit event');

drop policy gadgets_update_members on public.gadgets;
alter table public.gadgets disable row level security;
grant select on public.gadgets to anon;
revoke delete on public.gadgets from authenticated;
select is(private.protect_table_drift('public.gadgets', 'org', 'team_id'),
  array['row-level security is disabled', 'policies missing: gadgets_update_members', 'anon holds privileges on it', 'authenticated lacks DELETE'],
  'drift names RLS switched off, a dropped policy, an anon grant and a revoked grant');
select is((select (t -> 'drift') from jsonb_array_elements(pg_temp.call('platform_admin', 'public.rls_report()') -> 'tables') t where t ->> 'name' = 'gadgets'),
  '["row-level security is disabled", "policies missing: gadgets_update_members", "anon holds privileges on it", "authenticated lacks DELETE"]'::jsonb,
  'the RLS report shows the drift');
insert into marks values ('before_repair', (select max(id) from public.audit_events));
create temp table repaired as select private.reapply_protected_table('public', 'gadgets') as r;
select is((select r ->> 'status' from repaired), 'repaired', 'reapplying repairs a drifted table');
select is((select r -> 'policies_created' from repaired), '["gadgets_update_members"]'::jsonb, '... recreating the dropped policy');
select ok((select relrowsecurity from pg_class where oid = 'public.gadgets'::regclass)
          and not has_table_privilege('anon', 'public.gadgets', 'select') and has_table_privilege('authenticated', 'public.gadgets', 'delete'),
  '... switching RLS back on and restoring the grants');
select is((select read_permission from private.protected_tables where table_name = 'gadgets'), 'data:read', '... with the registered arguments');
select results_eq(
  $$ select actor_type, target_id from public.audit_events where id > (select id from marks where name = 'before_repair') and action = 'rls.protect_table' $$,
  $$ values ('operator', 'public.gadgets') $$,
  '... audited once, as the operator');

drop index public.draft_files_user_idx;
select is(private.protect_table_drift('public.draft_files', 'owner', 'user_id'), array['no index leads with user_id'], 'a dropped tenant-column index is drift');
select is(private.reapply_protected_table('public', 'draft_files') ->> 'index_created', 'true', '... which reapplying repairs');

drop table public.gadgets;
select is(private.reapply_protected_table('public', 'gadgets') ->> 'status', 'missing', 'a registered table that was dropped is reported missing');
select throws_ok($$ select private.reapply_protected_table('public', 'open_table') $$, 'P0002', null, 'an unregistered table cannot be reapplied');

select ok(not exists (select 1 from pg_locks l where l.pid = pg_backend_pid() and l.relation = 'public.research_sessions'::regclass
                      and l.mode = 'AccessExclusiveLock')
          and public.protect_table('public.research_sessions', 'owner') ->> 'rls_was_enabled' = 'true'
          and not exists (select 1 from pg_locks l where l.pid = pg_backend_pid() and l.relation = 'public.research_sessions'::regclass
                          and l.mode = 'AccessExclusiveLock'),
  'protect_table on a table with RLS on takes no ACCESS EXCLUSIVE lock (readers are not blocked)');

-- ── the report ───────────────────────────────────────────────────────────────
create temp table report as select pg_temp.call('platform_admin', 'public.rls_report()') as r;
select set_eq(
  $$ select t ->> 'table' from report, jsonb_array_elements(r -> 'tables') t $$,
  $$ select format('public.%I', c.relname) from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') $$,
  'the report lists every table of the exposed schemas, and no other (app_hidden is not exposed)');
select is(
  (select jsonb_build_object('protected', t -> 'protected', 'scope', t -> 'protection' -> 'scope', 'rls', t -> 'rls_enabled', 'managed', t -> 'tenantry_managed',
                             'policies', jsonb_array_length(t -> 'policies'), 'drift', t -> 'drift')
   from report, jsonb_array_elements(r -> 'tables') t where t ->> 'name' = 'projects'),
  '{"protected": true, "scope": "org", "rls": true, "managed": false, "policies": 8, "drift": []}'::jsonb,
  'projects: protected by protect_table (org scope), RLS on, its eight policies (members and platform companions), no drift');
select is(
  (select jsonb_build_object('exposed', t -> 'exposed_without_rls', 'grants', t -> 'grants', 'protected', t -> 'protected')
   from report, jsonb_array_elements(r -> 'tables') t where t ->> 'name' = 'open_table'),
  '{"exposed": true, "grants": {"anon": [], "authenticated": ["select"]}, "protected": false}'::jsonb,
  'a table authenticated may read without RLS is flagged exposed');
select is((select r -> 'summary' -> 'exposed_without_rls_tables' from report), '["public.open_table"]'::jsonb, '... and named in the summary');
select is((select r -> 'missing_protected_tables' from report), '["public.gadgets"]'::jsonb, 'registered tables that are gone are listed');

select is(pg_temp.call('member_a', 'public.rls_report()') -> 'error' ->> 'code', 'forbidden', 'without rls:manage the report is refused ...');
select ok(exists (select 1 from public.audit_events where action = 'rls.read' and outcome = 'denied' and actor_id = pg_temp.actor_id('member_a')),
  '... and the refusal audited');

select * from finish();
rollback;
