-- Organization rules (SPEC F4, F5) through the RPC functions supabase-js calls:
-- validation, conflicts, ranks, last-owner protection, invitations, and the audit
-- record every denied privileged action leaves.
begin;
\ir _helpers.psql
\ir _fixture.psql

select plan(56);

-- ── creating organizations ───────────────────────────────────────────────────
select is(pg_temp.call('member_a', $$public.create_organization('  New Team ', ' New_Team ')$$) ->> 'slug', 'new-team',
  'create_organization normalises the slug');
select is(
  (select role from public.memberships m join public.organizations o on o.id = m.organization_id where o.slug = 'new-team' and m.user_id = pg_temp.actor_id('member_a')),
  'owner', 'the creator becomes owner');
select ok(exists (select 1 from public.audit_events where action = 'organization.create' and actor_id = pg_temp.actor_id('member_a')),
  'creating an organization is audited with its actor');
select is(pg_temp.call('member_a', $$public.create_organization('Bad', '!!!')$$) ->> 'sqlstate', '22023', 'an invalid slug is rejected (22023)');
select matches(pg_temp.call('member_a', $$public.create_organization('Bad', '!!!')$$) ->> 'message', 'slug "!!!"', 'the error names the slug');
select is(pg_temp.call('member_a', $$public.create_organization('Other', 'acme')$$) ->> 'sqlstate', '23505', 'a taken slug is a conflict (23505)');
select matches(pg_temp.call('member_a', $$public.create_organization('Other', 'acme')$$) ->> 'message', 'slug "acme" already exists', 'the conflict names the slug');
select matches(pg_temp.call('member_a', $$public.create_organization('ACME', 'acme-2')$$) ->> 'message', 'named "ACME" already exists', 'names are unique case-insensitively, with a clear error');
select is(pg_temp.call('member_a', $$public.create_organization('', null)$$) ->> 'sqlstate', '22023', 'an empty name is rejected');
select is(pg_temp.call('anon', $$public.create_organization('Anon org')$$) ->> 'sqlstate', '42501', 'anon cannot create organizations');

-- ── updating and deleting ────────────────────────────────────────────────────
select is(pg_temp.call('admin_a', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', description => 'Rockets')$$) ->> 'description', 'Rockets',
  'an org admin updates the organization');
select is(pg_temp.call('member_a', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', name => 'Hijacked')$$) -> 'error' ->> 'code', 'forbidden',
  'a member cannot update the organization');
select ok(exists (select 1 from public.audit_events where action = 'organization.update' and outcome = 'denied' and actor_id = pg_temp.actor_id('member_a')),
  'the denied update is audited');
select is(pg_temp.call('outsider', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', name => 'Hijacked')$$) -> 'error' ->> 'code', 'forbidden',
  'another tenant cannot update the organization');
select is((select name from public.organizations where id = 'a0000000-0000-4000-8000-00000000000a'), 'Acme', 'denied updates changed nothing');
select is(pg_temp.call('admin_a', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', slug => 'globex')$$) ->> 'sqlstate', '23505',
  'renaming onto a taken slug is a conflict');
select is(pg_temp.call('admin_a', $$public.delete_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'error' ->> 'code', 'forbidden',
  'an admin (no org:delete) cannot delete the organization');
select is(pg_temp.call('outsider', $$public.delete_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'error' ->> 'code', 'forbidden',
  'another tenant cannot delete the organization');
select is(pg_temp.call('service_role', $$public.ensure_default_organization('Everyone', 'everyone')$$) ->> 'slug', 'everyone',
  'ensure_default_organization creates the default organization');
select is(pg_temp.call('platform_admin', $$public.delete_organization((select id from public.organizations where is_default))$$) -> 'error' ->> 'message',
  'the default organization cannot be deleted', 'the default organization cannot be deleted, even by a platform admin');
select is(pg_temp.call('outsider', $$public.delete_organization('b0000000-0000-4000-8000-00000000000b')$$) ->> 'deleted', 'true', 'an owner deletes their organization');
select is((select count(*)::int from public.projects where organization_id = 'b0000000-0000-4000-8000-00000000000b'), 0, 'its data goes with it');

-- ── members ──────────────────────────────────────────────────────────────────
select is(pg_temp.call('admin_a', $$public.add_member('a0000000-0000-4000-8000-00000000000a', email => 'OUTSIDER@test.local')$$) ->> 'email', 'outsider@test.local',
  'an org admin adding by email (case-insensitive) invites the address instead, as member by default');
select is(pg_temp.call('platform_admin', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('outsider'))$$) ->> 'role', 'member',
  'users:admin adds a user directly by id');
select is(pg_temp.call('platform_admin', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('outsider'))$$) ->> 'sqlstate', '23505',
  'adding an existing member is a conflict');
select is(pg_temp.call('platform_admin', $$public.add_member('a0000000-0000-4000-8000-00000000000a', email => 'nobody@test.local')$$) ->> 'sqlstate', 'P0002',
  'users:admin adding an unknown email is told there is no such (verified) user');
select is(pg_temp.call('admin_a', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('invitee'), role => 'owner')$$) -> 'error' ->> 'code', 'forbidden',
  'an admin cannot grant owner, which ranks above admin');
select is(pg_temp.call('admin_a', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('invitee'), role => 'god')$$) ->> 'sqlstate', '22023',
  'an unknown role is rejected');
select is(pg_temp.call('member_a', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('invitee'))$$) -> 'error' ->> 'code', 'forbidden',
  'a member cannot add members');
select is(pg_temp.call('member_a', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('member_a'), 'owner')$$) -> 'error' ->> 'code', 'forbidden',
  'member cannot promote self to owner');
