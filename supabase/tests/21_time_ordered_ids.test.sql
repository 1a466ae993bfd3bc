-- Time-ordered ids: every id Tenantry generates is a UUID version 7, whoever inserts.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(6);

select is(
  (select array_agg(format('%s.%s', c.table_name, c.column_name) order by 1) from information_schema.columns c
   where c.table_schema = 'public' and c.column_name = 'id' and c.column_default is distinct from 'private.uuid_v7()'
     and c.table_name in ('profiles', 'organizations', 'invitations', 'personal_access_tokens',
                          'projects', 'research_sessions', 'draft_files')),
  null, 'every id Tenantry generates defaults to private.uuid_v7()');

\set QUIET on
create temp table ids as select private.uuid_v7() as id;
\set QUIET off
select matches((select id::text from ids), '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$',
  'an id has version 7 and the RFC 9562 variant');
select ok(
  (select abs(extract(epoch from clock_timestamp()) * 1000
              - ('x' || lpad(replace(left(id::text, 13), '-', ''), 16, '0'))::bit(64)::bigint) < 5000 from ids),
  'its first 48 bits are the current Unix time in milliseconds');
select pg_sleep(0.002) \g /dev/null
select ok((select private.uuid_v7() > id from ids), 'an id made later sorts after an earlier one');
select is((select count(distinct x) from (select private.uuid_v7() as x from generate_series(1, 1000)) s), 1000::bigint,
  '1,000 ids made in one burst (many in the same millisecond) are all different');

-- A member inserting through the Data API (RLS, no id given) evaluates the default too.
do $$
begin
  perform pg_temp.become('member_a');
  insert into public.projects (organization_id, name) values ('a0000000-0000-4000-8000-00000000000a', 'given no id');
  perform set_config('role', 'none', true);
end;
$$;
select matches((select id::text from public.projects where name = 'given no id'), '^[0-9a-f]{8}-[0-9a-f]{4}-7',
  'a member''s new project, inserted under RLS, gets a version 7 id');

select * from finish();
rollback;
