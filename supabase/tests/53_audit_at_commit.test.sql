-- Audit events are chained at commit (issue 13; SPEC F13): an event waits in the queue
-- while its transaction works, then is chained in order, hashed and verifiable.
begin;
\ir _helpers.psql

select plan(7);

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

select * from finish();
rollback;
