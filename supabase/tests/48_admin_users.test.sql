-- Administering users (SPEC F14, issue 11): list and search, one user in full, edit,
-- disable and enable, delete, and authorising a new user. users:admin decides; every
-- change is audited. (The gate's caller states are 32_rpc_gate's; audit events, 18.)
begin;
\ir _helpers.psql
\set QUIET on
-- The users already there (a shared database has many): the listings below are read as
-- this file's fixture users only.
create temp table users_before as select id from public.profiles union select id from auth.users;
\set QUIET off
\ir _fixture.psql
\set QUIET on
update public.profiles set display_name = 'Ada 100% Lovelace' where id = pg_temp.actor_id('member_a');
insert into private.identity_providers (issuer, name, kind, jwks_url)
values ('https://clerk.admin.test', 'Clerk', 'clerk', 'https://clerk.admin.test/.well-known/jwks.json');
with clerk_person as (
  insert into public.profiles (identity_provider, identity_sub, email, email_verified, provisioned_at)
  values ('https://clerk.admin.test', 'user_clerk1', 'clerk-person@test.local', true, now()) returning id)
select pg_temp.actor('clerk_person', id) from clerk_person;
-- A Supabase Auth user whose signup provisioning failed: no profile.
select pg_temp.actor('orphan', pg_temp.new_user('orphan@test.local'));
delete from public.profiles where id = pg_temp.actor_id('orphan');
insert into auth.sessions (id, user_id, aal) values (gen_random_uuid(), pg_temp.actor_id('viewer_a'), 'aal1');
create function pg_temp.emails(page jsonb) returns text[] language sql as $$
  select coalesce(array_agg(u ->> 'email' order by u ->> 'email'), '{}') from jsonb_array_elements(page -> 'users') u
  where (u ->> 'id')::uuid not in (select id from users_before) $$;
create function pg_temp.plan(statement text) returns text language plpgsql as $$
declare
  line text;
  result text := '';
begin
  for line in execute 'explain ' || statement loop
    result := result || line || ' ';
  end loop;
  return result;
end $$;
\set QUIET off

select plan(28);

-- ── list and search ─────────────────────────────────────────────────────────
select is(pg_temp.call('member_a', $$public.admin_list_users()$$) -> 'error' ->> 'code', 'forbidden',
  'a member without users:admin cannot list users');
select is((select count(*)::int from public.audit_events where action = 'user.list' and outcome = 'denied' and actor_id = pg_temp.actor_id('member_a')), 1,
  'the refused listing is audited');
select is(pg_temp.emails(pg_temp.call('platform_admin', $$public.admin_list_users(q => 'MEMBER-A')$$)), '{member-a@test.local}',
  'q matches a substring of the email, case-insensitively');
select is(pg_temp.emails(pg_temp.call('platform_admin', $$public.admin_list_users(q => '100%')$$)), '{member-a@test.local}',
  'q matches the display name, and % in q matches only itself');
select is(pg_temp.emails(pg_temp.call('platform_admin', $$public.admin_list_users(q => '%')$$)), '{member-a@test.local}',
  'a lone % matches only those with a % in their email or name');
select is(pg_temp.emails(pg_temp.call('platform_admin', $$public.admin_list_users(platform_role => 'auditor')$$)), '{auditor@test.local}',
  'role filters by platform role');
select is(pg_temp.emails(pg_temp.call('platform_admin', $$public.admin_list_users(organization_id => 'b0000000-0000-4000-8000-00000000000b')$$)), '{outsider@test.local}',
  'org filters by membership');
select is(pg_temp.emails(pg_temp.call('platform_admin', $$public.admin_list_users(provider => 'https://clerk.admin.test')$$)), '{clerk-person@test.local}',
  'provider filters by identity provider');
select is(pg_temp.emails(pg_temp.call('platform_admin', $$public.admin_list_users(status => 'unprovisioned')$$)), '{orphan@test.local}',
  'status unprovisioned lists a Supabase Auth user whose provisioning failed');
select is((pg_temp.call('platform_admin', $$public.admin_list_users(q => 'member-a')$$) -> 'users' -> 0) - 'id' - 'created_at' - 'last_login_at',
  jsonb_build_object('email', 'member-a@test.local', 'display_name', 'Ada 100% Lovelace', 'avatar_url', null, 'provider', 'supabase',
                     'platform_roles', '[]'::jsonb, 'organization_count', 1, 'status', 'active'),
  'each row carries email, name, avatar, provider, platform roles, org count and status');
select is(pg_temp.call('platform_admin', $$public.admin_list_users(page_size => 0)$$) ->> 'sqlstate', '22023', 'page_size 0 is invalid input');

