-- Platform-wide reads (issue 13; SPEC F4, F6): a caller with a platform role runs as
-- tenantry_platform, whose companion policies admit platform-wide access once per
-- statement. The role selects plans and never grants: for every caller state, every
-- organization-scoped table and every operation, the answer under tenantry_platform is
-- the answer under authenticated.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(29);

-- An application table whose tenant column may be NULL: a row that belongs to no
-- organization is nobody's under either role.
create table public.platform_reads_notes (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id),
  body text not null default 'note'
);
select public.protect_table('public.platform_reads_notes', 'org');
insert into public.platform_reads_notes (organization_id, body) values
  ('a0000000-0000-4000-8000-00000000000a', 'Acme note'), (null, 'nobody''s note');

-- More caller states: a platform reader whose account is disabled, one with no profile
-- (a token of an unregistered issuer), and a platform admin's token without data scopes.
select pg_temp.actor('disabled_reader', pg_temp.new_user('disabled-reader@test.local'));
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('disabled_reader'), 'reader', 'admin');
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('disabled_reader');
insert into public.personal_access_tokens (id, user_id, name, prefix, token_hash, scopes, expires_at) values
  ('c0000000-0000-4000-8000-0000000000f3', pg_temp.actor_id('platform_admin'), 'admin token', 'tnt_pat_00000000', '\x03', '{org:read}', now() + interval '1 day');

-- Runs a statement as the actor under the given role (authenticated or tenantry_platform),
-- after PostgREST's pre-request when asked; answers rows:n or error:sqlstate.
create function pg_temp.probe_as(actor text, role_name text, statement text, claims jsonb default null, waived boolean default false)
returns text
language plpgsql
as $$
declare
  n bigint;
begin
  begin
    if waived then
      -- As the admin function does under USER_MGMT_ENFORCE=false: as its own role, first.
      perform private.waive_enforcement();
    end if;
    if claims is null then
      perform pg_temp.become(actor);
    else
      perform set_config('request.jwt.claims', claims::text, true);
    end if;
    perform set_config('role', role_name, true);
    execute format('with probe as (%s) select count(*) from probe', statement) into n;
    raise exception using errcode = 'P0T01', message = n::text;
  exception when others then
    if sqlstate = 'P0T01' then
      return 'rows:' || sqlerrm;
    end if;
    return 'error:' || sqlstate;
  end;
end;
$$;

create temp table callers (name text, claims jsonb, waived boolean default false);
insert into callers values
  ('platform_admin', null), ('auditor', null), ('owner_a', null), ('member_a', null), ('viewer_a', null),
  ('outsider', null), ('disabled_reader', null),
  ('admin token without data scopes', pg_temp.token_claims('platform_admin', 'c0000000-0000-4000-8000-0000000000f3', '{org:read}')),
  ('unregistered issuer', jsonb_build_object('sub', pg_temp.actor_id('platform_admin'), 'role', 'authenticated', 'iss', 'https://evil.example.test'));
-- The same member under the admin function's enforcement waiver (it waives API
-- permission checks, never row-level security).
insert into callers values ('member_a', null, true);

