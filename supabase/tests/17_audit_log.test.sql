-- The tamper-evident audit log (SPEC F13): every event commits to the previous one;
-- editing, deleting or reordering an event directly (as the table owner, with the
-- guard triggers switched off) is pinpointed by verify_audit_chain(); nobody can
-- change events through any role; retention keeps the rest verifiable.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(17);

select private.audit('test.event', null, 'thing', n::text, jsonb_build_object('n', n)) from generate_series(1, 10) n;
create temp table ids as select array_agg(id order by id) as a from public.audit_events where action = 'test.event';

select is(public.verify_audit_chain() ->> 'ok', 'true', 'a fresh chain verifies');
select is((select count(*)::int from public.audit_events e where e.prev_hash is null or e.hash is null), 0, 'every event carries its hashes');

-- ── nobody changes events ────────────────────────────────────────────────────
select throws_ok($$update public.audit_events set action = 'x.y' where id = (select a[1] from ids)$$, '42501', null, 'even the owner cannot update an event');
select throws_ok($$delete from public.audit_events where id = (select a[1] from ids)$$, '42501', null, 'even the owner cannot delete an event');
select throws_ok($$truncate public.audit_events$$, '42501', null, 'even the owner cannot truncate the log');
select is(pg_temp.probe('service_role', 'update public.audit_events set action = ''x.y'' returning 1'), 'error:42501', 'service_role cannot update events');
select is(pg_temp.call('admin_a', $$public.verify_audit_chain()$$) -> 'error' ->> 'code', 'forbidden', 'verifying needs platform audit:read');
select is(pg_temp.call('auditor', $$public.verify_audit_chain()$$) ->> 'ok', 'true', 'a platform auditor verifies the chain');

-- ── tampering is detected at the right event ─────────────────────────────────
savepoint tamper;
alter table public.audit_events disable trigger user;
update public.audit_events set details = '{"n": 999}' where id = (select a[4] from ids);
select is((public.verify_audit_chain() ->> 'first_bad_event_id')::bigint, (select a[4] from ids), 'an edited event is the first bad one');
rollback to savepoint tamper;

savepoint tamper;
alter table public.audit_events disable trigger user;
delete from public.audit_events where id = (select a[6] from ids);
select is((public.verify_audit_chain() ->> 'first_bad_event_id')::bigint, (select a[7] from ids), 'a deleted event breaks the link at the event after it');
rollback to savepoint tamper;

savepoint tamper;
alter table public.audit_events disable trigger user;
-- Reorder: the 2nd and 3rd events trade places (ids are generated, so the contents move).
update public.audit_events e
set occurred_at = o.occurred_at, target_id = o.target_id, details = o.details, prev_hash = o.prev_hash, hash = o.hash
from public.audit_events o, ids
where (e.id, o.id) in ((ids.a[2], ids.a[3]), (ids.a[3], ids.a[2]));
select is((public.verify_audit_chain() ->> 'first_bad_event_id')::bigint, (select a[2] from ids), 'swapping two events is detected at the first of them');
rollback to savepoint tamper;

savepoint tamper;
alter table public.audit_events disable trigger user;
delete from public.audit_events where id >= (select a[10] from ids);
select is(public.verify_audit_chain() ->> 'reason', 'the newest events were removed', 'removing the newest events is detected too');
rollback to savepoint tamper;

select is(public.verify_audit_chain() ->> 'ok', 'true', 'untouched, the chain still verifies');

-- ── reading with filters and cursor pagination ───────────────────────────────
create temp table page1 as select pg_temp.call('auditor', $$public.list_audit_events(action => 'test.event', page_size => 4)$$) as p;
select is((select jsonb_array_length(p -> 'events') from page1), 4, 'a page has page_size events, newest first');
select is(
  (select jsonb_array_length(pg_temp.call('auditor', format($$public.list_audit_events(action => 'test.event', page_size => 4, cursor => %s)$$, p ->> 'next_cursor')) -> 'events') from page1),
  4, 'next_cursor continues where the page ended');
select is(pg_temp.call('member_a', $$public.list_audit_events(action => 'test.event')$$) -> 'error' ->> 'code', 'forbidden',
  'a member without audit:read is refused by the RPC');

-- ── retention keeps the rest verifiable ──────────────────────────────────────
update private.audit_chain set checkpoint_id = null;
alter table public.audit_events disable trigger user;
update public.audit_events set occurred_at = occurred_at - interval '400 days' where id <= (select a[5] from ids);
alter table public.audit_events enable trigger user;
-- Backdating rewrote content, so re-seal those events as they would have been written.
do $$
declare e public.audit_events; prev bytea := '\x'::bytea;
begin
  alter table public.audit_events disable trigger user;
  for e in select * from public.audit_events order by id loop
    update public.audit_events set prev_hash = prev, hash = private.audit_event_digest(prev, e) where id = e.id returning hash into prev;
  end loop;
  update private.audit_chain set last_hash = prev;
  alter table public.audit_events enable trigger user;
end $$;
select is(
  (select jsonb_build_array(r -> 'removed' is not null, public.verify_audit_chain() ->> 'ok')
   from (select private.apply_audit_retention(interval '365 days') as r) x),
  '[true, "true"]'::jsonb, 'retention archives old events and the remaining chain verifies from the checkpoint');

select * from finish();
rollback;
