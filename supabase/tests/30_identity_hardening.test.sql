-- Identity and provisioning hardening (issue 10, items 1, 3, 5, 11, 13, 15, 16, 27):
-- where groups may come from, verified emails, repair that restores nothing removed,
-- disabled issuers, JIT sync and the last owner, generated names that never collide or
-- overflow, unsafe profile values, oidc audiences.
begin;
\ir _helpers.psql
\set QUIET on
-- Failures already recorded (a shared database may hold some): this file counts only its own.
create temp table failures_before as select user_id from private.provisioning_failures;
\set QUIET off

select plan(64);

update private.settings set create_personal_organization = false, starter_project_name = null, default_organization_id = null,
                            default_platform_roles = '{}';
select private.replace_group_role_mapping('{"admins": ["admin"], "ops": ["auditor"]}', '{}');

-- Runs sql as a caller holding exactly these verified token claims; errors come back as "sqlstate: message".
create function pg_temp.as_token(claims jsonb, statement text)
returns text
language plpgsql
as $$
declare
  result text;
begin
  begin
    perform set_config('request.jwt.claims', (claims || '{"role": "authenticated"}')::text, true);
    perform set_config('role', 'authenticated', true);
    execute format('select (%s)::text', statement) into result;
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', '', true);
    return coalesce(result, 'null');
  exception when others then
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', '', true);
    return sqlstate || ': ' || sqlerrm;
  end;
end;
$$;
-- Runs a statement (an UPDATE) as a named Supabase Auth user: 'rows:N' or "sqlstate: message".
create function pg_temp.exec_as(actor text, statement text)
returns text
language plpgsql
as $$
declare
  n bigint;
begin
  begin
    perform pg_temp.become(actor);
    execute statement;
    get diagnostics n = row_count;
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', '', true);
    return 'rows:' || n;
  exception when others then
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', '', true);
    return sqlstate || ': ' || sqlerrm;
  end;
