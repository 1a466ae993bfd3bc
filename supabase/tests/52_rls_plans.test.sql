-- Organization-scoped policies at scale (issue 13; SPEC F6): the caller's organizations
-- come from private.member_grants, which follows every membership and role change at
-- once, and a cached plan never carries one caller's organizations to another.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(13);

insert into public.projects (organization_id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Acme plans'),
  ('b0000000-0000-4000-8000-00000000000b', 'Globex plans');

-- ── one prepared statement, two users ────────────────────────────────────────
-- PostgREST prepares its statements and reuses them for every request of the pool's
-- connection; a generic plan is then shared by every user of the authenticated role.
set plan_cache_mode = force_generic_plan;
prepare org_projects as select coalesce(string_agg(distinct organization_id::text, ',' order by organization_id::text), '') as orgs from public.projects;
do $$ begin perform pg_temp.become('member_a'); end $$;
execute org_projects \gset member_a_
do $$ begin perform pg_temp.become('outsider'); end $$;
execute org_projects \gset outsider_
do $$ begin perform pg_temp.become('member_a'); end $$;
execute org_projects \gset member_a_again_
do $$ begin perform set_config('role', 'none', true); end $$;
select is(:'member_a_orgs'::text, 'a0000000-0000-4000-8000-00000000000a'::text, 'a generic plan shows a member their organization''s projects');
select is(:'outsider_orgs'::text, 'b0000000-0000-4000-8000-00000000000b'::text, 'the same prepared statement shows the next user only theirs');
select is(:'member_a_again_orgs'::text, 'a0000000-0000-4000-8000-00000000000a'::text, 'and the first user again only theirs');
reset plan_cache_mode;

-- PL/pgSQL caches its statements' plans for the session, across callers alike.
create function pg_temp.visible_orgs() returns text language plpgsql as $$
begin
  return (select coalesce(string_agg(distinct organization_id::text, ',' order by organization_id::text), '') from public.projects);
end $$;
do $$ begin perform pg_temp.become('member_a'); end $$;
select pg_temp.visible_orgs() as orgs \gset plpgsql_member_a_
select pg_temp.visible_orgs() as orgs \gset plpgsql_member_a_
select pg_temp.visible_orgs() as orgs \gset plpgsql_member_a_
select pg_temp.visible_orgs() as orgs \gset plpgsql_member_a_
select pg_temp.visible_orgs() as orgs \gset plpgsql_member_a_
select pg_temp.visible_orgs() as orgs \gset plpgsql_member_a_
do $$ begin perform pg_temp.become('outsider'); end $$;
select pg_temp.visible_orgs() as orgs \gset plpgsql_outsider_
do $$ begin perform set_config('role', 'none', true); end $$;
select is(:'plpgsql_outsider_orgs'::text, 'b0000000-0000-4000-8000-00000000000b'::text,
  'a PL/pgSQL function''s cached plan shows the next user only their organization');

-- ── member grants follow memberships ────────────────────────────────────────
create function pg_temp.write_orgs(actor text) returns uuid[] language plpgsql as $$
declare result uuid[];
begin
  perform pg_temp.become(actor);
  result := private.caller_org_ids('data:write');
  perform set_config('role', 'none', true);
  return result;
end $$;

select is(pg_temp.write_orgs('member_a'), array['a0000000-0000-4000-8000-00000000000a']::uuid[], 'a member writes data in their organization');
update public.memberships set role = 'viewer' where user_id = pg_temp.actor_id('member_a');
select is(pg_temp.write_orgs('member_a'), '{}'::uuid[], 'demoted to viewer, at once no longer');
update public.memberships set role = 'member' where user_id = pg_temp.actor_id('member_a');
insert into public.memberships (organization_id, user_id, role) values ('b0000000-0000-4000-8000-00000000000b', pg_temp.actor_id('member_a'), 'member');
select is(pg_temp.write_orgs('member_a')::text, '{a0000000-0000-4000-8000-00000000000a,b0000000-0000-4000-8000-00000000000b}',
  'promoted back and added to a second organization: both');
select is(pg_temp.probe('member_a', 'select 1 from public.projects where organization_id = ''b0000000-0000-4000-8000-00000000000b'''), 'rows:2',
  'and the policy shows the new organization''s projects');
delete from public.memberships where user_id = pg_temp.actor_id('member_a') and organization_id = 'b0000000-0000-4000-8000-00000000000b';
select is(pg_temp.probe('member_a', 'select 1 from public.projects where organization_id = ''b0000000-0000-4000-8000-00000000000b'''), 'rows:0',
  'removed again: none of them');
update public.memberships set organization_id = 'b0000000-0000-4000-8000-00000000000b' where user_id = pg_temp.actor_id('viewer_a');
select is(pg_temp.write_orgs('viewer_a'), '{}'::uuid[], 'a membership moved to another organization keeps its role''s grants (viewer: none to write)');

-- ── member grants follow the role matrix ────────────────────────────────────
delete from public.role_permissions where scope = 'org' and role = 'member' and permission = 'data:write';
select is(pg_temp.write_orgs('member_a'), '{}'::uuid[], 'a permission taken from a role is gone for its members at once');
insert into public.role_permissions (scope, role, permission) values ('org', 'member', 'data:write');
select is(pg_temp.write_orgs('member_a'), array['a0000000-0000-4000-8000-00000000000a']::uuid[], 'and back when it is given again');


-- ── and a truncated memberships table ────────────────────────────────────────
truncate public.memberships cascade;
select is(pg_temp.write_orgs('owner_a'), '{}'::uuid[], 'after TRUNCATE memberships nobody keeps a member grant');

select * from finish();
rollback;
