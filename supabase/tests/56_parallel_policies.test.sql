-- Parallel plans under the standard policies (issue 13; SPEC F6): PostgreSQL may split a
-- large scan across workers only when everything the workers run is parallel-safe, and
-- then every worker evaluates the policy on its own. For every caller state and every
-- organization-scoped table, the workers of a parallel plan return exactly the rows a
-- serial plan returns.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(10);

insert into public.projects (organization_id, name) values
  ('a0000000-0000-4000-8000-00000000000a', 'Acme parallel'),
  ('b0000000-0000-4000-8000-00000000000b', 'Globex parallel');

create temp table standard_tables as
select format('%I.%I', p.schema_name, p.table_name)::regclass as target
from private.protected_tables p where p.scope = 'org'
union all values ('public.organizations'::regclass), ('public.organization_feature_flags'::regclass);

-- ── the catalog: what workers run is parallel-safe ───────────────────────────
create temp view policy_functions as
select pol.polrelid::regclass as target, pol.polname, f.oid::regprocedure::text as function_name, f.proparallel
from pg_policy pol
join pg_depend d on d.classid = 'pg_policy'::regclass and d.objid = pol.oid and d.refclassid = 'pg_proc'::regclass
join pg_proc f on f.oid = d.refobjid
where pol.polrelid in (select target from standard_tables);

select is(
  (select array_agg(distinct format('%s (%s)', function_name, proparallel)) from policy_functions
   where polname like '%\_members' and proparallel <> 's'),
  null, 'every function the standard condition calls is PARALLEL SAFE (workers evaluate it on their rows)');

select is(
  (select array_agg(distinct format('%s (%s)', function_name, proparallel)) from policy_functions
   where polname like '%\_platform' and proparallel = 'u'),
  null, 'the companion policies call nothing PARALLEL UNSAFE (their once-per-statement check runs in the leader)');

select is(
  (select array_agg(format('%s %s', f.oid::regprocedure, f.proparallel) order by f.oid::regprocedure::text)
   from pg_proc f
   where f.oid in ('private.caller_org_ids_for(text, boolean)'::regprocedure, 'private.caller_id()'::regprocedure,
                   'private.caller_platform_permissions()'::regprocedure, 'private.user_platform_permissions(uuid)'::regprocedure,
                   'private.token_scopes()'::regprocedure, 'private.token_allows(text)'::regprocedure, 'private.is_operator()'::regprocedure,
                   'private.caller_org_ids(text)'::regprocedure, 'private.policy_org_ids(text)'::regprocedure)),
  array['private.caller_id() s', 'private.caller_org_ids(text) r', 'private.caller_org_ids_for(text,boolean) s',
        'private.caller_platform_permissions() r', 'private.is_operator() r', 'private.policy_org_ids(text) s',
        'private.token_allows(text) s', 'private.token_scopes() s', 'private.user_platform_permissions(uuid) s'],
  'what those call is parallel-safe, except what reads the role setting (a worker before PostgreSQL 15.9 reports ''none''): restricted to the leader');

select is(
  (select array_agg(format('%s.%s', pol.polrelid::regclass, pol.polname) order by 1)
   from pg_policy pol
   where pol.polrelid in (select target from standard_tables) and pol.polname like '%\_members'
     and coalesce(pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
         not like '%= ANY (private.caller_org_ids_for(%, (CURRENT_USER <> ''tenantry_platform''::name)))) AND (% IN ( SELECT o.o%FROM private.policy_org_id_set(%'),
  null, 'every members'' policy on a standard table (Tenantry''s own too) has the parallel-safe shape');

-- ── every caller state, serially and in workers ──────────────────────────────
select pg_temp.actor('disabled_reader', pg_temp.new_user('parallel-disabled-reader@test.local'));
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('disabled_reader'), 'reader', 'admin');
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('disabled_reader');
insert into public.personal_access_tokens (id, user_id, name, prefix, token_hash, scopes, expires_at) values
  ('c0000000-0000-4000-8000-0000000000f6', pg_temp.actor_id('platform_admin'), 'parallel token', 'tnt_pat_00000006', '\x06', '{org:read}', now() + interval '1 day');

-- claims null: become(name); '{}': no claims at all (a SQL session that only set the role).
create temp table callers (name text, role_name text, claims jsonb);
insert into callers
select a.name, r.role_name, null from unnest(array['platform_admin', 'auditor', 'owner_a', 'member_a', 'viewer_a', 'outsider', 'disabled_reader']) as a(name),
       unnest(array['authenticated', 'tenantry_platform']) as r(role_name)
