-- protect_table() (SPEC F6): standard policies for an application's own tables,
-- idempotent, with a JSON report; the policies it writes enforce the same rules.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(24);

create table public.widgets (id uuid primary key default gen_random_uuid(), organization_id uuid not null, label text);
create table public.notes (id uuid primary key default gen_random_uuid(), user_id uuid not null default private.caller_id(), body text);
insert into public.widgets (organization_id, label) values ('a0000000-0000-4000-8000-00000000000a', 'acme widget'), ('b0000000-0000-4000-8000-00000000000b', 'globex widget');

create temp table first_report as select public.protect_table('public.widgets') as report;
select is((select report -> 'rls_was_enabled' from first_report), 'false'::jsonb, 'the report says RLS was off before');
select is((select report -> 'policies_created' from first_report),
  '["widgets_select_members", "widgets_insert_members", "widgets_update_members", "widgets_delete_members", "widgets_select_platform", "widgets_insert_platform", "widgets_update_platform", "widgets_delete_platform"]'::jsonb,
  'one policy per operation and caller kind, named table_operation_who (members, and the platform role''s companions)');
select is((select report ->> 'index_created' from first_report), 'true', 'an index on the tenant column is created when missing');
select ok((select relrowsecurity from pg_class where oid = 'public.widgets'::regclass), 'RLS is enabled');

create temp table second_report as select public.protect_table('public.widgets') as report;
select is((select report -> 'policies_created' from second_report), '[]'::jsonb, 'a second run creates nothing');
select is((select jsonb_array_length(report -> 'policies_existing') from second_report), 8, '... and reports the eight existing policies');
select is((select report ->> 'rls_was_enabled' from second_report), 'true', '... with RLS already on');

select is(pg_temp.probe('member_a', 'select * from public.widgets'), 'rows:1', 'org scope: a member sees their organization''s rows only');
select is(pg_temp.probe('viewer_a', $$insert into public.widgets (organization_id) values ('a0000000-0000-4000-8000-00000000000a') returning 1$$), 'error:42501',
  'org scope: a viewer (no data:write) cannot insert');
select is(pg_temp.probe('anon', 'select * from public.widgets'), 'error:42501', 'anon gets no grant on protected tables');

select is(public.protect_table('public.notes', 'owner') ->> 'column', 'user_id', 'owner scope defaults to the user_id column');
select is(pg_temp.probe('member_a', $$insert into public.notes (body) values ('mine') returning 1$$), 'rows:1', 'owner scope: a user inserts their own rows');

select is(pg_temp.call('member_a', $$public.protect_table('public.widgets')$$) -> 'error' ->> 'code', 'forbidden',
  'a user without rls:manage cannot call protect_table');
select throws_ok($$select public.protect_table('public.widgets', 'org', 'tenant_id')$$, '22023',
  'table public.widgets has no uuid column "tenant_id"', 'a missing column is named in the error');

-- ── only application tables (issue 10, item 8) ───────────────────────────────
-- Runs protect_table as an operator (this session) and says what happened.
create function pg_temp.protect_outcome(target regclass, scope text default 'owner', col text default null)
returns text
language plpgsql
as $$
declare
  r jsonb;
begin
  r := public.protect_table(target, scope, col);
  return coalesce(r -> 'error' ->> 'code', 'applied');
exception when others then
  -- The operator's SQL session is refused with an exception (42501), API callers with the 403 body.
  return case when sqlstate = '42501' then 'forbidden' else 'error:' || sqlstate end;
end;
$$;
create function pg_temp.uuid_column(target oid)
returns text
language sql
as $$ select min(a.attname) from pg_attribute a where a.attrelid = target and a.atttypid = 'uuid'::regtype and a.attnum > 0 and not a.attisdropped $$;

-- Every table in schema public but the application's (the three example tables and the
-- two this test made) is Tenantry's and refused: a new Tenantry table that is not listed
-- in private.tenantry_tables fails here.
select is(
  (select coalesce(array_agg(c.oid::regclass::text order by c.relname), '{}') from pg_class c
   where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
     and c.relname not in ('projects', 'research_sessions', 'draft_files', 'widgets', 'notes')
     and pg_temp.protect_outcome(c.oid, 'owner', coalesce(pg_temp.uuid_column(c.oid), 'id')) <> 'forbidden'),
  '{}'::text[], 'every Tenantry table in public is refused (table-driven over pg_class)');
select ok((select count(*) from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r') > 10,
  '... and there are Tenantry tables to refuse');
select is(
  (select coalesce(array_agg(c.oid::regclass::text order by c.relname), '{}') from pg_class c
   where c.relnamespace = 'private'::regnamespace and c.relkind in ('r', 'p')
     and pg_temp.protect_outcome(c.oid, 'owner', coalesce(pg_temp.uuid_column(c.oid), 'id')) <> 'error:22023'),
  '{}'::text[], 'every table in schema private is refused as not the application''s schema');
select is(pg_temp.call('platform_admin', $$public.protect_table('public.memberships', 'owner', 'user_id')$$) -> 'error' ->> 'code', 'forbidden',
  'protect_table(public.memberships, owner, user_id) is refused, even with rls:manage');
select ok(exists (select 1 from public.audit_events where action = 'rls.protect_table' and outcome = 'denied' and target_id = 'public.memberships'),
  '... and the refusal is audited');
select is(pg_temp.probe('member_a', $$insert into public.memberships (organization_id, user_id, role) values ('b0000000-0000-4000-8000-00000000000b', pg_temp.actor_id('member_a'), 'owner') returning 1$$),
  'error:42501', '... so nobody can insert an owner membership');
select is(pg_temp.protect_outcome('private.settings', 'org', 'default_organization_id'), 'error:22023', 'private.settings is refused');
create view public.widget_view as select * from public.widgets;
select is(pg_temp.protect_outcome('public.widget_view', 'org'), 'error:22023', 'a view is refused');
create schema app_other;
create table app_other.things (id uuid primary key, user_id uuid not null);
select is(pg_temp.protect_outcome('app_other.things', 'owner'), 'error:22023', 'a table in another schema is refused');

-- An API role without claims is no operator (the old test was auth.role() is not null).
create function pg_temp.as_claimless_authenticated()
returns text
language plpgsql
as $$
declare
  r jsonb;
begin
  perform set_config('request.jwt.claims', '', true);
  perform set_config('role', 'authenticated', true);
  r := public.protect_table('public.notes', 'owner');
  perform set_config('role', 'none', true);
  return coalesce(r -> 'error' ->> 'code', 'applied');
exception when others then
  perform set_config('role', 'none', true);
  return 'error:' || sqlstate;
end;
$$;
select is(pg_temp.as_claimless_authenticated(), 'error:42501', 'an API role without JWT claims is not trusted as an operator (refused: no claims, no audit row to answer with)');

select * from finish();
rollback;
