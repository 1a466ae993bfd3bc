-- protect_table() (SPEC F6): standard policies for an application's own tables,
-- idempotent, with a JSON report; the policies it writes enforce the same rules.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(14);

create table public.widgets (id uuid primary key default gen_random_uuid(), organization_id uuid not null, label text);
create table public.notes (id uuid primary key default gen_random_uuid(), user_id uuid not null default private.caller_id(), body text);
insert into public.widgets (organization_id, label) values ('a0000000-0000-4000-8000-00000000000a', 'acme widget'), ('b0000000-0000-4000-8000-00000000000b', 'globex widget');

create temp table first_report as select public.protect_table('public.widgets') as report;
select is((select report -> 'rls_was_enabled' from first_report), 'false'::jsonb, 'the report says RLS was off before');
select is((select report -> 'policies_created' from first_report),
  '["widgets_select_members", "widgets_insert_members", "widgets_update_members", "widgets_delete_members"]'::jsonb,
  'one policy per operation, named table_operation_who');
select is((select report ->> 'index_created' from first_report), 'true', 'an index on the tenant column is created when missing');
select ok((select relrowsecurity from pg_class where oid = 'public.widgets'::regclass), 'RLS is enabled');

create temp table second_report as select public.protect_table('public.widgets') as report;
select is((select report -> 'policies_created' from second_report), '[]'::jsonb, 'a second run creates nothing');
select is((select jsonb_array_length(report -> 'policies_existing') from second_report), 4, '... and reports the four existing policies');
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

select * from finish();
rollback;