union all values
  ('admin token without data scopes', 'tenantry_platform', pg_temp.token_claims('platform_admin', 'c0000000-0000-4000-8000-0000000000f6', '{org:read}')),
  ('unregistered issuer', 'authenticated', jsonb_build_object('sub', pg_temp.actor_id('platform_admin'), 'role', 'authenticated', 'iss', 'https://evil.example.test')),
  ('a session without claims', 'authenticated', '{}'),
  ('a session without claims', 'tenantry_platform', '{}'),
  ('anon', 'anon', null);

-- Takes the caller's identity under role_name, and plans serially, or with every scan
-- that can run in parallel planned so (costs zeroed; a sequential scan, whose workers
-- evaluate every conjunct on their rows) and scanned by the workers only (the leader
-- just gathers). Transaction-local: callers undo it by ending in an exception.
create function pg_temp.read_as(caller text, role_name text, claims jsonb, in_workers boolean)
returns void
language plpgsql
as $$
begin
  perform set_config('max_parallel_workers_per_gather', case when in_workers then '2' else '0' end, true);
  if in_workers then
    perform set_config(s.name, s.value, true)
    from (values ('parallel_setup_cost', '0'), ('parallel_tuple_cost', '0'), ('min_parallel_table_scan_size', '0'),
                 ('min_parallel_index_scan_size', '0'), ('parallel_leader_participation', 'off'),
                 ('enable_indexscan', 'off'), ('enable_indexonlyscan', 'off'), ('enable_bitmapscan', 'off')) as s(name, value);
  end if;
  if claims is null then
    perform pg_temp.become(caller);
  else
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', case when claims = '{}' then '' else claims::text end, true);
  end if;
  perform set_config('role', role_name, true);
end;
$$;

-- The rows (ctids) of target the caller reads in a serial plan, or {error:sqlstate}.
create function pg_temp.serial_rows(caller text, role_name text, claims jsonb, target regclass)
returns text[]
language plpgsql
as $$
declare
  result text[];
begin
  begin
    perform pg_temp.read_as(caller, role_name, claims, false);
    execute format('select coalesce(array_agg(t.ctid::text order by t.ctid), ''{}'') from %s as t', target) into result;
    raise exception using errcode = 'P0T01', message = result::text;
  exception when others then
    if sqlstate = 'P0T01' then
      return sqlerrm::text[];
    end if;
    return array['error:' || sqlstate];
  end;
end;
$$;

-- What the workers of a parallel plan return of target for the caller: 'rows:n outside:m'
-- (m of them not among `expected`), or error:sqlstate. Every answer comes from a plan
-- whose workers ran (other sessions may hold every worker slot for a moment: it tries
-- again); 'no workers' if none ever did.
create function pg_temp.worker_rows(caller text, role_name text, claims jsonb, target regclass, expected text[])
returns text
language plpgsql
as $$
declare
  statements text[] := array[format('select 1 from %s as t', target),
                             format('select 1 from %s as t where t.ctid::text <> all (%L::text[])', target, expected)];
  counts bigint[] := '{}';
  plan_text text;
  plan jsonb;
  gather jsonb;
begin
  begin
    perform pg_temp.read_as(caller, role_name, claims, true);
    foreach plan_text in array statements loop
      for attempt in 1 .. 20 loop
        execute 'explain (analyze, format json) ' || plan_text into plan;
        select j.value into gather from jsonb_path_query(plan, 'strict $.**') as j(value)
        where jsonb_typeof(j.value) = 'object' and j.value ->> 'Node Type' = 'Gather';
        exit when (gather ->> 'Workers Launched')::integer > 0;
        gather := null;
        perform pg_catalog.pg_sleep(0.05);
      end loop;
      if gather is null then
        raise exception using errcode = 'P0T01', message = 'no workers';
      end if;
      counts := counts || (gather ->> 'Actual Rows')::bigint;
    end loop;
    raise exception using errcode = 'P0T01', message = format('rows:%s outside:%s', counts[1], counts[2]);
  exception when others then
    if sqlstate = 'P0T01' then
      return sqlerrm;
    end if;
    return 'error:' || sqlstate;
  end;
end;
$$;

