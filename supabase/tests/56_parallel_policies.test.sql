-- Parallel plans under the standard policies (issue 13; SPEC F6): PostgreSQL may split a
-- large scan across workers only when everything the policies call is parallel-safe,
-- and then every worker evaluates the policy on its own. For every caller state and every
-- organization-scoped table, a plan run by workers returns exactly what a serial plan
-- returns.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(7);

insert into public.projects (organization_id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Acme parallel'),
  ('b0000000-0000-4000-8000-00000000000b', 'Globex parallel');

-- ── the catalog: nothing a standard policy calls keeps a plan serial ─────────
create temp table standard_tables as
select format('%I.%I', p.schema_name, p.table_name)::regclass as target
from private.protected_tables p where p.scope = 'org'
union all values ('public.organizations'::regclass), ('public.organization_feature_flags'::regclass);

select is(
  (select array_agg(distinct d.refobjid::regprocedure::text order by d.refobjid::regprocedure::text)
   from pg_policy pol
   join pg_depend d on d.classid = 'pg_policy'::regclass and d.objid = pol.oid and d.refclassid = 'pg_proc'::regclass
   join pg_proc f on f.oid = d.refobjid
   where pol.polrelid in (select target from standard_tables)
     and (pol.polname like '%\_members' or pol.polname like '%\_platform')
     and f.proparallel <> 's'),
  null, 'every function the standard and companion policies call is PARALLEL SAFE');

select is(
  (select array_agg(f.oid::regprocedure::text order by f.oid::regprocedure::text)
   from pg_proc f
   where f.oid in ('private.caller_org_ids_for(text, boolean)'::regprocedure, 'private.caller_id()'::regprocedure,
                   'private.caller_platform_permissions()'::regprocedure, 'private.user_platform_permissions(uuid)'::regprocedure,
                   'private.token_scopes()'::regprocedure, 'private.token_allows(text)'::regprocedure, 'private.is_operator()'::regprocedure)
     and f.proparallel <> 's'),
  null, '... and so is every function those call (a worker runs them)');

-- ── every caller state, serial and in workers ────────────────────────────────
select pg_temp.actor('disabled_reader', pg_temp.new_user('parallel-disabled-reader@test.local'));
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('disabled_reader'), 'reader', 'admin');
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('disabled_reader');
insert into public.personal_access_tokens (id, user_id, name, prefix, token_hash, scopes, expires_at) values
  ('c0000000-0000-4000-8000-0000000000f6', pg_temp.actor_id('platform_admin'), 'parallel token', 'tnt_pat_00000006', '\x06', '{org:read}', now() + interval '1 day');

create temp table callers (name text, role_name text, claims jsonb);
insert into callers
select a.name, r.role_name, null from unnest(array['platform_admin', 'auditor', 'owner_a', 'member_a', 'viewer_a', 'outsider', 'disabled_reader']) as a(name),
       unnest(array['authenticated', 'tenantry_platform']) as r(role_name)
union all values
  ('admin token without data scopes', 'tenantry_platform', pg_temp.token_claims('platform_admin', 'c0000000-0000-4000-8000-0000000000f6', '{org:read}')),
  ('unregistered issuer', 'authenticated', jsonb_build_object('sub', pg_temp.actor_id('platform_admin'), 'role', 'authenticated', 'iss', 'https://evil.example.test')),
  ('anon', 'anon', null);

-- Plans every scan that can run in parallel so (costs zeroed, a sequential scan, whose
-- every worker evaluates both conjuncts on its rows) and leaves the scanning to the
-- workers (the leader only gathers); or plans serially. Transaction-local.
create function pg_temp.plan_in_workers(in_workers boolean)
returns void
language plpgsql
as $$
begin
  perform set_config('max_parallel_workers_per_gather', case when in_workers then '2' else '0' end, true);
  perform set_config(s.name, case when in_workers then s.value else g.reset_val end, true)
  from pg_catalog.pg_settings g join (values ('parallel_setup_cost', '0'), ('parallel_tuple_cost', '0'), ('min_parallel_table_scan_size', '0'),
               ('min_parallel_index_scan_size', '0'), ('parallel_leader_participation', 'off'),
               ('enable_indexscan', 'off'), ('enable_indexonlyscan', 'off'), ('enable_bitmapscan', 'off')) as s(name, value)
    on s.name = g.name;