-- Keyset pages: no row twice, none skipped.
create temp table paged (email text);
do $do$
declare
  page jsonb := pg_temp.call('platform_admin', $$public.admin_list_users(page_size => 3)$$);
begin
  loop
    insert into paged select u ->> 'email' from jsonb_array_elements(page -> 'users') u;
    exit when page -> 'next' = 'null'::jsonb or page -> 'next' is null;
    page := pg_temp.call('platform_admin', format($f$public.admin_list_users(after_created_at => %L, after_id => %L, page_size => 3)$f$,
                                                   page -> 'next' ->> 'created_at', page -> 'next' ->> 'id'));
  end loop;
end $do$;
select is((select array_agg(email order by email) from paged), (select array_agg(email order by email) from public.profiles),
  'paging through the list returns every profile exactly once');

set local enable_seqscan = off;
select matches(pg_temp.plan($$select id from public.profiles p where p.email ilike '%ember-a%' or p.display_name ilike '%ember-a%'$$),
  'profiles_email_trgm_idx', 'the search is backed by a trigram index');
reset enable_seqscan;

-- ── one user ────────────────────────────────────────────────────────────────
select is(pg_temp.call('platform_admin', $$public.admin_get_user(pg_temp.actor_id('member_a'))$$) -> 'memberships' -> 0 ->> 'slug', 'acme',
  'the detail lists memberships with their organization');
select is(pg_temp.call('platform_admin', $$public.admin_get_user(pg_temp.actor_id('auditor'))$$) -> 'platform_roles' -> 0 ->> 'source', 'admin',
  'the detail lists platform roles with their source');
select is(pg_temp.call('platform_admin', $$public.admin_get_user(pg_temp.actor_id('member_a'))$$) -> 'tokens' -> 0 ? 'token_hash', false,
  'tokens appear as metadata only');
select is(pg_temp.call('platform_admin', $$public.admin_get_user('00000000-0000-4000-8000-000000000000')$$) ->> 'sqlstate', 'P0002',
  'an unknown user is not found');

-- ── edit ────────────────────────────────────────────────────────────────────
select is(pg_temp.call('platform_admin', $$public.admin_update_user(pg_temp.actor_id('member_a'), '{"plan": "pro", "display_name": "Ada"}')$$) ->> 'plan', 'pro',
  'an admin changes the plan and editable fields');
select is(pg_temp.call('platform_admin', $$public.admin_update_user(pg_temp.actor_id('member_a'), '{"email": "x@evil.test", "disabled_at": null}')$$) ->> 'message',
  'not editable: disabled_at, email (editable: display_name, avatar_url, company_name, timezone, onboarding_completed, plan)',
  'protected fields are refused, each named');
select is(pg_temp.call('platform_admin', $$public.admin_update_user(pg_temp.actor_id('member_a'), '{"plan": "platinum"}')$$) ->> 'sqlstate', '22023',
  'an unknown plan is refused');

-- ── disable / enable ────────────────────────────────────────────────────────
select is(pg_temp.call('platform_admin', $$public.set_user_disabled(pg_temp.actor_id('platform_admin'), true)$$) -> 'error' ->> 'code', 'forbidden',
  'nobody disables themselves');
select is(pg_temp.call('platform_admin', $$public.set_user_disabled(pg_temp.actor_id('viewer_a'), true)$$) ->> 'sessions_revoked', '1',
  'disabling a Supabase Auth user ends their sessions');
select is(pg_temp.call('viewer_a', $$public.me()$$) -> 'error' ->> 'message', 'this account is disabled',
  'a disabled user is refused on their next call');
select is(pg_temp.call('platform_admin', $$public.set_user_disabled(pg_temp.actor_id('viewer_a'), false)$$) ->> 'status', 'active',
  'enabling makes them active again');

-- ── delete ──────────────────────────────────────────────────────────────────
select is(pg_temp.call('platform_admin', $$public.delete_user(pg_temp.actor_id('outsider'))$$) ->> 'message',
  'the user is the last owner of Globex (globex): transfer ownership first', 'the last owner of a shared organization cannot be deleted');
select is(pg_temp.call('platform_admin', $$public.delete_user(pg_temp.actor_id('clerk_person'))$$) ->> 'deleted', 'true',
  'a third-party user is deleted here');
select is((select count(*)::int from public.audit_events where action = 'user.delete' and target_id = pg_temp.actor_id('clerk_person')::text
           and actor_id = pg_temp.actor_id('platform_admin')), 1,
  'and the deletion is audited with who did it');

-- ── create ──────────────────────────────────────────────────────────────────
select is(pg_temp.call('platform_admin', $$public.begin_user_creation('Member-A@test.local')$$) ->> 'sqlstate', '23505',
  'creating a user with an email in use is a conflict');

select * from finish();
rollback;
