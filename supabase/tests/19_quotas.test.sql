-- Quotas (SPEC F11): each limit at N-1 (allowed), N (the insert that reaches it is
-- allowed) and N+1 (refused, naming the limit, usage and plan), through the RPCs users
-- call. Concurrency (20 racers for the last slot) is tested with vitest.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(16);

insert into public.plan_limits (plan, limit_name, max_value) values
  ('tiny', 'members_per_org', 5), ('tiny', 'orgs_per_user', 1), ('tiny', 'tokens_per_user', 2), ('tiny', 'projects_per_org', 2);
update public.organizations set plan = 'tiny' where id = 'a0000000-0000-4000-8000-00000000000a';   -- 4 members, 1 project
update public.profiles set plan = 'tiny' where id = pg_temp.actor_id('member_a');

-- members_per_org (5): 4 → 5 allowed, the 6th refused
select is(pg_temp.call('platform_admin', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('outsider'))$$) ->> 'role', 'member',
  'members_per_org: at N-1 a member can be added');
select is(pg_temp.call('platform_admin', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('invitee'))$$) ->> 'sqlstate', 'PT403',
  'members_per_org: at N the next member is refused');
select is(pg_temp.call('platform_admin', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('invitee'))$$) ->> 'message',
  'quota exceeded: members_per_org allows 5 on plan "tiny", and 5 are in use', 'the error names the limit, the usage and the plan');
select is((select count(*)::int from public.memberships where organization_id = 'a0000000-0000-4000-8000-00000000000a'), 5, 'nothing beyond the limit was added');

-- projects_per_org (2): 1 → 2 allowed, the 3rd refused
select is(pg_temp.probe('member_a', $$insert into public.projects (organization_id, name) values ('a0000000-0000-4000-8000-00000000000a', 'second') returning 1$$), 'rows:1',
  'projects_per_org: at N-1 a project can be created');
insert into public.projects (organization_id, name) values ('a0000000-0000-4000-8000-00000000000a', 'second');
select is(pg_temp.probe('member_a', $$insert into public.projects (organization_id, name) values ('a0000000-0000-4000-8000-00000000000a', 'third') returning 1$$), 'error:PT403',
  'projects_per_org: at N the next project is refused');

-- orgs_per_user (1): 0 → 1 allowed, the 2nd refused; personal organizations do not count
select isnt(pg_temp.call('member_a', $$public.create_organization('Quota One')$$) ->> 'id', null, 'orgs_per_user: at N-1 an organization can be created');
select is(pg_temp.call('member_a', $$public.create_organization('Quota Two')$$) ->> 'message',
  'quota exceeded: orgs_per_user allows 1 on plan "tiny", and 1 are in use', 'orgs_per_user: at N the next organization is refused');

-- tokens_per_user (2): revoked and expired tokens free their slot
select isnt(pg_temp.call('member_a', $$public.create_personal_access_token('second', '{org:read}', 1)$$) ->> 'token', null,
  'tokens_per_user: at N-1 a token can be created (the fixture holds one)');
select is(pg_temp.call('member_a', $$public.create_personal_access_token('third', '{org:read}', 1)$$) ->> 'sqlstate', 'PT403',
  'tokens_per_user: at N the next token is refused');
select isnt(pg_temp.call('member_a', $$public.revoke_personal_access_token('a0000000-0000-4000-8000-0000000000f1')$$) ->> 'revoked_at', null, 'revoking a token ...');
select isnt(pg_temp.call('member_a', $$public.create_personal_access_token('third', '{org:read}', 1)$$) ->> 'token', null, '... frees its slot');

-- exemptions and usage
select public.ensure_default_organization('Everyone', 'everyone');
update public.organizations set plan = 'tiny' where is_default;
select lives_ok($$insert into public.memberships (organization_id, user_id, role)
                  select (select id from public.organizations where is_default), a.id, 'member' from actors a$$,
  'the default organization is never full');
select is(pg_temp.call('member_a', $$public.quota_usage('a0000000-0000-4000-8000-00000000000a')$$) -> 'organization' -> 'members_per_org',
  '{"max": 5, "used": 5}'::jsonb, 'quota_usage reports an organization''s limit and usage');
select is(pg_temp.call('member_a', $$public.quota_usage()$$) -> 'user' -> 'tokens_per_user',
  '{"max": 2, "used": 2}'::jsonb, 'quota_usage reports the caller''s own limits and usage');
select is(pg_temp.call('invitee', $$public.quota_usage('a0000000-0000-4000-8000-00000000000a')$$) ->> 'sqlstate', '42501',
  'a non-member cannot read an organization''s usage');

select * from finish();
rollback;
