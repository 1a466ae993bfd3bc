-- Organization rules hardened (issue 10, items 2, 3, 4, 7, 10 first half, 13): a caller
-- without an active profile never skips a check; only verified emails match; org admins
-- invite rather than add, with no account hint; profiles by one rule for every platform
-- role, public columns only; quotas on every path, permission first, no client switch;
-- invitations only as good as their inviter's current right.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(54);

update public.profiles set email_verified = true
where id in (select id from actors where name in ('owner_a', 'admin_a', 'member_a', 'viewer_a', 'outsider', 'invitee', 'platform_admin', 'auditor'));

-- ── item 2: a caller without an active profile is never "leaving" ─────────────
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('viewer_a');
select is(pg_temp.call('viewer_a', $$public.remove_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('member_a'))$$) -> 'error' ->> 'code', 'forbidden',
  'remove_member: a disabled caller (no active profile) cannot remove a member');
select is(pg_temp.call('unprovisioned_clerk_user', $$public.remove_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'))$$) -> 'error' ->> 'code', 'forbidden',
  'remove_member: an unprovisioned caller cannot remove an admin');
select is((select count(*)::int from public.memberships where organization_id = 'a0000000-0000-4000-8000-00000000000a'), 4,
  '... and nobody was removed');
select ok(exists (select 1 from public.audit_events where action = 'membership.remove' and outcome = 'denied' and details -> 'claimed' ->> 'sub' = 'user_2abcDEF'),
  '... the refusal is audited with the identity it claimed');
-- Behind the gate, remove_member itself still refuses a caller without a profile.
select is((select r -> 'error' ->> 'code' from (select pg_temp.become('unprovisioned_clerk_user')) b,
           lateral (select private.remove_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a')) as r) x), 'forbidden',
  'remove_member itself refuses a caller with no profile');
select set_config('role', 'none', true);
select set_config('request.jwt.claims', '', true);
update public.profiles set disabled_at = null where id = pg_temp.actor_id('viewer_a');
select is(private.would_orphan('a0000000-0000-4000-8000-00000000000a', null), false, 'would_orphan: a null user leaves every owner in place');

-- ── item 3: only verified emails match ────────────────────────────────────────
-- A squatter: a token whose issuer says email_verified false, for the invitee's address.
select pg_temp.actor('squatter', gen_random_uuid());
insert into public.profiles (id, identity_provider, identity_sub, email, email_verified)
values (pg_temp.actor_id('squatter'), 'http://127.0.0.1:54321/auth/v1', pg_temp.actor_id('squatter')::text, 'invitee@test.local', false);
select is(pg_temp.call('squatter', $$public.accept_invitation('invite-a')$$) -> 'error' ->> 'code', 'forbidden',
  'accept_invitation: an unverified email equal to the invitee''s gets no invitation');
select is((select count(*)::int from public.memberships where user_id = pg_temp.actor_id('squatter')), 0, '... and no membership');
select is(pg_temp.probe('squatter', 'select id from public.invitations'), 'rows:0', '... and cannot see the invitation');
select is(pg_temp.call('platform_admin', $$public.add_member('b0000000-0000-4000-8000-00000000000b', email => 'squatted@test.local')$$) ->> 'sqlstate', 'P0002',
  'add_member by email: an unverified profile is not matched');
update public.profiles set email = 'squatted@test.local' where id = pg_temp.actor_id('squatter');
select is(pg_temp.call('platform_admin', $$public.add_member('b0000000-0000-4000-8000-00000000000b', email => 'squatted@test.local')$$) ->> 'sqlstate', 'P0002',
  '... even when it is the only profile with that email');
select pg_temp.actor('twin', pg_temp.new_user('twin@test.local'));
insert into public.profiles (identity_provider, identity_sub, email, email_verified) values ('https://idp.example.test', 'twin', 'TWIN@test.local', true);
update public.profiles set email_verified = true where id = pg_temp.actor_id('twin');
select is(pg_temp.call('platform_admin', $$public.add_member('b0000000-0000-4000-8000-00000000000b', email => 'twin@test.local')$$) ->> 'sqlstate', '22023',
  'add_member by email: an email verified by several profiles is refused as ambiguous');
select is(pg_temp.call('invitee', $$public.accept_invitation('invite-a')$$) ->> 'role', 'member', 'the verified invitee accepts');

-- ── item 4: org admins invite, with no account hint ───────────────────────────
create temp table added as
select pg_temp.call('admin_a', $$public.add_member('a0000000-0000-4000-8000-00000000000a', email => 'outsider@test.local')$$) as known,
       pg_temp.call('admin_a', $$public.add_member('a0000000-0000-4000-8000-00000000000a', email => 'no-such-account@test.local')$$) as unknown;
select is((select array_agg(k order by k) from added, jsonb_object_keys(known) k), (select array_agg(k order by k) from added, jsonb_object_keys(unknown) k),
  'add_member by email (org admin): the answer has the same shape whether or not the account exists');
select ok((select known ? 'token' and not known ? 'user_id' and unknown ? 'token' from added), '... an invitation, with no account hint');
select is((select count(*)::int from public.memberships where organization_id = 'a0000000-0000-4000-8000-00000000000a' and user_id = pg_temp.actor_id('outsider')), 0,
  '... and no membership without the user''s consent');
select is((select count(*)::int from public.invitations where organization_id = 'a0000000-0000-4000-8000-00000000000a'
           and email in ('outsider@test.local', 'no-such-account@test.local') and accepted_at is null), 2, '... both addresses are invited');
select is(pg_temp.call('admin_a', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('outsider'))$$) -> 'error' ->> 'code', 'forbidden',
  'add_member by id needs users:admin');
select is(pg_temp.call('platform_admin', $$public.add_member('b0000000-0000-4000-8000-00000000000b', pg_temp.actor_id('member_a'))$$) ->> 'role', 'member',
  'users:admin adds directly by id');

-- Profiles: self, co-member, stranger for every platform role (and none), from public.roles.
create temp table visibility (role text, who text, expected text, got text);
grant all on visibility to public;
do $$
declare
  r record;
  org uuid;
  caller uuid;
  mate uuid;
  stranger uuid;
  stranger_org uuid;
begin
  for r in select name from public.roles where scope = 'platform' union all select 'none' loop
    caller := pg_temp.actor('vis_' || r.name, pg_temp.new_user('vis-' || r.name || '@test.local'));
    mate := pg_temp.new_user('vis-mate-' || r.name || '@test.local');
    stranger := pg_temp.new_user('vis-stranger-' || r.name || '@test.local');
    insert into public.organizations (slug, name) values ('vis-' || r.name, 'Vis ' || r.name) returning id into org;
    insert into public.organizations (slug, name) values ('vis-other-' || r.name, 'Vis other ' || r.name) returning id into stranger_org;
    insert into public.memberships (organization_id, user_id, role) values (org, caller, 'viewer'), (org, mate, 'member'), (stranger_org, stranger, 'owner');
    if r.name <> 'none' then
      insert into public.platform_role_assignments (user_id, role, source) values (caller, r.name, 'admin');
    end if;
    insert into visibility values
      (r.name, 'self', 'rows:1', pg_temp.probe('vis_' || r.name, format('select id, display_name, avatar_url, email from public.profiles where id = %L', caller))),
      (r.name, 'co-member', 'rows:1', pg_temp.probe('vis_' || r.name, format('select id, display_name, avatar_url, email from public.profiles where id = %L', mate))),
      (r.name, 'stranger',
       case when exists (select 1 from public.role_permissions rp where rp.scope = 'platform' and rp.role = r.name and rp.permission = 'users:admin')
            then 'rows:1' else 'rows:0' end,
       pg_temp.probe('vis_' || r.name, format('select id, display_name, avatar_url, email from public.profiles where id = %L', stranger)));
  end loop;
end;
$$;
select is((select string_agg(format('%s/%s: %s', role, who, got), ', ' order by role, who) from visibility where got <> expected), null,
  'profiles: self and co-members for every platform role, strangers only with users:admin (over public.roles)');
select ok((select count(distinct role) from visibility) >= 4, '... for admin, auditor, reader and none at least');
select is(pg_temp.probe('vis_auditor', 'select id from public.profiles where id = pg_temp.actor_id(''outsider'')'), 'rows:0',
  'a platform auditor does not read a stranger''s profile');
select is(pg_temp.probe('member_a', 'select company_name from public.profiles where id = pg_temp.actor_id(''owner_a'')'), 'error:42501',
  'a co-member''s company is not readable');
select is(pg_temp.call('member_a', $$public.me()$$) -> 'profile' ->> 'plan', 'free', 'your own full profile comes from me()');

update public.profiles set company_name = 'Acme Corp' where id = pg_temp.actor_id('owner_a');
select is(pg_temp.call('platform_admin', $$public.get_profile(pg_temp.actor_id('owner_a'))$$) ->> 'company_name', 'Acme Corp',
  'get_profile: users:admin reads the whole profile');
select is((select array_agg(k order by k) from jsonb_object_keys(pg_temp.call('member_a', $$public.get_profile(pg_temp.actor_id('owner_a'))$$)) k),
  array['avatar_url', 'display_name', 'email', 'id'], 'get_profile: a co-member gets the public columns only');
select is(pg_temp.call('vis_auditor', $$public.get_profile(pg_temp.actor_id('owner_a'))$$) ->> 'sqlstate', 'P0002',
  'get_profile: a stranger (a platform auditor) is told not found ...');
select is(regexp_replace(pg_temp.call('vis_auditor', $$public.get_profile(gen_random_uuid())$$)::text, '[0-9a-f-]{36}', 'ID'),
          regexp_replace(pg_temp.call('vis_auditor', $$public.get_profile(pg_temp.actor_id('owner_a'))$$)::text, '[0-9a-f-]{36}', 'ID'),
  '... exactly as for an id nobody has');
select is(pg_temp.call('member_a', $$public.get_profile(pg_temp.actor_id('member_a'))$$) ->> 'identity_provider', 'supabase',
  'get_profile: your own whole profile');
-- ── item 7: quotas on every path, permission first ────────────────────────────
insert into public.plan_limits (plan, limit_name, max_value) values
  ('tiny', 'members_per_org', 4), ('tiny', 'orgs_per_user', 0), ('tiny', 'tokens_per_user', 1), ('tiny', 'projects_per_org', 1);
update public.organizations set plan = 'tiny' where id = 'a0000000-0000-4000-8000-00000000000a';  -- 1 project, 5 members now
insert into public.organizations (id, slug, name) values ('c0000000-0000-4000-8000-00000000000c', 'initech', 'Initech');
insert into public.memberships (organization_id, user_id, role) values ('c0000000-0000-4000-8000-00000000000c', pg_temp.actor_id('member_a'), 'member');
insert into public.projects (id, organization_id, name) values ('c0000000-0000-4000-8000-0000000000c1', 'c0000000-0000-4000-8000-00000000000c', 'Initech project');
select is(pg_temp.probe('member_a', $$update public.projects set organization_id = 'a0000000-0000-4000-8000-00000000000a' where id = 'c0000000-0000-4000-8000-0000000000c1' returning 1$$),
  'error:PT403', 'projects_per_org: moving a project into a full organization is refused');
select throws_ok($$update public.projects set organization_id = 'a0000000-0000-4000-8000-00000000000a' where id = 'c0000000-0000-4000-8000-0000000000c1'$$,
  'PT403', null, '... on every path, an operator''s update too');
select throws_ok($$update public.memberships set organization_id = 'a0000000-0000-4000-8000-00000000000a' where organization_id = 'c0000000-0000-4000-8000-00000000000c'$$,
  'PT403', null, 'members_per_org: moving a membership into a full organization is refused');
select lives_ok($$update public.projects set name = 'renamed' where id = 'c0000000-0000-4000-8000-0000000000c1'$$, 'an update that moves nothing is not checked');
update public.profiles set plan = 'tiny' where id = pg_temp.actor_id('member_a');
select throws_ok($$update public.organizations set created_by = pg_temp.actor_id('member_a') where id = 'c0000000-0000-4000-8000-00000000000c'$$,
  'PT403', null, 'orgs_per_user: making a user the creator of one more organization is checked');
update public.personal_access_tokens set revoked_at = now() where id = 'a0000000-0000-4000-8000-0000000000f1';
insert into public.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at)
values (pg_temp.actor_id('member_a'), 'second', 'tnt_pat_00000001', '\x03', '{org:read}', now() + interval '1 day');
select throws_ok($$update public.personal_access_tokens set revoked_at = null where id = 'a0000000-0000-4000-8000-0000000000f1'$$,
  'PT403', null, 'tokens_per_user: un-revoking a token is checked');

-- Permission first: a non-member's insert answers with RLS, not the organization's usage.
select is(pg_temp.probe('outsider', $$insert into public.projects (organization_id, name) values ('a0000000-0000-4000-8000-00000000000a', 'foreign') returning 1$$),
  'error:42501', 'a non-member inserting into a full foreign organization gets the RLS error, not its quota');
select is(pg_temp.probe('member_a', $$insert into public.projects (organization_id, name) values ('a0000000-0000-4000-8000-00000000000a', 'mine') returning 1$$),
  'error:PT403', 'a member inserting into their full organization gets the quota error');

-- Item 10 (first half): no session setting skips quotas.
select set_config('tenantry.provisioning', 'on', true);
select is(pg_temp.probe('member_a', $$insert into public.projects (organization_id, name) values ('a0000000-0000-4000-8000-00000000000a', 'flagged') returning 1$$),
  'error:PT403', 'set_config(tenantry.provisioning, on) no longer skips the quota');
select throws_ok($$insert into public.memberships (organization_id, user_id, role) values ('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('outsider'), 'member')$$,
  'PT403', null, '... for memberships either');
select set_config('tenantry.provisioning', 'off', true);

-- Signup still provisions a personal organization with its owner and starter project on a
-- plan that allows none: the one exemption, a personal org created in this transaction.
update public.plan_limits set max_value = 0 where plan = 'free' and limit_name in ('members_per_org', 'projects_per_org');
update private.settings set create_personal_organization = true, starter_project_name = 'Starter';
select pg_temp.actor('signup', pg_temp.new_user('signup@test.local'));
select is((select count(*)::int from public.memberships m join public.organizations o on o.id = m.organization_id
           join public.projects p on p.organization_id = o.id and p.is_starter
           where o.is_personal and m.user_id = pg_temp.actor_id('signup') and m.role = 'owner'), 1,
  'provisioning a personal organization stays exempt without any switch');
insert into public.organizations (id, slug, name, is_personal) values ('e0000000-0000-4000-8000-00000000000e', 'fresh-personal', 'Fresh personal', true);
select lives_ok($$insert into public.projects (organization_id, name) values ('e0000000-0000-4000-8000-00000000000e', 'exempt')$$,
  'a personal organization created in this transaction takes its first project on a plan that allows none');
insert into public.organizations (id, slug, name) values ('f0000000-0000-4000-8000-00000000000f', 'fresh-team', 'Fresh team');
select throws_ok($$insert into public.projects (organization_id, name) values ('f0000000-0000-4000-8000-00000000000f', 'refused')$$,
  'PT403', null, '... a team organization created in this transaction does not');
insert into public.organizations (id, slug, name, is_personal, created_at) values ('d0000000-0000-4000-8000-00000000000d', 'old-personal', 'Old personal', true, now() - interval '1 day');
select throws_ok($$insert into public.projects (organization_id, name) values ('d0000000-0000-4000-8000-00000000000d', 'late')$$,
  'PT403', null, 'a personal organization created before this transaction is not exempt');
select is((select private.written_by_this_transaction(xmin) from public.roles limit 1), false, 'written_by_this_transaction: a migration''s row is not');
savepoint sub;
insert into public.feature_flags (key, description, default_value) values ('sub-flag', 'x', 'false');
select is((select private.written_by_this_transaction(xmin) from public.feature_flags where key = 'sub-flag'), true, '... a row of this transaction''s subtransaction is');
release savepoint sub;

-- ── item 13: invitations outlive no inviter's right ───────────────────────────
update public.organizations set plan = 'free' where id = 'a0000000-0000-4000-8000-00000000000a';
update public.plan_limits set max_value = null where plan = 'free';
create temp table late_invites as
select pg_temp.call('admin_a', $$public.create_invitation('a0000000-0000-4000-8000-00000000000a', 'late-admin@test.local', 'admin')$$) ->> 'token' as as_admin,
       pg_temp.call('admin_a', $$public.create_invitation('a0000000-0000-4000-8000-00000000000a', 'late-member@test.local', 'member')$$) ->> 'token' as as_member;
grant select on late_invites to public;
select pg_temp.actor('late_admin', pg_temp.new_user('late-admin@test.local'));
select pg_temp.actor('late_member', pg_temp.new_user('late-member@test.local'));
update public.profiles set email_verified = true where id in (pg_temp.actor_id('late_admin'), pg_temp.actor_id('late_member'));
select is(pg_temp.call('owner_a', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'), 'member')$$) ->> 'role', 'member',
  'the inviter is demoted to member');
select is(pg_temp.call('late_admin', $$public.accept_invitation((select as_admin from late_invites))$$) -> 'error' ->> 'code', 'forbidden',
  'accept_invitation: an invitation whose inviter was demoted is refused');
select ok((select revoked_at is not null from public.invitations where email = 'late-admin@test.local'), '... and revoked');
select ok(exists (select 1 from public.audit_events where action = 'invitation.revoke' and details ->> 'reason' = 'the inviter may no longer invite with this role'),
  '... audited with the reason');
select is((select count(*)::int from public.memberships where user_id = pg_temp.actor_id('late_admin') and organization_id = 'a0000000-0000-4000-8000-00000000000a'), 0, '... and no membership');
select is(pg_temp.call('owner_a', $$public.remove_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'))$$) ->> 'removed', 'true',
  'the inviter is removed');
select is(pg_temp.call('late_member', $$public.accept_invitation((select as_member from late_invites))$$) -> 'error' ->> 'code', 'forbidden',
  'accept_invitation: an invitation whose inviter was removed is refused');
select is(pg_temp.call('owner_a', $$public.create_invitation('a0000000-0000-4000-8000-00000000000a', 'orphan@test.local', 'member')$$) ->> 'role', 'member',
  'an owner invites');
delete from public.profiles where id = pg_temp.actor_id('owner_a');
select ok((select revoked_at is not null and invited_by is null from public.invitations where email = 'orphan@test.local'),
  'deleting the inviter''s profile revokes their pending invitations');

select * from finish();
rollback;