select is(pg_temp.call('admin_a', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'), 'owner')$$) -> 'error' ->> 'message',
  'you may not change your own role', 'admin cannot change their own role');
select is(pg_temp.call('admin_a', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('member_a'), 'owner')$$) -> 'error' ->> 'code', 'forbidden',
  'admin cannot grant owner');
select is(pg_temp.call('admin_a', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('owner_a'), 'viewer')$$) -> 'error' ->> 'code', 'forbidden',
  'admin cannot demote the owner who outranks them');
select is(pg_temp.call('admin_a', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('member_a'), 'viewer')$$) ->> 'role', 'viewer',
  'admin changes a member to viewer');
select is(pg_temp.call('admin_a', $$public.remove_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('owner_a'))$$) -> 'error' ->> 'code', 'forbidden',
  'admin cannot remove the owner');
select is(pg_temp.call('owner_a', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$) ->> 'message',
  'the last owner cannot leave or be removed; transfer ownership first', 'the last owner cannot leave (a conflict, 55000)');
select is(pg_temp.call('platform_admin', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('owner_a'), 'admin')$$) ->> 'sqlstate', '55000',
  'the last owner cannot be demoted, even by a platform admin (a conflict)');
select is(pg_temp.call('platform_admin', $$public.remove_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('owner_a'))$$) ->> 'sqlstate', '55000',
  'nor removed');
select is(pg_temp.call('viewer_a', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$) ->> 'removed', 'true', 'a viewer leaves');
select is(pg_temp.call('admin_a', $$public.transfer_ownership('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'))$$) -> 'error' ->> 'code', 'forbidden',
  'only an owner transfers ownership');
select is(pg_temp.call('owner_a', $$public.transfer_ownership('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'))$$) ->> 'owner_id', pg_temp.actor_id('admin_a')::text,
  'an owner transfers ownership to a member');
select is(
  (select array_agg(role order by role) from public.memberships where organization_id = 'a0000000-0000-4000-8000-00000000000a' and user_id in (pg_temp.actor_id('owner_a'), pg_temp.actor_id('admin_a'))),
  array['admin', 'owner'], 'the new owner is owner and the previous owner is admin');
select is(pg_temp.call('owner_a', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$) ->> 'removed', 'true', 'the former owner can now leave');

-- ── invitations ──────────────────────────────────────────────────────────────
create temp table invite as
select pg_temp.call('admin_a', $$public.create_invitation('a0000000-0000-4000-8000-00000000000a', 'New.Person@Test.local', 'member')$$) as result;
select ok((select result ? 'token' and not result ? 'token_hash' from invite), 'create_invitation returns the token once and never the hash');
select ok(not exists (select 1 from public.invitations where token_hash = convert_to((select result ->> 'token' from invite), 'UTF8')),
  'the token itself is not stored');
select is(pg_temp.call('admin_a', $$public.create_invitation('a0000000-0000-4000-8000-00000000000a', 'new.person@test.local', 'member')$$) ->> 'sqlstate', '23505',
  'a second pending invitation for the same email is a conflict');
select is(pg_temp.call('viewer_a', $$public.create_invitation('a0000000-0000-4000-8000-00000000000a', 'x@test.local', 'member')$$) -> 'error' ->> 'code', 'forbidden',
  'a viewer cannot invite');
select is(pg_temp.call('member_a', format($$public.accept_invitation(%L)$$, (select result ->> 'token' from invite))) -> 'error' ->> 'message',
  'this invitation was sent to another (verified) email address', 'an invitation cannot be accepted with another email');
select pg_temp.actor('new_person', pg_temp.new_user('new.person@test.local'));
update public.profiles set email_verified = true where id = pg_temp.actor_id('new_person');
select is(pg_temp.call('new_person', format($$public.accept_invitation(%L)$$, (select result ->> 'token' from invite))) ->> 'role', 'member',
  'the invitee accepts and joins with the invited role');
select is(pg_temp.call('new_person', format($$public.accept_invitation(%L)$$, (select result ->> 'token' from invite))) -> 'error' ->> 'code', 'forbidden',
  'an invitation cannot be accepted twice');
update public.invitations set expires_at = now() - interval '1 second' where id = 'a0000000-0000-4000-8000-0000000000e1';
select is(pg_temp.call('invitee', $$public.accept_invitation('invite-a')$$) -> 'error' ->> 'message',
  'this invitation is invalid, expired or already used', 'an expired invitation cannot be accepted');

-- ── platform roles and has_permission ────────────────────────────────────────
select is(pg_temp.call('member_a', $$public.grant_platform_role(pg_temp.actor_id('member_a'), 'admin')$$) -> 'error' ->> 'code', 'forbidden',
  'a user cannot grant themselves a platform role');
select is(pg_temp.call('platform_admin', $$public.grant_platform_role(pg_temp.actor_id('platform_admin'), 'auditor')$$) -> 'error' ->> 'message',
  'you may not grant yourself platform roles', 'a platform admin cannot grant themselves a platform role either (nobody changes their own role)');
select is(pg_temp.call('platform_admin', $$public.grant_platform_role(pg_temp.actor_id('member_a'), 'reader')$$) ->> 'source', 'admin',
  'users:admin grants a platform role, recorded as an admin grant');
select is(pg_temp.call('viewer_a', $$to_jsonb(public.has_permission('data:write', 'a0000000-0000-4000-8000-00000000000a'))$$), 'false'::jsonb,
  'has_permission: a former viewer has no data:write');
select is(pg_temp.call('new_person', $$to_jsonb(public.has_permission('data:write', 'a0000000-0000-4000-8000-00000000000a'))$$), 'true'::jsonb,
  'has_permission: a member has data:write in their organization');

select * from finish();
rollback;
