-- USER_MGMT_ENFORCE off (SPEC F15): the admin function's waiver lets an active signed-in
-- caller pass permission checks; a client cannot obtain or forge it, and it never
-- helps a caller who is nobody.
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
select pg_temp.actor('disabled_user', pg_temp.new_user('disabled@test.local'));
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('disabled_user');
\set QUIET off

select plan(11);

select is(pg_temp.call('member_a', $$public.admin_list_users()$$) -> 'error' ->> 'code', 'forbidden',
  'with enforcement on, a member cannot list users');
select is(pg_temp.call('member_a', $$(select private.waive_enforcement())::text::jsonb$$) ->> 'sqlstate', '42501',
  'a client cannot call the waiver itself');
select is(pg_temp.call('member_a', $$(select count(*) from private.enforcement_waiver_key)::text::jsonb$$) ->> 'sqlstate', '42501',
  'nor read its key');
select is(pg_temp.call('member_a', $$(select public.admin_list_users() from (select set_config('tenantry.enforcement_waiver', 'guess', true)) as forged)$$) -> 'error' ->> 'code', 'forbidden',
  'a setting the client writes itself waives nothing');

-- As the admin function does it: the waiver first, as its own role, then the caller's identity.
select private.waive_enforcement();
select ok(pg_temp.call('member_a', $$public.admin_list_users()$$) ? 'users',
  'under the function''s waiver an active member passes the users:admin check');
select is(pg_temp.call('member_a', $$public.grant_platform_role(pg_temp.actor_id('member_a'), 'admin')$$) -> 'error' ->> 'code', 'forbidden',
  'but no change: a member cannot make themselves platform admin under it');
select is((select count(*)::int from public.platform_role_assignments where user_id = pg_temp.actor_id('member_a')), 0,
  'and holds no platform role afterwards');
select is(pg_temp.call('member_a', $$public.add_member('b0000000-0000-4000-8000-00000000000b', pg_temp.actor_id('member_a'), null, 'owner')$$) -> 'error' ->> 'code', 'forbidden',
  'nor add themselves to another organization');
select is(pg_temp.call_with(jsonb_build_object('sub', pg_temp.actor_id('member_a'), 'role', 'authenticated', 'aud', 'authenticated',
                                               'iss', 'http://127.0.0.1:54321/auth/v1', 'is_anonymous', true),
                            $$public.admin_list_users()$$) -> 'error' ->> 'code', 'forbidden',
  'an anonymous Supabase user is never waived');
select is(pg_temp.call('disabled_user', $$public.admin_list_users()$$) -> 'error' ->> 'message', 'this account is disabled',
  'a disabled caller is still refused');
select is(pg_temp.call('anon', $$public.admin_list_users()$$) ->> 'sqlstate', '42501',
  'and anon cannot even call it');

select * from finish();
rollback;
