-- An outsider cannot tell another tenant's objects from objects that do not exist
-- (issue 14; SPEC §2 principles 1–3). Every function the authenticated role may execute,
-- discovered from the catalog, is called by a signed-in user of another organization and
-- by a token whose user has no profile, each with organization A's objects and with ids
-- nobody has. The foreign objects come in two sets: A's member, invitation and token;
-- and users with state of their own (a platform role, role overrides). Any difference in
-- what comes back tells the caller something about A: the rows or value returned, the
-- error code, message, detail and hint, the HTTP status a function sets, and which
-- tables the call wrote (a forbidden write the answer hides). Each call runs in a
-- subtransaction that is rolled back, so every call sees the same database.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(7);

-- The foreign object and its ghost per input parameter, in two sets; a parameter that a
-- set does not name takes the first set's value. Bearer secrets (an invitation's token)
-- are left out: whoever holds one knows its invitation exists.
create temp table differential_ids (variant text, param text, foreign_value text, ghost_value text, primary key (variant, param));
insert into differential_ids values
  ('members', 'organization_id', 'a0000000-0000-4000-8000-00000000000a', '9a000000-0000-4000-8000-00000000000a'),
  ('members', 'subject', 'a0000000-0000-4000-8000-00000000000a', '9a000000-0000-4000-8000-00000000000a'),
  ('members', 'target', 'a0000000-0000-4000-8000-00000000000a', '9a000000-0000-4000-8000-00000000000a'),
  ('members', 'user_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('members', 'actor_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('members', 'new_owner_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('members', 'inviter', pg_temp.actor_id('owner_a')::text, '9b000000-0000-4000-8000-0000000000b2'),
  ('members', 'target_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('members', 'invitation_id', 'a0000000-0000-4000-8000-0000000000e1', '9e000000-0000-4000-8000-0000000000e1'),
  ('members', 'token_id', 'a0000000-0000-4000-8000-0000000000f1', '9f000000-0000-4000-8000-0000000000f1'),
  ('members', 'email', 'member-a@test.local', 'ghost-9b1@test.local'),
  ('state', 'user_id', pg_temp.actor_id('auditor')::text, '9b000000-0000-4000-8000-0000000000b3'),
  ('state', 'actor_id', pg_temp.actor_id('platform_admin')::text, '9b000000-0000-4000-8000-0000000000b4'),
  ('state', 'new_owner_id', pg_temp.actor_id('owner_a')::text, '9b000000-0000-4000-8000-0000000000b2'),
  ('state', 'inviter', pg_temp.actor_id('platform_admin')::text, '9b000000-0000-4000-8000-0000000000b4'),
  ('state', 'target_id', pg_temp.actor_id('auditor')::text, '9b000000-0000-4000-8000-0000000000b3'),
  ('state', 'email', 'platform-admin@test.local', 'ghost-9b4@test.local');
-- Other parameters: values that get a call past argument checks to its authorization
-- (by parameter, or by function and parameter).
create temp table neutral_values (fn_name text, param text, value text, primary key (fn_name, param));
insert into neutral_values values
  ('', 'role', 'viewer'), ('grant_platform_role', 'role', 'reader'), ('revoke_platform_role', 'role', 'reader'),
  ('', 'permission', 'data:read'), ('', 'limit_name', 'members_per_org'), ('', 'scope', 'org'), ('', 'target_type', 'user'),
  ('', 'name', 'Differential'), ('', 'slug', 'differential'), ('', 'action', 'differential.check'), ('', 'paused', 'false'),
  ('', 'disabled', 'true'), ('', 'changes', '{"display_name": "Differential"}'), ('', 'roles', '{viewer}'),
  ('', 'page_size', '50'), ('', 'layer', 'organization'), ('', 'key', 'fixture-flag'), ('', 'value', 'true'),
  ('', 'target', 'public.projects');

-- Organization A is full: its plan allows exactly the members it has, so a function that
-- checks A's quota for anyone would answer differently than for an unknown organization.
update public.plan_limits l set max_value = (select count(*) from public.memberships m where m.organization_id = 'a0000000-0000-4000-8000-00000000000a')
where l.limit_name = 'members_per_org' and l.plan = (select o.plan from public.organizations o where o.id = 'a0000000-0000-4000-8000-00000000000a');
select is((select count(*) from public.plan_limits l join public.organizations o on o.plan = l.plan
           where o.id = 'a0000000-0000-4000-8000-00000000000a' and l.limit_name = 'members_per_org'
             and l.max_value = (select count(*) from public.memberships m where m.organization_id = o.id)),
  1::bigint, 'organization A is at its member limit for the differential');

-- A digest of every table a call may write, audit records aside (a refusal is audited
-- on both sides alike, and its event ids and times differ).
create function pg_temp.table_digests() returns text[] language plpgsql as $$
declare
  target regclass;
  digests text[] := '{}';
  digest text;
begin
  for target in select c.oid::regclass from pg_class c
                where c.relkind = 'r' and c.relnamespace in ('public'::regnamespace, 'private'::regnamespace)
                  and c.relname not in ('audit_events', 'audit_pending', 'audit_chain', 'denial_counters', 'audit_rollup', 'audit_rollup_state', 'audit_archive')
                order by 1 loop
    execute format('select md5(coalesce(string_agg(t::text, '','' order by t::text), '''')) from %s as t', target) into digest;
    digests := digests || format('%s=%s', target, digest);
  end loop;
  return digests;
end $$;
create temp table digests_before as select pg_temp.table_digests() as digests;

-- What a call answers with only the two sides' ids masked: its rows, or its error code,
-- message, detail and hint; the status it sets; the tables it wrote.
create function pg_temp.call_outcome(fn regprocedure, id_set text, side text, caller text) returns text language plpgsql as $$
declare
  function_name text := (select p.proname from pg_proc p where p.oid = fn);
  args text := '';
  outcome text;
  arg_name text;
  arg_type regtype;
  value text;
  pair record;
  code text;
  message text;
  detail text;
  hint text;
  status text;
  written text;
begin
  for i in 1 .. (select p.pronargs from pg_proc p where p.oid = fn) loop
    select (p.proargnames)[i], (p.proargtypes::oid[])[i - 1]::regtype into arg_name, arg_type from pg_proc p where p.oid = fn;
    select case side when 'foreign' then d.foreign_value else d.ghost_value end into value
    from differential_ids d where d.param = arg_name and d.variant in (id_set, 'members') and arg_type <> 'regclass'::regtype
    order by d.variant = id_set desc limit 1;
    if value is null then
      select n.value into value from neutral_values n where n.param = arg_name and n.fn_name in (function_name, '') order by n.fn_name desc limit 1;
    end if;
    args := args || case when i > 1 then ', ' else '' end
                 || case when value is null then format('null::%s', arg_type) else format('%L::%s', value, arg_type) end;
  end loop;
  begin
    if caller = 'cleared_claims' then
      -- The API role with no claims at all, as a direct SQL session could set it.
      perform set_config('role', 'none', true);
      perform set_config('request.jwt.claims', '', true);
      perform set_config('role', 'authenticated', true);
    elsif caller = 'no_profile' then
      -- This project's Supabase Auth issuer, a subject with no profile.
      perform set_config('role', 'none', true);
      perform set_config('request.jwt.claims', json_build_object('sub', '9c000000-0000-4000-8000-0000000000c9', 'role', 'authenticated',
        'aud', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1')::text, true);
      perform set_config('role', 'authenticated', true);
    else
      perform pg_temp.become(caller);
    end if;
    perform set_config('response.status', '', true);
    execute format('select coalesce(string_agg(r::text, '' | ''), ''(no rows)'') from %s(%s) as r',
                   (select format('%I.%I', n.nspname, p.proname) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.oid = fn), args)
      into outcome;
    outcome := 'answer: ' || outcome;
    status := current_setting('response.status', true);
    perform set_config('role', 'none', true);
    written := (select string_agg(split_part(x, '=', 1), ',') from unnest(pg_temp.table_digests()) as x
                where not x = any ((select d.digests from digests_before d)::text[]));
    raise exception using errcode = 'P0T02', message = format('%s | status %s | wrote %s', outcome, coalesce(nullif(status, ''), '-'), coalesce(written, '-'));
  exception when others then
    get stacked diagnostics code = returned_sqlstate, message = message_text, detail = pg_exception_detail, hint = pg_exception_hint;
    outcome := case when code = 'P0T02' then message else format('error %s: %s | detail %s | hint %s', code, message, detail, hint) end;
  end;
  perform set_config('role', 'none', true);
  for pair in select d.foreign_value, d.ghost_value, d.param from differential_ids d where d.variant in (id_set, 'members') loop
    outcome := replace(replace(outcome, pair.foreign_value, '<' || pair.param || '>'), pair.ghost_value, '<' || pair.param || '>');
  end loop;
  return outcome;
end $$;

-- Ids and times a call makes up itself (a new row's id, now()) differ from call to call.
create function pg_temp.mask_made_up(outcome text) returns text language sql as $$
  select regexp_replace(regexp_replace(outcome, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'g'),
                        '\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:\d\d)?)?', '<time>', 'g')
$$;

-- Every function authenticated may run with an input parameter the sets name.
create temp table differential_cases as
select p.oid::regprocedure as fn from pg_proc p
where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
  and p.prokind = 'f' and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
  and has_function_privilege('authenticated', p.oid, 'execute')
  and (p.proargnames)[1:p.pronargs] && array(select d.param from differential_ids d);

create temp table differential_results as
select c.fn, v.variant, k.caller,
       pg_temp.call_outcome(c.fn, v.variant, 'foreign', k.caller) as foreign_outcome,
       pg_temp.call_outcome(c.fn, v.variant, 'ghost', k.caller) as ghost_outcome,
       pg_temp.call_outcome(c.fn, v.variant, 'ghost', k.caller) as ghost_again
from differential_cases c, (values ('members'), ('state')) as v(variant), (values ('outsider'), ('no_profile')) as k(caller);

select cmp_ok((select count(*) from differential_cases), '>=', 40::bigint,
  'the differential covers every function authenticated may run with a foreign id (at least 40)');
select ok((select count(*) from differential_results where foreign_outcome like 'answer:%') > 0
          and (select count(*) from differential_results where foreign_outcome like 'error 42501%' or foreign_outcome like '%forbidden%') > 0,
  '... and the outcomes are real calls: some answer, some refuse');
-- The harness sees writes: organization A's owner updating A is reported as a write.
select ok(pg_temp.call_outcome('private.update_organization(uuid,text,text,text)'::regprocedure, 'members', 'foreign', 'owner_a')
          like 'answer: %| wrote %organizations%',
  '... and a write is seen: organization A''s owner renaming A is reported as writing organizations');
select is(
  (select array_agg(distinct r.fn::text order by r.fn::text) from differential_results r
   where r.caller = 'outsider' and r.foreign_outcome like 'error 22023%' and r.ghost_outcome like 'error 22023%'),
  null, '... and every call gets past argument checks to what the caller may do');
select is(
  (select array_agg(format('%s (%s, as %s): foreign «%s» vs nonexistent «%s»', r.fn, r.variant, r.caller, left(r.foreign_outcome, 200), left(r.ghost_outcome, 200))
                    order by r.fn::text, r.variant, r.caller)
   from differential_results r
   where case when r.ghost_outcome = r.ghost_again then r.foreign_outcome is distinct from r.ghost_outcome
              else pg_temp.mask_made_up(r.foreign_outcome) is distinct from pg_temp.mask_made_up(r.ghost_outcome) end),
  null, 'an outsider gets the same answer for another organization''s objects as for ids nobody has');

-- enforce_quota refuses direct calls whatever the claims say: a session that cleared its
-- own claims is no operator.
select is(
  (select pg_temp.call_outcome('private.enforce_quota(text,uuid)'::regprocedure, 'members', 'foreign', 'cleared_claims')),
  'error 42501: quotas are enforced by the writes they limit | detail  | hint ',
  'a session that cleared its claims cannot read organization A''s quota state either');

select * from finish();
rollback;
