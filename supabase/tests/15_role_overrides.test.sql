-- Role overrides (SPEC F8): normalised, preserved ∩ suppressed rejected, clearing
-- removes, users:admin only, every change audited.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(11);

select is(
  pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('member_a'), true, '{" Reader ", reader, AUDITOR}', '{}')$$) - 'updated_at' - 'user_id',
  '{"paused": true, "preserved": ["auditor", "reader"], "suppressed": []}'::jsonb,
  'overrides are stored trimmed, lower-case, deduplicated and sorted');
select is((select array_agg(role || ':' || source order by role) from public.platform_role_assignments where user_id = pg_temp.actor_id('member_a')),
  '{auditor:admin,reader:admin}', 'preserved roles take effect at once');
select ok(exists (select 1 from public.audit_events where action = 'role_overrides.set' and target_id = pg_temp.actor_id('member_a')::text
                  and after ->> 'paused' = 'true' and before ->> 'paused' = 'false'), 'the change is audited with before and after');
select is(pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('member_a'), false, '{reader}', '{READER}')$$) ->> 'message',
  'preserved: reader cannot be both preserved and suppressed', 'a role both preserved and suppressed is rejected, naming it');
select is(pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('member_a'), false, '{}', '{root}')$$) ->> 'message',
  'suppressed: "root" is not a platform role', 'an unknown role is rejected, naming the field');
select is(pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('member_a'), false, '{}', '{}')$$) ->> 'paused', 'false',
  'clearing every field ...');
select is((select count(*)::int from public.role_overrides where user_id = pg_temp.actor_id('member_a')), 0, '... removes the override');

insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('viewer_a'), 'auditor', 'idp');
select is(pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('viewer_a'), suppressed => '{auditor}')$$) -> 'suppressed',
  '["auditor"]'::jsonb, 'suppressing a role ...');
select is((select count(*)::int from public.platform_role_assignments where user_id = pg_temp.actor_id('viewer_a')), 0,
  '... removes it from the IdP grants at once');

select is(pg_temp.call('member_a', $$public.set_role_overrides(pg_temp.actor_id('member_a'), true)$$) -> 'error' ->> 'code', 'forbidden',
  'a user cannot set their own overrides');
select is(pg_temp.call('admin_a', $$public.get_role_overrides(pg_temp.actor_id('member_a'))$$) -> 'error' ->> 'code', 'forbidden',
  'an org admin (no users:admin) cannot read overrides');

select * from finish();
rollback;
