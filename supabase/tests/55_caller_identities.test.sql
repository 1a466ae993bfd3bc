-- Who a token names, in one read (issue 13; SPEC principle 8): private.caller_identities
-- holds the answer of private.caller_identity_rule for every active profile, and follows
-- every change of profiles, identity providers and this project's Supabase Auth issuers;
-- private.caller_grants holds its join with member_grants and follows both.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(31);

create function pg_temp.caller_for(claims jsonb)
returns uuid
language plpgsql
as $$
declare
  result uuid;
begin
  perform set_config('request.jwt.claims', claims::text, true);
  perform set_config('role', 'authenticated', true);
  result := private.caller_id();
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  return result;
end;
$$;

-- The organizations caller_org_ids gives the same claims (platform roles counted
-- everywhere; caller_org_ids_for reads caller_grants with caller_id's two keys).
create function pg_temp.orgs_for(claims jsonb)
returns uuid[]
language plpgsql
as $$
declare
  result uuid[];
begin
  perform set_config('request.jwt.claims', claims::text, true);
  perform set_config('role', 'authenticated', true);
  result := private.caller_org_ids('org:read');
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  return result;
end;
$$;

-- Rows of the table that the rule does not give, and rows of the rule the table lacks.
create temp view identity_drift as
  (select supabase, issuer, subject, profile_id from private.caller_identities
   except select supabase, issuer, subject, profile_id from private.caller_identity_rule)
  union all
  (select supabase, issuer, subject, profile_id from private.caller_identity_rule
   except select supabase, issuer, subject, profile_id from private.caller_identities);

-- Rows of caller_grants that the join does not give, and rows of the join it lacks.
create temp view grant_drift as
  (select supabase, issuer, subject, permission, profile_id, organization_ids, platform_roles from private.caller_grants
   except select k.supabase, k.issuer, k.subject, g.permission, k.profile_id, g.organization_ids, g.platform_roles
          from private.caller_identities k join private.member_grants g on g.user_id = k.profile_id)
  union all
  (select k.supabase, k.issuer, k.subject, g.permission, k.profile_id, g.organization_ids, g.platform_roles
   from private.caller_identities k join private.member_grants g on g.user_id = k.profile_id
   except select supabase, issuer, subject, permission, profile_id, organization_ids, platform_roles from private.caller_grants);

select is((select count(*) from identity_drift), 0::bigint, 'the table holds exactly the rule''s rows');
select is((select count(*) from grant_drift), 0::bigint, 'caller_grants holds exactly caller_identities joined with member_grants');

-- ── a third-party provider's users ───────────────────────────────────────────
insert into private.identity_providers (issuer, name, kind, jwks_url)
values ('https://idp.identities.test', 'Identities IdP', 'clerk', 'https://idp.identities.test/jwks');
insert into public.profiles (id, identity_provider, identity_sub, email)
values ('d0000000-0000-4000-8000-0000000000d1', 'https://idp.identities.test', 'user|one', 'one@identities.test'),
       -- A subject that looks like a Supabase user's id: the provider's own, never theirs.
       ('d0000000-0000-4000-8000-0000000000d2', 'https://idp.identities.test', pg_temp.actor_id('member_a')::text, 'two@identities.test');
create temp table idp_claims as select
  jsonb_build_object('sub', 'user|one', 'iss', 'https://idp.identities.test', 'role', 'authenticated') as one,
  jsonb_build_object('sub', pg_temp.actor_id('member_a'), 'iss', 'https://idp.identities.test', 'role', 'authenticated') as lookalike;

select is(pg_temp.caller_for((select one from idp_claims)), 'd0000000-0000-4000-8000-0000000000d1'::uuid,
  'a provider''s token names its user, by issuer and subject exactly');
select is(pg_temp.caller_for((select lookalike from idp_claims)), 'd0000000-0000-4000-8000-0000000000d2'::uuid,
  'a provider''s subject that looks like a Supabase user''s id names the provider''s user, not the Supabase user');
select is(pg_temp.orgs_for((select lookalike from idp_claims)), '{}'::uuid[],
  '... and the policies give it that user''s organizations (none), not the Supabase user''s');
select is(pg_temp.caller_for(jsonb_set((select one from idp_claims), '{iss}', '"https://idp.identities.test/"')), null::uuid,
  'a provider''s issuer is compared exactly (another issuer string names nobody)');

update private.identity_providers set enabled = false where issuer = 'https://idp.identities.test';
select is(pg_temp.caller_for((select one from idp_claims)), null::uuid, 'a disabled provider''s token names nobody');
select is(pg_temp.caller_for((select lookalike from idp_claims)), null::uuid,
  '... and its Supabase-looking subject is not this project''s Supabase Auth (the issuer is not)');
update private.identity_providers set enabled = true where issuer = 'https://idp.identities.test';
select is(pg_temp.caller_for((select one from idp_claims)), 'd0000000-0000-4000-8000-0000000000d1'::uuid,
  'enabled again, it names its user again');

-- A provider renamed (its issuer changed): the old issuer's tokens name nobody.
update private.identity_providers set issuer = 'https://idp-renamed.identities.test' where issuer = 'https://idp.identities.test';
select is(pg_temp.caller_for((select one from idp_claims)), null::uuid, 'a renamed provider''s old issuer names nobody');
update private.identity_providers set issuer = 'https://idp.identities.test' where issuer = 'https://idp-renamed.identities.test';

update public.profiles set disabled_at = now() where id = 'd0000000-0000-4000-8000-0000000000d1';
select is(pg_temp.caller_for((select one from idp_claims)), null::uuid, 'a disabled profile is nobody');
update public.profiles set disabled_at = null, identity_sub = 'user|renamed' where id = 'd0000000-0000-4000-8000-0000000000d1';
select is(pg_temp.caller_for((select one from idp_claims)), null::uuid, 'a changed subject: the old one names nobody ...');
select is(pg_temp.caller_for(jsonb_set((select one from idp_claims), '{sub}', '"user|renamed"')), 'd0000000-0000-4000-8000-0000000000d1'::uuid,
  '... and the new one names the user');

-- ── this project's Supabase Auth users ───────────────────────────────────────
create temp table supabase_claims as select
  jsonb_build_object('sub', upper(pg_temp.actor_id('member_a')::text), 'iss', 'http://127.0.0.1:54321/auth/v1/', 'role', 'authenticated') as upper_slash;
select is(pg_temp.caller_for((select upper_slash from supabase_claims)), pg_temp.actor_id('member_a'),
  'a Supabase Auth subject in capitals, with a trailing slash on the issuer, names the user (as the id and the issuer compare)');
select is(pg_temp.orgs_for((select upper_slash from supabase_claims)),
  (select array_agg(m.organization_id) from public.memberships m where m.user_id = pg_temp.actor_id('member_a')),
  '... and the policies give it the user''s organizations');
update private.settings set auth_issuers = array['https://other.supabase.test/auth/v1'];
select is(pg_temp.caller_for((select upper_slash from supabase_claims)), null::uuid,
  'an issuer taken off settings.auth_issuers names nobody');
update private.settings set auth_issuers = array['http://127.0.0.1:54321/auth/v1', 'http://127.0.0.1:54321/auth/v1/'];
select is(pg_temp.caller_for((select upper_slash from supabase_claims)), pg_temp.actor_id('member_a'),
  'listed again (twice, with and without the slash), it names the user once more');

-- Without the settings row no issuer is this project's Supabase Auth (fail closed).
create temp table settings_copy as select * from private.settings;
delete from private.settings;
select is(pg_temp.caller_for((select upper_slash from supabase_claims)), null::uuid, 'with the settings row deleted, a Supabase Auth token names nobody');
insert into private.settings select * from settings_copy;
select is(pg_temp.caller_for((select upper_slash from supabase_claims)), pg_temp.actor_id('member_a'), 'inserted again, it names the user');

-- An issuer listed as this project's Supabase Auth and registered as a provider too: the
-- provider's reading wins, so its subjects are never taken for Supabase users.
update private.settings set auth_issuers = array['http://127.0.0.1:54321/auth/v1', 'https://shadow.identities.test'];
create temp table shadow_claims as select
  jsonb_build_object('sub', pg_temp.actor_id('member_a'), 'iss', 'https://shadow.identities.test', 'role', 'authenticated') as claims;
select is(pg_temp.caller_for((select claims from shadow_claims)), pg_temp.actor_id('member_a'),
  'an issuer listed in settings.auth_issuers names its Supabase users');
insert into private.identity_providers (issuer, name, kind, jwks_url)
values ('https://shadow.identities.test', 'Shadowing IdP', 'clerk', 'https://shadow.identities.test/jwks');
select is(pg_temp.caller_for((select claims from shadow_claims)), null::uuid,
  'registered and enabled as a provider as well, its subjects are the provider''s (nobody here), never Supabase users');
select is(pg_temp.orgs_for((select claims from shadow_claims)), '{}'::uuid[], '... and the policies give them no organization');
delete from private.identity_providers where issuer = 'https://shadow.identities.test';

-- ── the table follows every change ───────────────────────────────────────────
select pg_temp.actor('identity_newcomer', pg_temp.new_user('identity-newcomer@test.local'));
delete from public.profiles where id = 'd0000000-0000-4000-8000-0000000000d2';
delete from private.identity_providers where issuer = 'https://idp.identities.test';
select is((select count(*) from identity_drift), 0::bigint,
  'after sign-ups, provider and profile changes, disabling, deleting and new issuers, the table still holds exactly the rule''s rows');
select is((select count(*) from private.caller_identities where issuer = 'https://idp.identities.test'), 0::bigint,
  'a deleted provider leaves no key behind');

-- Grants follow memberships, platform roles and identities of every kind.
insert into public.memberships (organization_id, user_id, role)
select o.id, pg_temp.actor_id('identity_newcomer'), 'member' from public.organizations o where o.slug in ('acme', 'globex')
on conflict do nothing;
select is((select count(*) from grant_drift), 0::bigint, 'a new user''s first memberships reach caller_grants');
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('identity_newcomer'), 'reader', 'admin');
update public.memberships set role = 'viewer' where user_id = pg_temp.actor_id('identity_newcomer');
delete from public.memberships where user_id = pg_temp.actor_id('member_a');
select is((select count(*) from grant_drift), 0::bigint,
  'after memberships added, changed and removed and a platform role granted, caller_grants holds exactly the join');
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('viewer_a');
update private.settings set auth_issuers = array['http://127.0.0.1:54321/auth/v1'];
select is((select count(*) from grant_drift), 0::bigint,
  'after a user is disabled and the issuers change, it still does');
select is((select count(*) from private.caller_grants where profile_id = pg_temp.actor_id('viewer_a')), 0::bigint,
  'a disabled user has no grants row');
select is(pg_temp.orgs_for(jsonb_build_object('sub', pg_temp.actor_id('viewer_a'), 'iss', 'http://127.0.0.1:54321/auth/v1', 'role', 'authenticated')),
  '{}'::uuid[], '... so the policies give them no organization');
-- A change of the role matrix rebuilds member_grants (deleted, then inserted again).
delete from public.role_permissions where scope = 'org' and role = 'viewer' and permission = 'data:read';
select is((select count(*) from grant_drift), 0::bigint, 'after a change of the role matrix, caller_grants holds exactly the join');

select is((select count(*) from information_schema.role_table_grants g
           where g.table_schema = 'private' and g.table_name in ('caller_identities', 'caller_grants')
             and g.grantee in ('PUBLIC', 'anon', 'authenticated', 'service_role')), 0::bigint,
  'no API role can read or write caller_identities or caller_grants');

select * from finish();
rollback;