-- Every table whose policies use the standard condition, with a statement per operation
-- (each write is rolled back by the probe's exception).
create temp table cases as
select t.relid::regclass as target, c.op, c.statement
from (select format('%I.%I', p.schema_name, p.table_name)::regclass as relid, p.column_name
      from private.protected_tables p where p.scope = 'org'
      union all values ('public.organizations'::regclass, 'id'), ('public.organization_feature_flags'::regclass, 'organization_id')) as t(relid, column_name),
lateral (values
  ('select', format('select 1 from %s', t.relid::regclass)),
  ('insert', case when t.relid = 'public.platform_reads_notes'::regclass then
     'insert into public.platform_reads_notes (organization_id) values (''a0000000-0000-4000-8000-00000000000a''), (''b0000000-0000-4000-8000-00000000000b'') returning 1' end),
  ('insert', case when t.relid = 'public.platform_reads_notes'::regclass then
     'insert into public.platform_reads_notes (organization_id) values (null) returning 1' end),
  ('update', format('update %s set %I = %I returning 1', t.relid::regclass, t.column_name, t.column_name)),
  ('delete', format('delete from %s returning 1', t.relid::regclass))) as c(op, statement)
where to_regclass(t.relid::text) is not null and c.statement is not null;

select cmp_ok((select count(distinct target) from cases), '>=', 4::bigint, 'the standard tables are all under test (projects, organizations, flags, a nullable tenant column)');

select is(
  (select array_agg(format('%s %s as %s: %s vs %s', k.target, k.op, c.name, k.as_authenticated, k.as_platform))
   from callers c,
   lateral (select x.target, x.op,
                   pg_temp.probe_as(c.name, 'authenticated', x.statement, c.claims, c.waived) as as_authenticated,
                   pg_temp.probe_as(c.name, 'tenantry_platform', x.statement, c.claims, c.waived) as as_platform
            from cases x) as k
   where k.as_authenticated is distinct from k.as_platform),
  null, 'every caller state reads, inserts, updates and deletes exactly the same rows as tenantry_platform as as authenticated');

-- The rows behind that equality, both sides.
-- (A shared database may hold other tests' rows: every row is what the operator counts.)
select is(pg_temp.probe_as('auditor', 'tenantry_platform', 'select 1 from public.organizations'), 'rows:' || (select count(*) from public.organizations),
  'a platform auditor reads every organization as tenantry_platform');
select is(pg_temp.probe_as('platform_admin', 'tenantry_platform', 'select 1 from public.projects'), 'rows:' || (select count(*) from public.projects),
  'a platform admin reads every project as tenantry_platform');
select is(pg_temp.probe_as('auditor', 'tenantry_platform', 'select 1 from public.projects'), 'rows:0', 'an auditor (no data:read) reads no project as tenantry_platform');
select is(pg_temp.probe_as('platform_admin', 'tenantry_platform', 'select 1 from public.platform_reads_notes where organization_id is null'), 'rows:0',
  'a platform admin reads no row that belongs to no organization as tenantry_platform (as under authenticated)');
select is(pg_temp.probe_as('platform_admin', 'tenantry_platform', 'insert into public.platform_reads_notes (organization_id) values (null) returning 1'), 'error:42501',
  'nor writes one');
select is(pg_temp.probe_as('member_a', 'tenantry_platform', 'select 1 from public.projects'), 'rows:1',
  'member cannot widen their reads by running as tenantry_platform (their organization''s project only)');
select is(pg_temp.probe_as('disabled_reader', 'tenantry_platform', 'select 1 from public.organizations'), 'rows:0', 'a disabled platform reader reads nothing');
select is(pg_temp.probe_as('admin token without data scopes', 'tenantry_platform', 'select 1 from public.projects',
                           pg_temp.token_claims('platform_admin', 'c0000000-0000-4000-8000-0000000000f3', '{org:read}')),
  'rows:0', 'a platform admin''s token without data:read reads no project');

-- ── the pre-request ──────────────────────────────────────────────────────────
create function pg_temp.role_after_pre_request(actor text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform pg_temp.become(actor);
  perform private.pre_request();
  result := current_user;
  perform set_config('role', 'none', true);
  return result;
end;
$$;
select is(pg_temp.role_after_pre_request('auditor'), 'tenantry_platform', 'the pre-request runs a platform role holder as tenantry_platform');
select is(pg_temp.role_after_pre_request('member_a'), 'authenticated', 'a member stays authenticated');
select is(pg_temp.role_after_pre_request('disabled_reader'), 'authenticated', 'a disabled platform reader stays authenticated');
select ok(not has_function_privilege('anon', 'private.pre_request()', 'execute'), 'anon may not run the pre-request (the edge functions call it for signed-in requests only)');

-- PostgREST's entry point (tenantry_request.pre_request), as PostgREST runs it: after the
-- role and the claims, as the request's role.
create function pg_temp.role_after_request(actor text, claimed_role text default null, calls integer default 1)
returns text
language plpgsql
as $$
declare
  result text;
begin
  begin
    perform pg_temp.become(actor);
    if claimed_role is not null then
      perform set_config('request.jwt.claims', (current_setting('request.jwt.claims')::jsonb || jsonb_build_object('role', claimed_role))::text, true);
      perform set_config('role', claimed_role, true);
    end if;
    for i in 1 .. calls loop
      perform tenantry_request.pre_request();
    end loop;
    result := current_user;
  exception when others then
    result := 'error:' || sqlstate;
  end;
  perform set_config('role', 'none', true);
  return result;
end;
$$;
select is(pg_temp.role_after_request('anon'), 'anon', 'PostgREST''s pre-request lets an anonymous request be');
select is(pg_temp.role_after_request('service_role'), 'service_role', '... and the secret key');
select is(pg_temp.role_after_request('auditor'), 'tenantry_platform', '... and runs a platform role holder as tenantry_platform');
select is(pg_temp.role_after_request('member_a'), 'authenticated', '... and a member as authenticated');
select is(pg_temp.role_after_request('auditor', 'tenantry_platform'), 'error:42501',
  'a token whose role claim names tenantry_platform is refused (the role is chosen from the database, never by a token)');
select ok((select bool_and(has_function_privilege(r, 'tenantry_request.pre_request()', 'execute') and has_schema_privilege(r, 'tenantry_request', 'usage'))
           from unnest(array['anon', 'authenticated', 'service_role']) as r),
  'every API role may run it');
select is((select array_agg(x.name) from (
             select p.proname::text from pg_proc p where p.pronamespace = 'tenantry_request'::regnamespace
             union all select c.relname::text from pg_class c where c.relnamespace = 'tenantry_request'::regnamespace) as x(name)),
  array['pre_request'],
  'its schema holds that function and nothing else');
select ok(not exists (select 1 from unnest(string_to_array(coalesce(current_setting('pgrst.db_schemas', true), 'public,graphql_public'), ',')) as s
                      where btrim(s) = 'tenantry_request'),
  '... and PostgREST does not expose it (not in pgrst.db_schemas)');
select is(pg_temp.role_after_request('auditor', calls => 2), 'tenantry_platform', 'called twice (from a project''s own pre-request), it switches once and refuses nothing');

-- ── the role itself ──────────────────────────────────────────────────────────
select ok((select not r.rolsuper and not r.rolbypassrls and not r.rolcanlogin and pg_has_role('tenantry_platform', 'authenticated', 'USAGE')
           from pg_roles r where r.rolname = 'tenantry_platform'),
  'tenantry_platform cannot log in, does not bypass RLS, and inherits authenticated');
select is((select count(*) from information_schema.role_table_grants g where g.grantee = 'tenantry_platform'), 0::bigint,
  'tenantry_platform holds no privilege of its own');

-- ── the plan: one check per statement, no enumeration ───────────────────────
create function pg_temp.plan_as(actor text, statement text)
returns text
language plpgsql
as $$
declare
  line text;
  result text := '';
begin
  perform pg_temp.become(actor);
  perform private.pre_request();
  for line in execute 'explain (costs off) ' || statement loop
    result := result || line || E'\n';
  end loop;
  perform set_config('role', 'none', true);
  return result;
end;
$$;
select is(
  (select array_agg(x.target::text) from (select distinct target from cases) as x
   -- PostgreSQL 15 prints the InitPlan's output as $n, 17 as (InitPlan n).col1, and 17
   -- drops IS NOT NULL on a NOT NULL column.
   where pg_temp.plan_as('platform_admin', format('select * from %s', x.target))
         !~ 'Filter: \(\(?(\$\d+|\(InitPlan \d+\)\.col\d+)( AND \([^()]* IS NOT NULL\)\))? OR '),
  null, 'on every standard table the companion policy''s once-per-statement check comes first in the OR (the members'' condition is not evaluated per row)');
create function pg_temp.policy_org_count(actor text, role_name text)
returns integer
language plpgsql
as $$
declare
  result integer;
begin
  perform pg_temp.become(actor);
  perform set_config('role', role_name, true);
  result := cardinality(private.policy_org_ids('data:read'));
  perform set_config('role', 'none', true);
  return result;
end;
$$;
select is(pg_temp.policy_org_count('platform_admin', 'tenantry_platform'), 0,
  'under tenantry_platform the standard condition counts memberships only (a platform admin without any: none)');
select is(pg_temp.policy_org_count('platform_admin', 'authenticated'), (select count(*)::integer from public.organizations),
  'under authenticated it still lists every organization for a platform admin (Storage and Realtime run as authenticated)');

-- ── platform grants follow the assignments (migration 20261203000400) ───────
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('member_a'), 'reader', 'admin');
update public.platform_role_assignments set role = 'reader' where user_id = pg_temp.actor_id('auditor');
delete from public.platform_role_assignments where user_id = pg_temp.actor_id('disabled_reader');
create temp view platform_grants_expected as
  select a.user_id, rp.permission, count(*)::integer as platform_roles from public.platform_role_assignments a
  join public.role_permissions rp on rp.scope = 'platform' and rp.role = a.role
  group by 1, 2;
select is(
  (select count(*) from (
     (select g.user_id, g.permission, g.platform_roles from private.member_grants g where g.platform_roles <> 0
      except
      select * from platform_grants_expected)
     union all
     (select * from platform_grants_expected
      except
      select g.user_id, g.permission, g.platform_roles from private.member_grants g)) as drift),
  0::bigint, 'platform grants follow assignments added, changed and removed (member_grants counts exactly the roles held)');

select * from finish();
rollback;
