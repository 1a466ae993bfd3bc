-- Role overrides (SPEC F8): normalised, preserved ∩ suppressed rejected, clearing
-- removes, users:admin only, every change audited.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(19);

select is(
  pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('member_a'), true, '{" Reader ", reader, AUDITOR}', '{}')$$) - 'updated_at' - 'user_id',
  '{"paused": true, "preserved": ["auditor", "reader"], "suppressed": []}'::jsonb,
  'overrides are stored trimmed, lower-case, deduplicated and sorted');
select is((select array_agg(role || ':' || source order by role) from public.platform_role_assignments where user_id = pg_temp.actor_id('member_a')),
  null, 'preserving a role grants nothing');
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

-- Preserved roles keep, never grant (issue 10, item 9).
select pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('admin_a'), preserved => '{admin}')$$);
select is((select count(*)::int from public.platform_role_assignments where user_id = pg_temp.actor_id('admin_a')), 0,
  'preserved admin is not granted by set_role_overrides');
select is((select (private.sync_platform_roles(pg_temp.actor_id('admin_a'), '{}', 'sign_in')) -> 'granted'), '[]'::jsonb,
  'preserved admin is not granted by sync either');
select pg_temp.call('platform_admin', $$public.clear_role_overrides(pg_temp.actor_id('admin_a'))$$);
select is((select count(*)::int from public.platform_role_assignments where user_id = pg_temp.actor_id('admin_a')), 0,
  'preserved admin then clear_role_overrides leaves no admin grant');
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('owner_a'), 'reader', 'idp');
select pg_temp.call('platform_admin', $$public.set_role_overrides(pg_temp.actor_id('owner_a'), preserved => '{reader}')$$);
select is((select (private.sync_platform_roles(pg_temp.actor_id('owner_a'), '{}', 'sign_in')) -> 'revoked'), '[]'::jsonb,
  'a preserved role the user holds is not revoked by sync');
select is((select string_agg(role || ':' || source, ',') from public.platform_role_assignments where user_id = pg_temp.actor_id('owner_a')), 'reader:idp',
  '... and keeps its own source');
select pg_temp.call('platform_admin', $$public.clear_role_overrides(pg_temp.actor_id('owner_a'))$$);
select is((select (private.sync_platform_roles(pg_temp.actor_id('owner_a'), '{}', 'sign_in')) -> 'revoked'), '["reader"]'::jsonb,
  'once the override is cleared, sync revokes it like any automatic grant');
select ok(exists (select 1 from public.audit_events where action = 'platform_role.revoke' and target_id = pg_temp.actor_id('owner_a')::text
                  and details ->> 'role' = 'reader'), '... audited');
select ok(not exists (
  select 1 from public.platform_role_assignments a
  where not exists (select 1 from public.audit_events e where e.action = 'platform_role.grant' and e.target_id = a.user_id::text and e.details ->> 'role' = a.role)
    and a.user_id in (pg_temp.actor_id('admin_a'), pg_temp.actor_id('owner_a'), pg_temp.actor_id('member_a'))),
  'no platform role exists here without its platform_role.grant event');

select * from finish();
rollback;