-- Two workers for every table, whatever its statistics say: a tiny table the planner
-- knows to be small (vacuumed or analyzed empty) gets one worker, whose plan costs the
-- same as the serial one, and the serial plan wins the tie.
do $$
declare target regclass;
begin
  for target in select t.target from standard_tables t loop
    execute format('alter table %s set (parallel_workers = 2)', target);
  end loop;
end $$;

create temp table results as
select c.name, c.role_name, t.target, k.serial,
       case when k.serial[1] like 'error:%' then k.serial[1] else format('rows:%s outside:0', cardinality(k.serial)) end as expected,
       pg_temp.worker_rows(c.name, c.role_name, c.claims, t.target, k.serial) as in_workers
from callers c, standard_tables t,
     lateral (select pg_temp.serial_rows(c.name, c.role_name, c.claims, t.target) as serial) as k;

select is(
  (select array_agg(format('%s as %s on %s: serially %s, in workers %s', r.name, r.role_name, r.target, r.expected, r.in_workers))
   from results r where r.in_workers is distinct from r.expected),
  null, 'every caller state reads exactly the same rows of every standard table in workers as serially');

select is(
  (select array_agg(distinct r.name order by r.name) from results r where r.serial[1] like 'error:%'),
  array['anon'], '... and only anonymous requests are refused, both ways (every other comparison is of rows)');

select is(
  (select format('%s / %s', cardinality(r.serial), r.in_workers) from results r
   where r.name = 'member_a' and r.role_name = 'authenticated' and r.target = 'public.projects'::regclass),
  format('%1$s / rows:%1$s outside:0', (select count(*) from public.projects where organization_id = 'a0000000-0000-4000-8000-00000000000a')),
  'a member''s workers read their organization''s projects only');

select is(
  (select array_agg(distinct r.in_workers) from results r where r.name = 'a session without claims'),
  array['rows:0 outside:0'], 'a session that set the role without claims reads nothing, serially or in workers');

-- ── without claims ───────────────────────────────────────────────────────────
-- caller_org_ids_for, which workers run, answers nobody without claims; the operator's own
-- SQL session (no claims, no SET ROLE) is recognised by caller_org_ids, what RPCs call.
create function pg_temp.orgs_without_claims(expression text, role_name text, claims text)
returns text
language plpgsql
as $$
declare
  n integer;
begin
  begin
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', claims, true);
    perform set_config('role', role_name, true);
    execute format('select cardinality(%s)', expression) into n;
    raise exception using errcode = 'P0T01', message = n::text;
  exception when others then
    if sqlstate = 'P0T01' then
      return sqlerrm;
    end if;
    return 'error:' || sqlstate;
  end;
end;
$$;
select is(
  (select array_agg(format('%s as %s, claims %L: %s', e, r, c, pg_temp.orgs_without_claims(e, r, c)) order by e, r, c)
   from unnest(array['private.caller_org_ids(''org:read'')', 'private.caller_org_ids_for(''org:read'', true)']) as e,
        unnest(array['none', 'authenticated', 'tenantry_platform']) as r,
        unnest(array['', '{}', 'null']) as c
   where pg_temp.orgs_without_claims(e, r, c) <> case when e like '%caller_org_ids(%' and r = 'none' and c = '' then
                                                   (select count(*)::text from public.organizations) else '0' end),
  null, 'without claims only the operator''s own session acts for every organization (caller_org_ids); after SET ROLE, with empty or null claims, and in caller_org_ids_for: none');

-- ── a page is read serially ──────────────────────────────────────────────────
-- Workers pay for a long scan, not for a page: after the pre-request, a signed-in
-- request has no parallel ordered plan (Gather Merge). Anonymous requests and the secret
-- key are left as they are.
create function pg_temp.gather_merge_after_pre_request(caller text)
returns text
language plpgsql
as $$
begin
  begin
    perform set_config('enable_gathermerge', 'on', true);
    perform pg_temp.become(caller);
    perform tenantry_request.pre_request();
    raise exception using errcode = 'P0T01', message = current_setting('enable_gathermerge');
  exception when others then
    if sqlstate = 'P0T01' then
      return sqlerrm;
    end if;
    return 'error:' || sqlstate;
  end;
end;
$$;
select is(
  (select array_agg(format('%s: %s', c, pg_temp.gather_merge_after_pre_request(c)) order by c)
   from unnest(array['anon', 'auditor', 'member_a', 'service_role']) as c),
  array['anon: on', 'auditor: off', 'member_a: off', 'service_role: on'],
  'the pre-request turns Gather Merge off for signed-in requests only (a member, a platform reader)');

select * from finish();
rollback;
