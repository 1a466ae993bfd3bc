-- Provisioning on signup (SPEC F1): exactly the expected rows, idempotent, robust to
-- odd metadata, sign-in and email changes flowing to the profile, deletion cascading
-- while the audit trail stays, and the repair functions for legacy users.
begin;
\ir _helpers.psql

select plan(33);

update private.settings set create_personal_organization = true, starter_project_name = 'Starter', default_organization_id = null;

-- ── a normal signup ──────────────────────────────────────────────────────────
select pg_temp.actor('ada', pg_temp.new_user('Ada@Prov.test',
  '{"full_name": "Ada Lovelace", "picture": "https://img.test/ada.png", "company": "Analytical", "zoneinfo": "Europe/London"}'));

select is((select count(*)::int from public.profiles where id = pg_temp.actor_id('ada')), 1, 'signup creates one profile');
select is(
  (select jsonb_build_object('provider', identity_provider, 'sub', identity_sub = id::text, 'email', email, 'name', display_name,
                             'avatar', avatar_url, 'company', company_name, 'tz', timezone)
   from public.profiles where id = pg_temp.actor_id('ada')),
  '{"provider": "supabase", "sub": true, "email": "ada@prov.test", "name": "Ada Lovelace", "avatar": "https://img.test/ada.png", "company": "Analytical", "tz": "Europe/London"}'::jsonb,
  'the profile takes email and the usual claim-name variants from metadata');
select is((select count(*)::int from public.organizations where created_by = pg_temp.actor_id('ada') and is_personal), 1, 'signup creates one personal organization');
select is((select role from public.memberships m join public.organizations o on o.id = m.organization_id
           where m.user_id = pg_temp.actor_id('ada') and o.is_personal), 'owner', 'the user owns their personal organization');
select is((select count(*)::int from public.projects p join public.organizations o on o.id = p.organization_id
           where o.created_by = pg_temp.actor_id('ada') and p.is_starter), 1, 'signup creates the starter project');
select is((select count(*)::int from public.audit_events where action = 'user.provision' and target_id = pg_temp.actor_id('ada')::text), 1,
  'provisioning is audited once');

-- ── idempotent ───────────────────────────────────────────────────────────────
select private.provision_auth_user(pg_temp.actor_id('ada'));
select private.provision_auth_user(pg_temp.actor_id('ada'));
select is(
  (select array[(select count(*) from public.profiles where id = pg_temp.actor_id('ada')),
                (select count(*) from public.memberships where user_id = pg_temp.actor_id('ada')),
                (select count(*) from public.organizations where created_by = pg_temp.actor_id('ada')),
                (select count(*) from public.projects where created_by = pg_temp.actor_id('ada')),
                (select count(*) from public.audit_events where action = 'user.provision' and target_id = pg_temp.actor_id('ada')::text)]::int[]),
  array[1, 1, 1, 1, 1], 'provisioning again creates nothing');

-- ── default organization and default platform roles ──────────────────────────
select private.ensure_default_organization('Everyone', 'everyone');
update private.settings set default_platform_roles = array['reader', 'not-a-role'];
select pg_temp.actor('bob', pg_temp.new_user('bob@prov.test'));
select is((select role from public.memberships m join public.organizations o on o.id = m.organization_id
           where m.user_id = pg_temp.actor_id('bob') and o.is_default), 'member', 'with a default organization, new users join it as member');
select is((select array_agg(role || ':' || source) from public.platform_role_assignments where user_id = pg_temp.actor_id('bob')),
  array['reader:default'], 'default platform roles are granted with source default (unknown names ignored)');
create temp table not_yet_members as
select count(*)::int as n from public.profiles p
where not exists (select 1 from public.memberships m join public.organizations o on o.id = m.organization_id where o.is_default and m.user_id = p.id);
select is((public.ensure_default_organization_membership() ->> 'added')::int, (select n from not_yet_members), 'the backfill adds every existing user who is not a member yet');
select is((public.ensure_default_organization_membership() ->> 'added')::int, 0, 'the backfill is idempotent');

