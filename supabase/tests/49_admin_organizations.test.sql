-- Organizations for operators and organization admins (SPEC F4, F14, issue 11): who
-- lists and reads which organizations, member counts, invitations.
begin;
\ir _helpers.psql
\set QUIET on
-- The organizations already there (a shared database has many): the listings below are
-- read as this file's fixture organizations only.
create temp table organizations_before as select id from public.organizations;
\set QUIET off
\ir _fixture.psql
\set QUIET on
create function pg_temp.slugs(page jsonb) returns text[] language sql as $$
  select coalesce(array_agg(o ->> 'slug' order by o ->> 'slug'), '{}') from jsonb_array_elements(page -> 'organizations') o
  where (o ->> 'id')::uuid not in (select id from organizations_before) $$;
\set QUIET off

select plan(13);

select is(pg_temp.slugs(pg_temp.call('platform_admin', $$public.admin_list_organizations()$$)), '{acme,globex}',
  'a platform admin lists every organization');
select is(pg_temp.slugs(pg_temp.call('viewer_a', $$public.admin_list_organizations()$$)), '{acme}',
  'a member lists only the organizations they may read');
select is(pg_temp.call('invitee', $$public.admin_list_organizations()$$) -> 'error' ->> 'code', 'forbidden',
  'a user in no organization may list none');
select is((select (o ->> 'member_count')::int from jsonb_array_elements(pg_temp.call('platform_admin', $$public.admin_list_organizations()$$) -> 'organizations') o
           where o ->> 'slug' = 'acme'), 4,
  'each row carries its member count');
select is(pg_temp.slugs(pg_temp.call('platform_admin', $$public.admin_list_organizations(q => 'LOB')$$)), '{globex}',
  'q matches a substring of the name or slug, case-insensitively');
select is(pg_temp.slugs(pg_temp.call('platform_admin', $$public.admin_list_organizations(q => '_')$$)), '{}',
  '_ in q matches only itself');

select is(pg_temp.call('outsider', $$public.admin_get_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'error' ->> 'code', 'forbidden',
  'a non-member cannot read an organization');
select is(jsonb_array_length(pg_temp.call('viewer_a', $$public.admin_get_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'members'), 4,
  'a viewer reads its members (members:read)');
select is(jsonb_array_length(pg_temp.call('viewer_a', $$public.admin_get_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'invitations'), 0,
  'but not its invitations (members:manage)');
select is(pg_temp.call('admin_a', $$public.admin_get_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'invitations' -> 0 ->> 'email', 'invitee@test.local',
  'an organization admin reads its pending invitations');
select is(pg_temp.call('admin_a', $$public.admin_get_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'invitations' -> 0 ? 'token_hash', false,
  'never their token hash');
select is(pg_temp.call('viewer_a', $$public.list_invitations('a0000000-0000-4000-8000-00000000000a')$$) -> 'error' ->> 'code', 'forbidden',
  'a viewer cannot list invitations');
select is(pg_temp.call('platform_admin', $$public.admin_get_organization('00000000-0000-4000-8000-000000000000')$$) ->> 'sqlstate', 'P0002',
  'an unknown organization is not found');

select * from finish();
rollback;