end;
$$;

-- Counts the statement's rows as the caller under role_name, serially or in workers.
-- Answers rows:n, or error:sqlstate.
create function pg_temp.count_as(caller text, role_name text, claims jsonb, statement text, in_workers boolean)
returns text
language plpgsql
as $$
declare
  n bigint;
begin
  begin
    perform pg_temp.plan_in_workers(in_workers);
    if claims is null then
      perform pg_temp.become(caller);
    else
      perform set_config('request.jwt.claims', claims::text, true);
    end if;
    perform set_config('role', role_name, true);
    execute format('select count(*) from (%s) as s', statement) into n;
    raise exception using errcode = 'P0T01', message = n::text;
  exception when others then
    if sqlstate = 'P0T01' then
      return 'rows:' || sqlerrm;
    end if;
    return 'error:' || sqlstate;
  end;
end;
$$;

-- The workers the statement's plan launched, run as count_as runs it in workers. Other
-- sessions may hold every worker slot for a moment, so it tries a few times.
create function pg_temp.workers_launched(caller text, role_name text, statement text)
returns integer
language plpgsql
as $$
declare
  plan jsonb;
  result integer := 0;
begin
  for attempt in 1 .. 20 loop
    perform pg_temp.plan_in_workers(true);
    perform pg_temp.become(caller);
    perform set_config('role', role_name, true);
    execute format('explain (analyze, format json) select count(*) from (%s) as s', statement) into plan;
    perform set_config('role', 'none', true);
    perform pg_temp.plan_in_workers(false);
    select coalesce(sum((j.value ->> 'Workers Launched')::integer), 0) into result
    from jsonb_path_query(plan, 'strict $.**') as j(value)
    where jsonb_typeof(j.value) = 'object' and j.value ? 'Workers Launched';
    exit when result > 0;
    perform pg_catalog.pg_sleep(0.05);
  end loop;
  return result;
end;
$$;

create temp table results as
select c.name, c.role_name, t.target,
       pg_temp.count_as(c.name, c.role_name, c.claims, format('select 1 from %s', t.target), false) as serial,
       pg_temp.count_as(c.name, c.role_name, c.claims, format('select 1 from %s', t.target), true) as in_workers
from callers c, standard_tables t;

select is(
  (select array_agg(format('%s as %s on %s: serial %s, in workers %s', r.name, r.role_name, r.target, r.serial, r.in_workers))
   from results r where r.serial is distinct from r.in_workers),
  null, 'every caller state reads exactly the same rows of every standard table when workers run the scan');

select is(
  (select format('%s / %s', r.serial, r.in_workers) from results r
   where r.name = 'member_a' and r.role_name = 'authenticated' and r.target = 'public.projects'::regclass),
  format('rows:%1$s / rows:%1$s', (select count(*) from public.projects where organization_id = 'a0000000-0000-4000-8000-00000000000a')),
  'a member''s workers count their organization''s projects only');

select cmp_ok(pg_temp.workers_launched('member_a', 'authenticated', 'select 1 from public.projects'), '>', 0,
  'those plans do run in workers: a member''s count');
select cmp_ok(pg_temp.workers_launched('platform_admin', 'tenantry_platform', 'select 1 from public.projects'), '>', 0,
  '... and a platform reader''s');

-- ── a page is read serially ──────────────────────────────────────────────────
-- Workers pay for a long scan, not for a page: after the pre-request, a signed-in
-- request has no parallel ordered plan (Gather Merge), so a LIMIT never waits for
-- workers to start. Anonymous requests and the secret key are left as they are.
create function pg_temp.gather_merge_after_pre_request(caller text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  perform set_config('enable_gathermerge', 'on', true);
  perform pg_temp.become(caller);
  perform tenantry_request.pre_request();
  result := current_setting('enable_gathermerge');
  perform set_config('role', 'none', true);
  perform set_config('enable_gathermerge', 'on', true);
  return result;
end;
$$;
select is(
  (select array_agg(format('%s: %s', c, pg_temp.gather_merge_after_pre_request(c)) order by c)
   from unnest(array['anon', 'auditor', 'member_a', 'service_role']) as c),
  array['anon: on', 'auditor: off', 'member_a: off', 'service_role: on'],
  'the pre-request turns Gather Merge off for signed-in requests only (a member, a platform reader)');

select * from finish();
rollback;