-- ── odd metadata never breaks a signup ───────────────────────────────────────
select lives_ok($$select pg_temp.new_user('num@prov.test', '{"full_name": 42, "avatar_url": true, "timezone": ["x"]}')$$, 'numbers, booleans and arrays where strings belong');
select is((select display_name from public.profiles where email = 'num@prov.test'), '42', 'a number becomes its text');
select is((select avatar_url is null and timezone is null from public.profiles where email = 'num@prov.test'), true, 'non-text values are dropped');
select lives_ok($$select pg_temp.new_user('huge@prov.test', jsonb_build_object('name', repeat('x', 1000000), 'company', repeat('y', 1000000)))$$, '1 MB strings');
select is((select char_length(display_name) from public.profiles where email = 'huge@prov.test'), 200, 'long values are cut to the column limit');
select lives_ok($$select pg_temp.new_user('null@prov.test', 'null')$$, 'metadata that is JSON null');
select lives_ok($$select pg_temp.new_user('string@prov.test', '"just a string"')$$, 'metadata that is a string');
select lives_ok($$select pg_temp.new_user('array@prov.test', '[1, 2, 3]')$$, 'metadata that is an array');
select lives_ok($$select pg_temp.new_user('ctrl@prov.test', '{"name": "Eve\u0007\u001b Evil\n"}')$$, 'control characters');
select is((select display_name from public.profiles where email = 'ctrl@prov.test'), 'Eve Evil', 'control characters are stripped');
select lives_ok($$select pg_temp.new_user(null, '{}')$$, 'a signup without email (phone users)');
select is((select count(*)::int from public.profiles p join auth.users u on u.id = p.id
           where u.email ilike '%@prov.test' or (u.email is null and u.created_at = now())), 9, 'every one of those signups has a profile');

-- ── failures are contained and visible ──────────────────────────────────────
create function public.test_fail_provisioning() returns trigger language plpgsql as $f$
begin
  if new.user_id = 'c0ffee00-0000-4000-8000-000000000001' then
    raise exception 'simulated provisioning failure';
  end if;
  return new;
end;
$f$;
create trigger test_fail_provisioning before insert on public.memberships for each row execute function public.test_fail_provisioning();
select lives_ok($$select pg_temp.new_user('clash@prov.test', '{}', 'c0ffee00-0000-4000-8000-000000000001')$$,
  'a provisioning failure does not fail the signup');
select ok(exists (select 1 from public.audit_events where action = 'user.provision_failed' and target_id = 'c0ffee00-0000-4000-8000-000000000001'),
  'the failure is recorded for repair');
select is((select jsonb_agg(f ->> 'email') from jsonb_array_elements(public.list_provisioning_failures()) f
           where f ->> 'user_id' = 'c0ffee00-0000-4000-8000-000000000001'), '["clash@prov.test"]'::jsonb,
  'operators see the failed provisioning in list_provisioning_failures()');
drop trigger test_fail_provisioning on public.memberships;
select pg_temp.actor('clash', 'c0ffee00-0000-4000-8000-000000000001');
select is(pg_temp.call('clash', 'public.ensure_provisioned()') -> 'profile' ->> 'id', 'c0ffee00-0000-4000-8000-000000000001',
  'ensure_provisioned() repairs the failed provisioning');
select is((select count(*)::int from private.provisioning_failures where user_id = 'c0ffee00-0000-4000-8000-000000000001'), 0,
  'a repaired failure leaves the operators'' list');

-- ── sign-in, email change, repair, deletion ──────────────────────────────────
update auth.users set last_sign_in_at = now() where id = pg_temp.actor_id('ada');
select isnt((select last_login_at from public.profiles where id = pg_temp.actor_id('ada')), null, 'a sign-in sets last_login_at');
update auth.users set email = 'ada@new.test' where id = pg_temp.actor_id('ada');
select is((select email from public.profiles where id = pg_temp.actor_id('ada')), 'ada@new.test', 'an email change reaches the profile');

delete from public.profiles where id = pg_temp.actor_id('bob');
select is(pg_temp.probe('bob', 'select 1 where private.caller_id() is not null'), 'rows:0', 'a legacy user without a profile is nobody to RLS ...');
select is(pg_temp.call('bob', 'to_jsonb(public.ensure_provisioned() -> ''profile'' ->> ''id'')') #>> '{}', pg_temp.actor_id('bob')::text,
  '... until ensure_provisioned() repairs their rows');

create temp table ada_org as select id from public.organizations where created_by = pg_temp.actor_id('ada') and is_personal;
delete from auth.users where id = pg_temp.actor_id('ada');
select is(
  (select array[(select count(*) from public.profiles where id = pg_temp.actor_id('ada')),
                (select count(*) from public.memberships where user_id = pg_temp.actor_id('ada')),
                (select count(*) from public.organizations where id in (select id from ada_org))]::int[]),
  array[0, 0, 0], 'deleting the auth user removes their profile, memberships and personal organization');

select * from finish();
rollback;
