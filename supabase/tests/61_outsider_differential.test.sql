-- An outsider cannot tell another tenant's objects from objects that do not exist
-- (issue 14; SPEC §2 principles 1–3). Every function the authenticated role may execute,
-- discovered from the catalog, is called by a signed-in user of another organization and
-- by a token without a profile, each twice: with the ids of organization A, its member,
-- its invitation and its token, and with ids nobody has. Any difference in what comes
-- back (result, refusal, error code or message, with the ids themselves masked) tells the
-- caller something about A: a leaked row, an accepted write or an existence oracle. Each
-- call runs in a subtransaction that is rolled back, so both calls see the same database.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(3);

-- The foreign object and its ghost per parameter name; other parameters get neutral values.
create temp table differential_ids (param text primary key, foreign_value text, ghost_value text);
insert into differential_ids values
  ('organization_id', 'a0000000-0000-4000-8000-00000000000a', '9a000000-0000-4000-8000-00000000000a'),
  ('subject', 'a0000000-0000-4000-8000-00000000000a', '9a000000-0000-4000-8000-00000000000a'),
  ('user_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('actor_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('new_owner_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('inviter', pg_temp.actor_id('owner_a')::text, '9b000000-0000-4000-8000-0000000000b2'),
  ('target_id', pg_temp.actor_id('member_a')::text, '9b000000-0000-4000-8000-0000000000b1'),
  ('invitation_id', 'a0000000-0000-4000-8000-0000000000e1', '9e000000-0000-4000-8000-0000000000e1'),
  ('token_id', 'a0000000-0000-4000-8000-0000000000f1', '9f000000-0000-4000-8000-0000000000f1'),
  ('email', 'member-a@test.local', 'ghost-9b1@test.local');
create temp table neutral_values (param text primary key, value text);
insert into neutral_values values
  ('role', 'viewer'), ('permission', 'data:read'), ('limit_name', 'members_per_org'), ('scope', 'org'),
  ('target_type', 'user'), ('name', 'Differential'), ('slug', 'differential'), ('action', 'differential.check'),
  ('paused', 'false'), ('disabled', 'true'), ('changes', '{"display_name": "Differential"}'), ('roles', '{viewer}');

-- What a call answers, ids masked: the rows it returns, or its error code and message.
create function pg_temp.call_outcome(fn regprocedure, side text, caller text) returns text language plpgsql as $$
declare
  args text := '';
  outcome text;
  masks text[][] := '{}';
  arg_name text;
  arg_type regtype;
  value text;
  pair record;
begin
  for i in 1 .. coalesce(array_length((select p.proargtypes::oid[] from pg_proc p where p.oid = fn), 1), 0) loop
    select (p.proargnames)[i], (p.proargtypes::oid[])[i - 1]::regtype into arg_name, arg_type from pg_proc p where p.oid = fn;
    select case side when 'foreign' then d.foreign_value else d.ghost_value end into value from differential_ids d where d.param = arg_name;
    if value is null then
      select n.value into value from neutral_values n where n.param = arg_name;
    end if;
    args := args || case when i > 1 then ', ' else '' end
                 || case when value is null then format('null::%s', arg_type) else format('%L::%s', value, arg_type) end;
  end loop;
  begin
    perform pg_temp.become(caller);
    execute format('select coalesce(string_agg(r::text, '' | ''), ''(no rows)'') from %s(%s) as r',
                   (select format('%I.%I', n.nspname, p.proname) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where p.oid = fn), args)
      into outcome;
    raise exception using errcode = 'P0T02', message = outcome;
  exception when others then
    outcome := case when sqlstate = 'P0T02' then 'answer: ' || sqlerrm else format('error %s: %s', sqlstate, sqlerrm) end;
  end;
  perform set_config('role', 'none', true);
  -- Mask the ids of both sides, then whatever else varies between calls.
  for pair in select d.foreign_value, d.ghost_value, d.param from differential_ids d loop
    outcome := replace(replace(outcome, pair.foreign_value, '<' || pair.param || '>'), pair.ghost_value, '<' || pair.param || '>');
  end loop;
  outcome := regexp_replace(outcome, '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'g');
  outcome := regexp_replace(outcome, '\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:\d\d)?)?', '<time>', 'g');
  return outcome;
end $$;

-- Every function authenticated may run that takes one of the ids (trigger functions and
-- the pseudo-typed ones aside).
create temp table differential_cases as
select p.oid::regprocedure as fn from pg_proc p
where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
  and p.prokind = 'f' and p.prorettype not in ('trigger'::regtype, 'event_trigger'::regtype)
  and has_function_privilege('authenticated', p.oid, 'execute')
  and p.proargnames && array(select d.param from differential_ids d);

-- Callers: a signed-in user of organization B, and a token nobody has provisioned (a
-- registered issuer's user without a profile).
create temp table differential_results as
select c.fn, k.caller, pg_temp.call_outcome(c.fn, 'foreign', k.caller) as foreign_outcome, pg_temp.call_outcome(c.fn, 'ghost', k.caller) as ghost_outcome
from differential_cases c, (values ('outsider'), ('unprovisioned_clerk_user')) as k(caller);

select cmp_ok((select count(*) from differential_cases), '>=', 40::bigint,
  'the differential covers every function authenticated may run with a foreign id (at least 40)');
select ok((select count(*) from differential_results where foreign_outcome like 'answer:%') > 0
          and (select count(*) from differential_results where foreign_outcome like 'error%') > 0,
  '... and the outcomes are real calls: some answer, some refuse');
select is(
  (select array_agg(format('%s as %s: foreign «%s» vs nonexistent «%s»', fn, caller, left(foreign_outcome, 160), left(ghost_outcome, 160)) order by fn::text, caller)
   from differential_results where foreign_outcome is distinct from ghost_outcome),
  null, 'an outsider gets the same answer for another organization''s objects as for ids nobody has');

select * from finish();
rollback;
