-- Feature flags (SPEC F12): one resolver, user > organization > plan > global, each
-- layer alone and in combination; changes need flags:manage and are audited.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(17);

select pg_temp.call('platform_admin', $$public.set_flag_default('new-editor', '"global"', 'The new editor')$$);
select pg_temp.call('platform_admin', $$public.set_flag_default('dark-mode', 'false')$$);

create function pg_temp.flag(actor text, org uuid default null)
returns jsonb
language sql
as $$ select pg_temp.call(actor, format('public.resolve_flags(%L)', org)) -> 'new-editor' $$;

select is(pg_temp.flag('member_a'), '"global"', 'global default alone');
select pg_temp.call('platform_admin', $$public.set_plan_flag('free', 'new-editor', '"plan"')$$);
select is(pg_temp.flag('member_a'), '"plan"', 'plan over global (the user''s plan, outside an organization)');
select is(pg_temp.flag('member_a', 'a0000000-0000-4000-8000-00000000000a'), '"plan"', 'plan over global (the organization''s plan, inside it)');
update public.organizations set plan = 'pro' where id = 'a0000000-0000-4000-8000-00000000000a';
select is(pg_temp.flag('member_a', 'a0000000-0000-4000-8000-00000000000a'), '"global"', 'inside an organization its plan counts, not the user''s');
select pg_temp.call('platform_admin', $$public.set_organization_flag('a0000000-0000-4000-8000-00000000000a', 'new-editor', '"org"')$$);
select is(pg_temp.flag('member_a', 'a0000000-0000-4000-8000-00000000000a'), '"org"', 'organization over plan and global');
select is(pg_temp.flag('member_a'), '"plan"', 'the organization layer applies only inside that organization');
select pg_temp.call('platform_admin', $$public.set_user_flag(pg_temp.actor_id('member_a'), 'new-editor', '"user"')$$);
select is(pg_temp.flag('member_a', 'a0000000-0000-4000-8000-00000000000a'), '"user"', 'user over organization, plan and global');
select is(pg_temp.flag('viewer_a', 'a0000000-0000-4000-8000-00000000000a'), '"org"', 'another member of the organization is unaffected by that user''s override');
select pg_temp.call('platform_admin', $$public.set_user_flag(pg_temp.actor_id('member_a'), 'new-editor', null)$$);
select is(pg_temp.flag('member_a', 'a0000000-0000-4000-8000-00000000000a'), '"org"', 'clearing the user value falls back to the organization');
select pg_temp.call('platform_admin', $$public.set_organization_flag('a0000000-0000-4000-8000-00000000000a', 'new-editor', null)$$);
update public.organizations set plan = 'free' where id = 'a0000000-0000-4000-8000-00000000000a';
select is(pg_temp.flag('member_a', 'a0000000-0000-4000-8000-00000000000a'), '"plan"', 'clearing the organization value falls back to the plan');
select is(pg_temp.call('member_a', 'public.resolve_flags()') -> 'dark-mode', 'false'::jsonb, 'every flag is resolved, set or not');

select is(pg_temp.call('outsider', $$public.resolve_flags('a0000000-0000-4000-8000-00000000000a')$$) -> 'error' ->> 'code', 'forbidden',
  'flags of an organization you are not in are not yours to read');
select is(pg_temp.call('admin_a', $$public.set_organization_flag('a0000000-0000-4000-8000-00000000000a', 'new-editor', 'true')$$) -> 'error' ->> 'code',
  'forbidden', 'an org admin without flags:manage cannot change flags');
select ok(exists (select 1 from public.audit_events where action = 'flag.set' and outcome = 'denied' and actor_id = pg_temp.actor_id('admin_a')),
  'the refused change is audited');
select ok(exists (select 1 from public.audit_events where action = 'flag.set' and target_id = 'new-editor'
                  and after -> 'value' = '"user"'::jsonb and actor_id = pg_temp.actor_id('platform_admin')),
  'each change is audited with its value');
select is(pg_temp.call('platform_admin', $$public.set_plan_flag('free', 'no-such-flag', 'true')$$) ->> 'sqlstate', 'P0002',
  'setting an unknown flag names it as not found');
select is(pg_temp.call('member_a', 'public.me()') -> 'flags' -> 'new-editor', '"plan"', '/me carries the caller''s flags');

select * from finish();
rollback;