end;
$$;
-- The same for a named Supabase Auth user (see pg_temp.become).
create function pg_temp.as_user(actor text, statement text)
returns text
language sql
as $$ select pg_temp.as_token(jsonb_build_object('sub', pg_temp.actor_id(actor), 'aud', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1'), statement) $$;
create function pg_temp.roles_of(actor text)
returns text
language sql
as $$ select coalesce(string_agg(role || ':' || source, ' ' order by role), '-') from public.platform_role_assignments where user_id = pg_temp.actor_id(actor) $$;

-- ══ item 1: groups only from sources the user cannot write ══════════════════
select is((select groups_claim_paths from private.settings), array['app_metadata.groups', 'sso_identity.custom_claims.groups', 'sso_identity.groups'],
  'the groups claim paths hold no user_metadata path after the migration');
select pg_temp.actor('meta_signup', pg_temp.new_user('meta-signup@id.test', '{"groups": ["admins"]}'));
select is(pg_temp.roles_of('meta_signup'), '-', 'user_metadata groups at signup (options.data) grant no role');
select pg_temp.actor('meta_custom', pg_temp.new_user('meta-custom@id.test', '{"custom_claims": {"groups": ["admins"]}}'));
select is(pg_temp.roles_of('meta_custom'), '-', 'user_metadata.custom_claims groups at signup grant no role');
select pg_temp.actor('meta_string', pg_temp.new_user('meta-string@id.test', '{"groups": "admins,ops"}'));
select is(pg_temp.roles_of('meta_string'), '-', 'a user_metadata groups string ("admins,ops") grants no role');

-- A user holding an IdP role writes user_metadata, then signs in / calls ensure_provisioned().
select pg_temp.actor('meta_update', pg_temp.new_user('meta-update@id.test'));
insert into public.platform_role_assignments (user_id, role, source) values (pg_temp.actor_id('meta_update'), 'auditor', 'idp');
update auth.users set raw_user_meta_data = raw_user_meta_data || '{"groups": ["admins"], "custom_claims": {"groups": ["admins"]}}'
where id = pg_temp.actor_id('meta_update');
update auth.users set last_sign_in_at = now() where id = pg_temp.actor_id('meta_update');
select is(pg_temp.roles_of('meta_update'), 'auditor:idp', 'user_metadata groups written by updateUser then a sign-in: no role granted, nothing revoked');
select isnt(pg_temp.as_user('meta_update', 'public.ensure_provisioned()'), null, 'ensure_provisioned() runs for that user');
select is(pg_temp.roles_of('meta_update'), 'auditor:idp', 'user_metadata groups then ensure_provisioned(): no role granted, nothing revoked');

select pg_temp.actor('app_groups', pg_temp.new_user('app-groups@id.test'));
update auth.users set raw_app_meta_data = raw_app_meta_data || '{"groups": ["admins"]}' where id = pg_temp.actor_id('app_groups');
update auth.users set last_sign_in_at = now() where id = pg_temp.actor_id('app_groups');
select is(pg_temp.roles_of('app_groups'), 'admin:idp', 'app_metadata groups (service role) still grant their mapped role');

-- An SSO user: groups from their SSO identity (written by Supabase Auth from the IdP's assertion).
select pg_temp.actor('sso_user', pg_temp.new_user('sso@id.test', '{"custom_claims": {"groups": ["admins"]}}'));
update auth.users set is_sso_user = true where id = pg_temp.actor_id('sso_user');
insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
values (pg_temp.actor_id('sso_user')::text, pg_temp.actor_id('sso_user'), '{"custom_claims": {"groups": ["ops"]}}', 'sso:5f0b3c1e-0000-4000-8000-000000000001', now(), now());
update auth.users set last_sign_in_at = now() where id = pg_temp.actor_id('sso_user');
select is(pg_temp.roles_of('sso_user'), '-', 'an SSO connection the operator does not trust grants no role (its IdP may be a customer''s)');
update private.settings set trusted_sso_providers = '{5f0b3c1e-0000-4000-8000-000000000001}';
update auth.users set last_sign_in_at = now() + interval '1 second' where id = pg_temp.actor_id('sso_user');
select is(pg_temp.roles_of('sso_user'), 'auditor:idp', 'a trusted SSO user''s groups come from their SSO identity, not from user_metadata');
update private.settings set trusted_sso_providers = '{}';

select throws_ok($$update private.settings set groups_claim_paths = array['app_metadata.groups', 'user_metadata.groups']$$, '22023',
  'groups_claim_paths: "user_metadata.groups" is not allowed; groups may only come from app_metadata.* or sso_identity.* (user_metadata is written by the user)',
  'a user-writable groups path is refused, naming the path');
select throws_ok($$update private.settings set groups_claim_paths = array['user_metadata.custom_claims.groups']$$, '22023', null,
  'user_metadata.custom_claims.groups is refused too');

select lives_ok($$update private.settings set groups_claim_paths = array['app_metadata.teams', 'app_metadata.groups', 'sso_identity.custom_claims.groups']$$,
  'app_metadata and sso_identity paths are accepted');
update private.settings set groups_claim_paths = default;

-- ══ item 3: verified emails ══════════════════════════════════════════════════
select pg_temp.actor('unconfirmed', pg_temp.new_user('Unconfirmed@id.test', '{}', gen_random_uuid(), false));
select is((select email_verified from public.profiles where id = pg_temp.actor_id('unconfirmed')), false, 'an unconfirmed signup has an unverified email');
select is(pg_temp.as_user('unconfirmed', 'private.caller_email()'), 'null', 'caller_email() is null while the email is unverified');
update auth.users set email_confirmed_at = now() where id = pg_temp.actor_id('unconfirmed');
select is((select email_verified from public.profiles where id = pg_temp.actor_id('unconfirmed')), true, 'confirming the email later verifies it');
select is(pg_temp.as_user('unconfirmed', 'private.caller_email()'), 'unconfirmed@id.test', 'caller_email() answers a verified email');
update auth.users set email = 'changed@id.test' where id = pg_temp.actor_id('unconfirmed');
select is((select email || ' ' || email_verified from public.profiles where id = pg_temp.actor_id('unconfirmed')), 'changed@id.test false',
  'an email change makes the address unverified until confirmed');
update auth.users set email_change = 'confirmed-change@id.test' where id = pg_temp.actor_id('unconfirmed');
update auth.users set email = email_change, email_change = '' where id = pg_temp.actor_id('unconfirmed');
select is((select email || ' ' || email_verified from public.profiles where id = pg_temp.actor_id('unconfirmed')), 'confirmed-change@id.test true',
  'Supabase Auth applying a confirmed email_change keeps the new address verified');
select pg_temp.actor('confirmed', pg_temp.new_user('confirmed@id.test'));
select is((select email_verified from public.profiles where id = pg_temp.actor_id('confirmed')), true, 'a confirmed signup has a verified email');

insert into private.identity_providers (issuer, name, kind, jwks_url) values
  ('https://clerk.id.test', 'Clerk', 'clerk', 'https://clerk.id.test/jwks.json');
create temp table ev as
select x.sub, private.jit_provision(jsonb_build_object('iss', 'https://clerk.id.test', 'sub', x.sub, 'email', x.sub || '@clerk.id.test') || x.extra) as r
from (values ('ev-false', '{"email_verified": false}'::jsonb), ('ev-string', '{"email_verified": "true"}'), ('ev-absent', '{}'), ('ev-true', '{"email_verified": true}')) x(sub, extra);
select is(
  (select string_agg(ev.sub || '=' || p.email_verified, ' ' order by ev.sub)
   from ev join public.profiles p on p.id = (ev.r ->> 'profile_id')::uuid),
  'ev-absent=false ev-false=false ev-string=false ev-true=true',
  'a third-party email is verified only when the token''s email_verified claim is boolean true');
select is(pg_temp.as_token('{"iss": "https://clerk.id.test", "sub": "ev-false"}', 'private.caller_email()'), 'null',
  'caller_email() is null for a third-party user with an unverified email');
select is(pg_temp.as_token('{"iss": "https://clerk.id.test", "sub": "ev-true"}', 'private.caller_email()'), 'ev-true@clerk.id.test',
  'caller_email() answers a third-party user''s verified email');
select private.jit_provision('{"iss": "https://clerk.id.test", "sub": "ev-true", "email": "ev-true@clerk.id.test", "email_verified": false}');
select is((select email_verified from public.profiles where identity_sub = 'ev-true'), false, 'a later token saying email_verified false unverifies it');

-- ══ item 5: repair restores nothing the user was removed from ═══════════════
update private.settings set create_personal_organization = true, starter_project_name = 'Starter';
select private.ensure_default_organization('Everyone', 'everyone');
select pg_temp.actor('removed', pg_temp.new_user('removed@id.test'));
select pg_temp.actor('new_owner', pg_temp.new_user('new-owner@id.test'));
create temp table removed_org as select id from public.organizations where created_by = pg_temp.actor_id('removed') and is_personal;
-- Ownership transferred to new_owner, then removed; and removed from the default organization.
insert into public.memberships (organization_id, user_id, role) select id, pg_temp.actor_id('new_owner'), 'owner' from removed_org;
delete from public.memberships where user_id = pg_temp.actor_id('removed');
create temp table audit_mark as select coalesce(max(id), 0) as id from public.audit_events;
select isnt(pg_temp.as_user('removed', 'public.ensure_provisioned()'), null, 'ensure_provisioned() runs for a removed user');
select is((select count(*)::int from public.memberships where user_id = pg_temp.actor_id('removed')), 0,
  'ensure_provisioned() does not restore the personal organization or default organization the user was removed from');
select is((select count(*)::int from public.audit_events where id > (select id from audit_mark) and action like 'membership.%'), 0,
  'and writes no membership event');

select pg_temp.actor('incomplete', pg_temp.new_user('incomplete@id.test'));
delete from public.organizations where created_by = pg_temp.actor_id('incomplete') and is_personal;
delete from public.memberships where user_id = pg_temp.actor_id('incomplete');
update public.profiles set provisioned_at = null where id = pg_temp.actor_id('incomplete');
truncate audit_mark;
insert into audit_mark select coalesce(max(id), 0) from public.audit_events;
select isnt(pg_temp.as_user('incomplete', 'public.ensure_provisioned()'), null, 'ensure_provisioned() runs for a never-completed provisioning');
select is((select string_agg(m.role || '@' || case when o.is_personal then 'personal' when o.is_default then 'default' end, ' ' order by m.role)
           from public.memberships m join public.organizations o on o.id = m.organization_id where m.user_id = pg_temp.actor_id('incomplete')),
  'member@default owner@personal', 'a never-completed provisioning is repaired: personal and default memberships');
select is((select string_agg(action, ' ' order by action) from public.audit_events
           where id > (select id from audit_mark) and action <> 'user.provision'),
  'membership.add membership.add organization.create project.create', 'every row the repair adds is audited');
select isnt((select provisioned_at from public.profiles where id = pg_temp.actor_id('incomplete')), null, 'the repair marks provisioning completed');

-- ══ item 11: a disabled issuer's token gets nothing ═════════════════════════
insert into private.identity_providers (issuer, name, kind, jwks_url, enabled) values
  ('https://disabled.id.test', 'Off', 'clerk', 'https://disabled.id.test/jwks.json', false);
select is(pg_temp.as_token(jsonb_build_object('iss', 'https://disabled.id.test', 'sub', pg_temp.actor_id('confirmed')), 'public.ensure_provisioned()')::jsonb,
  '{"error": {"code": "forbidden", "message": "identity provider \"https://disabled.id.test\" is disabled"}}'::jsonb,
  'a disabled issuer''s token (even with a Supabase user''s id as sub) gets no profile from ensure_provisioned()');
select ok(exists (select 1 from public.audit_events where action = 'user.ensure_provisioned' and outcome = 'denied'), 'the refusal is audited');

-- ══ item 13: JIT sync never takes away an organization's last owner ═════════
update private.settings set create_personal_organization = false, default_organization_id = null;
create temp table owner_token as select '{"iss": "https://clerk.id.test", "sub": "user_owner", "org_id": "org_own", "org_slug": "owned-tenant", "org_role": "org:member"}'::jsonb as claims;
select is((select private.jit_provision(claims) ->> 'role' from owner_token), 'member', 'a Clerk org:member joins the mirrored organization as member');
select is((select count(*)::int from public.memberships m join private.organization_links l on l.organization_id = m.organization_id
           where l.external_id = 'org_own' and m.role = 'owner'), 0,
  'a mirrored tenant organization has no owner unless the IdP maps one (documented)');
update public.memberships m set role = 'owner' from private.organization_links l
where l.organization_id = m.organization_id and l.external_id = 'org_own';  -- a platform admin makes them owner
update public.profiles set last_login_at = now() - interval '2 minutes' where identity_sub = 'user_owner';
truncate audit_mark;
insert into audit_mark select coalesce(max(id), 0) from public.audit_events;
select is((select private.jit_provision(claims) ->> 'role' from owner_token), 'owner', 'the same token does not demote the organization''s last owner');
select is((select m.role from public.memberships m join private.organization_links l on l.organization_id = m.organization_id
           join public.profiles p on p.id = m.user_id where l.external_id = 'org_own' and p.identity_sub = 'user_owner'), 'owner',
  'the organization keeps its owner');
select is((select string_agg(action, ' ') from public.audit_events where id > (select id from audit_mark) and action like 'membership.%'),
  'membership.sync_skipped', 'the skipped change is audited');
select is(private.jit_provision('{"iss": "https://clerk.id.test", "sub": "user_owner", "org_id": "org_other", "org_slug": "other-tenant", "org_role": "org:member"}') ->> 'role',
  'member', 'a token naming another tenant joins it');
select is((select count(*)::int from public.memberships m join private.organization_links l on l.organization_id = m.organization_id
           join public.profiles p on p.id = m.user_id where l.external_id = 'org_own' and p.identity_sub = 'user_owner' and m.role = 'owner'), 1,
  'tenant_switch = move does not remove the last owner from the previous tenant''s organization');
-- With a second owner the token's role applies, as change_member_role would allow.
select private.jit_provision('{"iss": "https://clerk.id.test", "sub": "user_second", "org_id": "org_own", "org_role": "org:member"}');
update public.memberships m set role = 'owner' from private.organization_links l, public.profiles p
where l.organization_id = m.organization_id and l.external_id = 'org_own' and p.id = m.user_id and p.identity_sub = 'user_second';
select is((select private.jit_provision(claims) ->> 'role' from owner_token), 'member', 'an owner who is not the last is synced to the token''s role');
update private.identity_providers set role_map = role_map || '{"org:owner": "owner"}' where issuer = 'https://clerk.id.test';
select is(private.jit_provision('{"iss": "https://clerk.id.test", "sub": "user_idp_owner", "org_id": "org_new", "org_role": "org:owner"}') ->> 'role',
  'owner', 'a token role the provider maps to owner makes the user owner');

-- ══ item 15: generated names and slugs never overflow or collide ════════════
update private.settings set create_personal_organization = true, starter_project_name = 'Starter';
select lives_ok($$select pg_temp.new_user(repeat('l', 90) || '@id.test')$$, 'a 90-character email local part signs up');
select is((select char_length(o.name) <= 100 from public.organizations o join public.profiles p on p.id = o.created_by
           where o.is_personal and p.email = repeat('l', 90) || '@id.test'), true,
  'a long email local part gives a personal organization whose name fits');
select pg_temp.new_user('twin1@id.test', '{"name": "Twin"}', 'c0ffee00-1111-2222-aaaa-000000000001');
select pg_temp.new_user('twin2@id.test', '{"name": "Twin"}', 'c0ffee00-1111-2222-aaaa-000000000002');
select is((select count(distinct o.id)::int from public.organizations o join public.memberships m on m.organization_id = o.id and m.role = 'owner'
           where o.is_personal and o.created_by in ('c0ffee00-1111-2222-aaaa-000000000001', 'c0ffee00-1111-2222-aaaa-000000000002')
             and m.user_id = o.created_by), 2,
  'two ids sharing the 16-hex-char slug prefix (and 8-char name prefix) each own a personal organization');
insert into public.organizations (slug, name) values ('personal-d00dfeed22223333', 'Squat (personal d00dfeed)');
select pg_temp.new_user('squatted@id.test', '{"name": "Squat"}', 'd00dfeed-2222-3333-bbbb-000000000001');
select is((select count(*)::int from public.organizations o join public.projects pr on pr.organization_id = o.id and pr.is_starter
           where o.is_personal and o.created_by = 'd00dfeed-2222-3333-bbbb-000000000001'), 1,
  'a squatted personal slug and name: the user still gets a personal organization and starter project');
select is((select count(*)::int from private.provisioning_failures where user_id not in (select user_id from failures_before)), 0,
  'none of these signups failed provisioning');

insert into public.organizations (slug, name)
select case when n = 0 then 'acme-squat' else 'acme-squat-' || n end, case when n = 0 then 'Acme Squat' else 'Acme Squat (' || n || ')' end
from generate_series(0, 20) n;
select isnt(private.jit_provision('{"iss": "https://clerk.id.test", "sub": "user_sq", "org_id": "org_sq", "org_slug": "Acme Squat", "org_role": "org:member"}') ->> 'organization_id',
  null, 'a tenant whose name another user squatted (with every numbered variant) still gets an organization');
select isnt(private.jit_provision(jsonb_build_object('iss', 'https://clerk.id.test', 'sub', 'user_long', 'org_id', repeat('t', 400), 'org_role', 'org:member')) ->> 'organization_id',
  null, 'a 400-character tenant id without a name still gets an organization');
select isnt(private.jit_provision(jsonb_build_object('iss', 'https://clerk.id.test', 'sub', 'user_cut', 'org_id', 'org_cut', 'org_slug', repeat('a', 39) || ' b', 'org_role', 'org:member')) ->> 'organization_id',
  null, 'a tenant name whose slug would be cut at a hyphen still gets an organization');

-- ══ item 16: unsafe profile values ═══════════════════════════════════════════
select pg_temp.actor('unsafe', pg_temp.new_user('unsafe@id.test',
  jsonb_build_object('name', E'Eve\u202Egnp.exe\u200B', 'avatar_url', 'javascript:alert(1)', 'timezone', 'Mars/Olympus', 'company', E'\u2066Acme\u2069')));
select is((select jsonb_build_object('name', display_name, 'avatar', avatar_url, 'tz', timezone, 'company', company_name)
           from public.profiles where id = pg_temp.actor_id('unsafe')),
  '{"name": "Evegnp.exe", "avatar": null, "tz": null, "company": "Acme"}'::jsonb,
  'provisioning drops bidi and zero-width characters, a non-http(s) avatar and an unknown time zone, and the signup succeeds');
select pg_temp.actor('safe', pg_temp.new_user('safe@id.test', '{"avatar_url": "https://img.id.test/a.png", "timezone": "Europe/Paris"}'));
select is((select avatar_url || ' ' || timezone from public.profiles where id = pg_temp.actor_id('safe')), 'https://img.id.test/a.png Europe/Paris',
  'an https avatar and a known time zone are kept');
select is(pg_temp.exec_as('safe', $$update public.profiles set avatar_url = 'javascript:alert(1)' where id = private.caller_id()$$),
  '22023: avatar_url: must be an absolute http:// or https:// URL', 'a user''s own update to a non-http(s) avatar_url is refused, naming the field');
select is(pg_temp.exec_as('safe', $$update public.profiles set display_name = E'Bob\u202Eevil' where id = private.caller_id()$$),
  '22023: display_name: bidi control and zero-width characters, and leading or trailing blanks, are not allowed',
  'a user''s own update to a display name with a bidi override is refused, naming the field');
select is(pg_temp.exec_as('safe', $$update public.profiles set display_name = E'Bob\u200Bby' where id = private.caller_id()$$),
  '22023: display_name: bidi control and zero-width characters, and leading or trailing blanks, are not allowed',
  'a zero-width character in a display name is refused');
select is(pg_temp.exec_as('safe', $$update public.profiles set timezone = 'Nowhere/Zone' where id = private.caller_id()$$),
  '22023: timezone: "Nowhere/Zone" is not a known time zone (see pg_timezone_names)', 'an unknown time zone is refused, naming the field');
select is(pg_temp.exec_as('safe', $$update public.profiles set display_name = 'Bob', avatar_url = 'http://img.id.test/b.png', timezone = 'America/New_York', company_name = 'Globex' where id = private.caller_id()$$),
  'rows:1', 'safe values are accepted');
select is(private.jit_provision('{"iss": "https://clerk.id.test", "sub": "user_pic", "picture": "data:text/html,<script>", "name": "\u202Eeve"}') ->> 'created',
  'true', 'a third-party token with an unsafe picture and name provisions');
select is((select coalesce(avatar_url, '-') || ' ' || display_name from public.profiles where identity_sub = 'user_pic'), '- eve',
  'the unsafe token values are sanitised');

-- ══ item 27: an oidc provider needs an audience ═════════════════════════════
select throws_ok($$insert into private.identity_providers (issuer, name, kind, jwks_url) values ('https://oidc.id.test', 'OIDC', 'oidc', 'https://oidc.id.test/jwks')$$,
  '22023', 'audience: oidc provider "https://oidc.id.test" must set the audience (client id) its tokens carry',
  'an oidc provider without an audience is refused, naming the field');
select lives_ok($$insert into private.identity_providers (issuer, name, kind, jwks_url, audience) values ('https://oidc.id.test', 'OIDC', 'oidc', 'https://oidc.id.test/jwks', 'tenantry-app')$$,
  'an oidc provider with an audience is accepted');

-- ══ review findings: the default organization is no shared team; invisible names ══
select pg_temp.actor('everyone_a', pg_temp.new_user('everyone-a@id.test'));
select pg_temp.actor('everyone_b', pg_temp.new_user('everyone-b@id.test'));
insert into public.organizations (id, slug, name, is_default) values ('d0000000-0000-4000-8000-00000000000d', 'everyone-review', 'Everyone review', true)
on conflict do nothing;
insert into public.memberships (organization_id, user_id, role)
select o.id, pg_temp.actor_id(a), 'member' from public.organizations o, unnest(array['everyone_a', 'everyone_b']) as a where o.is_default
on conflict do nothing;
select is(pg_temp.as_user('everyone_a', $$(select count(*) from public.profiles where id = pg_temp.actor_id('everyone_b'))$$), '0',
  'members of the default organization do not read each other''s profiles (no email directory of every user)');
select is(private.clean_display_text(U&'\200F\200F\3164'), null, 'a name of only bidi marks and fillers is blank');
select is(private.clean_display_text(U&'ad\200Fmin\061C\00AD'), 'admin', 'bidi marks, the Arabic letter mark and soft hyphens are dropped too');

select * from finish();
rollback;
