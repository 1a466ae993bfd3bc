-- public.update_my_profile (issue 11, SPEC F3): a user edits their own editable profile
-- fields through the RPC supabase-js calls, with the rules PATCH /me answers: protected
-- and unknown fields refused naming every one, each bad value refused naming its field
-- (the error's column), a token needs profile:write, and every change audited with
-- before and after.
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
\set QUIET off

select plan(31);

-- ── the happy path ───────────────────────────────────────────────────────────
-- Every profile as it was, to show the change touched the caller's alone (a shared database has others).
create temp table profiles_before as select p.* from public.profiles p;
create temp table edited as
select pg_temp.call('member_a', $$public.update_my_profile('{"display_name": "  Ada Lovelace ", "company_name": "Analytical Engines", "timezone": "Europe/London", "avatar_url": "https://example.test/ada.png", "onboarding_completed": true}')$$) as result;
select is((select result ->> 'display_name' from edited), 'Ada Lovelace', 'update_my_profile stores the display name, trimmed, and answers the profile');
select is((select array[display_name, company_name, timezone, avatar_url, onboarding_completed::text] from public.profiles where id = pg_temp.actor_id('member_a')),
  array['Ada Lovelace', 'Analytical Engines', 'Europe/London', 'https://example.test/ada.png', 'true'], 'every editable field is changed in the profile');
select is((select result ->> 'id' from edited), pg_temp.actor_id('member_a')::text, 'it answers the caller''s own profile');
select is(pg_temp.call('member_a', $$public.update_my_profile('{"company_name": null, "timezone": "  "}')$$) -> 'company_name', 'null'::jsonb,
  'null clears a text field');
select is((select array[display_name, company_name, timezone] from public.profiles where id = pg_temp.actor_id('member_a')),
  array['Ada Lovelace', null, null], 'fields left out keep their value; a blank value clears too');
select is(array(select p.id from public.profiles p join profiles_before b using (id)
                where (to_jsonb(p) - 'updated_at') is distinct from (to_jsonb(b) - 'updated_at')),
  array[pg_temp.actor_id('member_a')], 'only the caller''s profile changed');

-- ── audited ──────────────────────────────────────────────────────────────────
select is((select count(*)::int from public.audit_events where action = 'user.update_self' and actor_id = pg_temp.actor_id('member_a')
           and target_type = 'user' and target_id = pg_temp.actor_id('member_a')::text and outcome = 'success'), 2,
  'each change is one audit event, with the user as actor and target');
select is((select before || after from public.audit_events where action = 'user.update_self' and actor_id = pg_temp.actor_id('member_a') order by id desc limit 1),
  '{"company_name": null, "timezone": null}'::jsonb,
  'the event records the fields the change named, after (and before, with the same keys)');
select is((select before from public.audit_events where action = 'user.update_self' and actor_id = pg_temp.actor_id('member_a') order by id desc limit 1),
  '{"company_name": "Analytical Engines", "timezone": "Europe/London"}'::jsonb, 'before holds the previous values of those fields only');

-- ── protected and unknown fields ─────────────────────────────────────────────
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"display_name": "x", "plan": "enterprise", "email": "boss@test.local", "disabled_at": null}')$$) - 'message',
  '{"sqlstate": "22023", "field": "disabled_at"}', 'protected fields are refused (22023) naming the first in the error''s column');
select matches(pg_temp.failure('member_a', $$public.update_my_profile('{"display_name": "x", "plan": "enterprise", "email": "boss@test.local", "disabled_at": null}')$$) ->> 'message',
  '^disabled_at, email, plan: protected', 'the message names every protected field given');
select is((select array[plan, email, display_name] from public.profiles where id = pg_temp.actor_id('member_a')),
  array['free', 'member-a@test.local', 'Ada Lovelace'], 'a refused change changes nothing, not even the editable field beside it');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"identity_sub": "someone-else"}')$$) ->> 'field', 'identity_sub', 'identity fields are protected');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"beta_features": {"x": true}}')$$) ->> 'field', 'beta_features', 'flags are protected');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"id": "00000000-0000-4000-8000-000000000000"}')$$) ->> 'field', 'id', 'the id is protected');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"nickname": "x"}')$$) - 'message', '{"sqlstate": "22023", "field": "nickname"}',
  'an unknown field is refused naming it');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{}')$$) ->> 'field', 'changes', 'an empty change is refused');
select is(pg_temp.failure('member_a', $$public.update_my_profile('["display_name"]')$$) ->> 'field', 'changes', 'changes must be an object');

-- ── bad values, each naming its field ────────────────────────────────────────
select is(pg_temp.failure('member_a', $$public.update_my_profile(jsonb_build_object('display_name', E'Ad\u202Ea'))$$) - 'message',
  '{"sqlstate": "22023", "field": "display_name"}', 'a bidi override in the display name is refused');
select is(pg_temp.failure('member_a', $$public.update_my_profile(jsonb_build_object('company_name', E'Acme\u200B'))$$) ->> 'field', 'company_name',
  'a zero-width character in the company name is refused');
select is(pg_temp.failure('member_a', $$public.update_my_profile(jsonb_build_object('display_name', repeat('x', 201)))$$) ->> 'field', 'display_name',
  'a display name over 200 characters is refused');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"display_name": 42}')$$) ->> 'field', 'display_name', 'a display name must be a string');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"avatar_url": "javascript:alert(1)"}')$$) ->> 'field', 'avatar_url',
  'an avatar URL must be http(s)');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"timezone": "Mars/Olympus_Mons"}')$$) ->> 'field', 'timezone', 'an unknown time zone is refused');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"onboarding_completed": "yes"}')$$) ->> 'field', 'onboarding_completed',
  'onboarding_completed must be a boolean');
select is(pg_temp.failure('member_a', $$public.update_my_profile('{"onboarding_completed": null}')$$) ->> 'field', 'onboarding_completed',
  'onboarding_completed cannot be cleared');

-- ── who may ──────────────────────────────────────────────────────────────────
select is(pg_temp.call_with(pg_temp.token_claims('member_a', 'a0000000-0000-4000-8000-0000000000f1', '{org:read}'), $$public.update_my_profile('{"display_name": "Token"}')$$) -> 'error' ->> 'message',
  'this personal access token lacks the profile:write scope', 'a personal access token without profile:write is refused');
select ok(exists (select 1 from public.audit_events where action = 'user.update_self' and outcome = 'denied' and actor_type = 'token'
                  and actor_id = pg_temp.actor_id('member_a')), 'the refusal is audited, with the token as actor');
select is(pg_temp.call_with(pg_temp.token_claims('member_a', 'a0000000-0000-4000-8000-0000000000f1', '{profile:write}'), $$public.update_my_profile('{"display_name": "Token"}')$$) ->> 'display_name',
  'Token', 'a personal access token with profile:write edits the profile');
select is(pg_temp.call('anon', $$public.update_my_profile('{"display_name": "Anon"}')$$) ->> 'sqlstate', '42501', 'anon cannot call it');
select is(pg_temp.call('service_role', $$public.update_my_profile('{"display_name": "Service"}')$$) -> 'error' ->> 'message',
  'update_my_profile acts as a signed-in user; the operator and the secret key are none (call it with a user''s token)',
  'the secret key is refused: it is no user whose profile could change');

select * from finish();
rollback;
