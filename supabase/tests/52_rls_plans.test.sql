-- Organization-scoped policies at scale (issue 13; SPEC F6): the caller's organizations
-- come from private.member_grants, which follows every membership and role change at
-- once, and a cached plan never carries one caller's organizations to another.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(25);

insert into public.projects (organization_id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Acme plans'),
  ('b0000000-0000-4000-8000-00000000000b', 'Globex plans');

-- ── the shape ────────────────────────────────────────────────────────────────
select is(
  (select array_agg(p.polname order by p.polname) from private.protected_tables t
   join pg_policy p on p.polrelid = format('%I.%I', t.schema_name, t.table_name)::regclass
   where t.scope = 'org'
     and coalesce(pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
         not like case when p.polname like '%\_platform' then '(( SELECT (%= ANY (private.caller_platform_permissions()))) AND (% IS NOT NULL))'
                       else '%= ANY (private.caller_org_ids_for(%IN ( SELECT o.o%FROM private.policy_org_id_set(%' end),
  null, 'every organization-scoped policy protect_table wrote uses the estimable condition, or is its once-per-statement platform companion');

-- ── grant arrays are stored uncompressed ────────────────────────────────────
-- Policy filters read the caller's array once per row they check. Sequential ids
-- compress well, so a compressed copy would show here on every path that writes one:
-- memberships (member_grants, then caller_grants), a new caller key (copied from
-- member_grants) and a platform role (caller_grants keeps the stored array).
select pg_temp.actor('many_orgs', pg_temp.new_user('many-orgs@test.local'));
insert into public.organizations (id, slug, name)
select ('e0000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, 'many-' || n, 'Many ' || n from generate_series(1, 300) n;
insert into public.memberships (organization_id, user_id, role)
select ('e0000000-0000-4000-8000-' || lpad(to_hex(n), 12, '0'))::uuid, pg_temp.actor_id('many_orgs'), 'member' from generate_series(1, 300) n;
update private.settings set auth_issuers = array_append(auth_issuers, 'https://second-issuer.test/auth/v1');
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('many_orgs'), 'reader', 'admin');
select is(
  (select array[count(*) filter (where pg_catalog.pg_column_compression(g.organization_ids) is not null),
                count(*) filter (where pg_catalog.pg_column_size(g.organization_ids) > 4000)]
   from private.member_grants g where g.user_id = pg_temp.actor_id('many_orgs')),
  array[0, 4]::bigint[], 'a user''s grant arrays of 300 organizations are stored uncompressed');
select is(
  (select array[count(*) filter (where pg_catalog.pg_column_compression(g.organization_ids) is not null),
                count(*) filter (where pg_catalog.pg_column_size(g.organization_ids) > 4000)]
   from private.caller_grants g where g.profile_id = pg_temp.actor_id('many_orgs')),
  array[0, 8]::bigint[], '... and so are the copies for each of their caller keys, the one added with a second issuer too');
update private.settings set auth_issuers = array_remove(auth_issuers, 'https://second-issuer.test/auth/v1');
delete from public.platform_role_assignments where user_id = pg_temp.actor_id('many_orgs');
delete from public.organizations where slug like 'many-%';

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
create function pg_temp.orgs_where(actor text, permission text) returns uuid[] language plpgsql as $$
declare result uuid[];
begin
  perform pg_temp.become(actor);
  result := array(select x from unnest(private.caller_org_ids(permission)) as x order by x);
  perform set_config('role', 'none', true);
  return result;
end $$;
create function pg_temp.write_orgs(actor text) returns uuid[] language sql as $$ select pg_temp.orgs_where(actor, 'data:write') $$;
create function pg_temp.read_orgs(actor text) returns uuid[] language sql as $$ select pg_temp.orgs_where(actor, 'data:read') $$;
-- How far member_grants is from what it derives from (0: not at all).
create function pg_temp.grants_drift() returns bigint language sql as $$
  with expected as (
    select m.user_id, rp.permission, array_agg(m.organization_id order by m.organization_id) as ids
    from public.memberships m join public.role_permissions rp on rp.scope = 'org' and rp.role = m.role
    group by 1, 2),
  actual as (
    select g.user_id, g.permission, array(select x from unnest(g.organization_ids) as x order by x) as ids
    from private.member_grants g where cardinality(g.organization_ids) > 0)
  select count(*) from ((select * from expected except select * from actual) union all (select * from actual except select * from expected)) as d
$$;

-- How far caller_grants is from caller_identities × member_grants (0: not at all).
create function pg_temp.caller_grants_drift() returns bigint language sql as $$
  with expected as (
    select k.supabase, k.issuer, k.subject, g.permission, k.profile_id, array(select x from unnest(g.organization_ids) as x order by x) as ids, g.platform_roles
    from private.caller_identities k join private.member_grants g on g.user_id = k.profile_id),
  actual as (
    select c.supabase, c.issuer, c.subject, c.permission, c.profile_id, array(select x from unnest(c.organization_ids) as x order by x) as ids, c.platform_roles
    from private.caller_grants c)
  select count(*) from ((select * from expected except select * from actual) union all (select * from actual except select * from expected)) as d
$$;

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
-- A role change writes only the grants the two roles do not share.
select ctid::text as kept_row from private.member_grants
where user_id = pg_temp.actor_id('member_a') and permission = 'data:read' \gset
update public.memberships set role = 'viewer' where user_id = pg_temp.actor_id('member_a');
select is((select ctid::text from private.member_grants where user_id = pg_temp.actor_id('member_a') and permission = 'data:read'),
  :'kept_row', 'demoting a member to viewer leaves the grant both roles give as it was');
select is(pg_temp.write_orgs('member_a'), '{}'::uuid[], '... and takes the one they do not share');
insert into public.memberships (organization_id, user_id, role) values ('b0000000-0000-4000-8000-00000000000b', pg_temp.actor_id('member_a'), 'member');
update public.memberships set role = case role when 'viewer' then 'member' else 'viewer' end where user_id = pg_temp.actor_id('member_a');
select is(pg_temp.write_orgs('member_a'), array['a0000000-0000-4000-8000-00000000000a']::uuid[],
  'one statement promoting a user in one organization and demoting them in another moves the grant');
select is(pg_temp.grants_drift(), 0::bigint, '... and member_grants still equals memberships × role_permissions');
select is(pg_temp.caller_grants_drift(), 0::bigint, '... and caller_grants still equals caller_identities × member_grants');
delete from public.memberships where user_id = pg_temp.actor_id('member_a') and organization_id = 'b0000000-0000-4000-8000-00000000000b';
update public.memberships set organization_id = 'b0000000-0000-4000-8000-00000000000b' where user_id = pg_temp.actor_id('viewer_a');
select is(pg_temp.read_orgs('viewer_a'), array['b0000000-0000-4000-8000-00000000000b']::uuid[],
  'a membership moved to another organization reads there, no longer in the first');
update public.memberships set user_id = pg_temp.actor_id('invitee') where user_id = pg_temp.actor_id('viewer_a');
select is(pg_temp.read_orgs('viewer_a'), '{}'::uuid[], 'a membership handed to another user leaves the first with nothing');
select is(pg_temp.read_orgs('invitee'), array['b0000000-0000-4000-8000-00000000000b']::uuid[], '... and gives it to the other');
delete from public.organizations where id = 'b0000000-0000-4000-8000-00000000000b';
select is(pg_temp.read_orgs('invitee'), '{}'::uuid[], 'an organization deleted takes its members'' grants with it (cascade)');
select is(pg_temp.grants_drift(), 0::bigint, 'after all of it, member_grants equals memberships × role_permissions');

-- ── member grants follow the role matrix ────────────────────────────────────
delete from public.role_permissions where scope = 'org' and role = 'member' and permission = 'data:write';
select is(pg_temp.write_orgs('member_a'), '{}'::uuid[], 'a permission taken from a role is gone for its members at once');
insert into public.role_permissions (scope, role, permission) values ('org', 'member', 'data:write');
select is(pg_temp.write_orgs('member_a'), array['a0000000-0000-4000-8000-00000000000a']::uuid[], 'and back when it is given again');


-- ── and a truncated memberships table ────────────────────────────────────────
set constraints all immediate;  -- TRUNCATE refuses a table with checks still pending
truncate public.memberships cascade;
select is(pg_temp.write_orgs('owner_a'), '{}'::uuid[], 'after TRUNCATE memberships nobody keeps a member grant');

select * from finish();
rollback;
