-- Audit events are chained at commit (issue 13; SPEC F13): an event waits in the queue
-- while its transaction works, then is chained in order, hashed and verifiable.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(10);

-- What the transaction would see before it commits: the deferred seal, as in production.
set constraints private.audit_pending_seal deferred;
select max(id) as before_id, encode((select last_hash from private.audit_chain), 'hex') as before_head from public.audit_events \gset
do $$ begin
  perform private.audit('test.first', null, 'test', '1');
  perform private.audit('test.second', null, 'test', '2');
end $$;
select is((select count(*)::int from public.audit_events where action in ('test.first', 'test.second')), 0,
  'before commit the events are not in the log yet');
select is((select count(*)::int from private.audit_pending), 2, '... they wait in the queue, in order');

-- What commit does (SET CONSTRAINTS … IMMEDIATE runs the deferred seal now).
set constraints private.audit_pending_seal immediate;
select is((select count(*)::int from private.audit_pending), 0, 'at commit the queue is emptied');
select is((select array_agg(action order by id) from public.audit_events where id > coalesce(:'before_id'::bigint, 0)),
  array['test.first', 'test.second'], 'the events are chained in the order they happened, with later ids');
select is((select encode(prev_hash, 'hex') from public.audit_events where action = 'test.first'), :'before_head',
  'the first links to the head as it was');
select is((select last_hash from private.audit_chain), (select hash from public.audit_events where action = 'test.second'),
  'the head is the last event chained');
select is(private.verify_audit_chain(null, null) ->> 'ok', 'true', 'and the chain verifies');

-- The event is the caller's as it was when it happened, whoever the session is at commit.
set constraints private.audit_pending_seal deferred;
select pg_temp.call('member_a', $$public.update_my_profile('{"display_name": "Deferred Ada"}')$$) is not null as called \gset
do $$ begin
  perform pg_temp.become('outsider');
  perform set_config('request.headers', '{"user-agent": "changed later"}', true);
end $$;
set constraints private.audit_pending_seal immediate;
do $$ begin perform set_config('role', 'none', true); end $$;
select is((select actor_id from public.audit_events where action = 'user.update_self' order by id desc limit 1), pg_temp.actor_id('member_a'),
  'the actor is who acted, not who the session became before commit');

-- Replica mode (seeds, data-only restores; set by supabase_admin) disables ordinary
-- triggers; the seal and the member-grant triggers are enabled ALWAYS.
select is((select array_agg(t.tgname::text order by t.tgname) from pg_trigger t
           where t.tgname in ('audit_pending_seal', 'memberships_member_grants_insert', 'memberships_member_grants_update',
                              'memberships_member_grants_delete', 'memberships_member_grants_truncate', 'role_permissions_member_grants')
             and t.tgenabled = 'A'),
  array['audit_pending_seal', 'memberships_member_grants_delete', 'memberships_member_grants_insert', 'memberships_member_grants_truncate',
        'memberships_member_grants_update', 'role_permissions_member_grants'],
  'the audit seal and the member-grant triggers fire in replica mode too');

-- The hash is computed in UTC: the chain verifies from a session in any time zone.
set timezone = 'Asia/Kolkata';
select is(private.verify_audit_chain(null, null) ->> 'ok', 'true', 'the chain verifies from a session in another time zone');
reset timezone;

select * from finish();
rollback;
