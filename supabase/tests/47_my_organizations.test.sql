-- Creating and leaving organizations as the caller (issue 11, SPEC F4): errors name
-- their field (a taken slug or name, an invalid slug or name: the error's column, which
-- the HTTP API answers as `field`), and the last owner leaving is a conflict (55000,
-- HTTP 409), not a permission refusal.
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
\set QUIET off

select plan(12);

-- ── create: errors name the field ────────────────────────────────────────────
select is(pg_temp.failure('member_a', $$public.create_organization('Another Acme', 'acme')$$) - 'message',
  '{"sqlstate": "23505", "field": "slug"}', 'a taken slug is a conflict naming slug');
select is(pg_temp.failure('member_a', $$public.create_organization('ACME', 'acme-two')$$),
  '{"sqlstate": "23505", "field": "name", "message": "an organization named \"ACME\" already exists"}',
  'a taken name (case-insensitively) is a conflict naming name, with the message it had');
select is(pg_temp.failure('member_a', $$public.create_organization('Fine', '--')$$) - 'message',
  '{"sqlstate": "22023", "field": "slug"}', 'an invalid slug is 22023 naming slug');
select is(pg_temp.failure('member_a', $$public.create_organization('   ')$$) - 'message',
  '{"sqlstate": "22023", "field": "name"}', 'an empty name is 22023 naming name');
select is(pg_temp.failure('admin_a', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', slug => 'globex')$$) ->> 'field',
  'slug', 'renaming onto a taken slug names slug too');

-- ── leave ────────────────────────────────────────────────────────────────────
select is(pg_temp.failure('owner_a', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$) - 'field',
  '{"sqlstate": "55000", "message": "the last owner cannot leave or be removed; transfer ownership first"}',
  'the last owner leaving is a conflict (55000) that says what to do');
select is((select role from public.memberships where organization_id = 'a0000000-0000-4000-8000-00000000000a' and user_id = pg_temp.actor_id('owner_a')),
  'owner', 'and the owner stays');
select is(pg_temp.failure('outsider', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$) ->> 'sqlstate', 'P0002',
  'leaving an organization you are not a member of is not found');
select is(pg_temp.call_with(pg_temp.token_claims('member_a', 'a0000000-0000-4000-8000-0000000000f1', '{org:read}'), $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$) -> 'error' ->> 'message',
  'this personal access token lacks the orgs:join scope', 'a personal access token without orgs:join cannot leave');
select is(pg_temp.call('member_a', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$),
  jsonb_build_object('removed', true, 'organization_id', 'a0000000-0000-4000-8000-00000000000a', 'user_id', pg_temp.actor_id('member_a')),
  'a member leaves');
select ok(exists (select 1 from public.audit_events where action = 'membership.leave' and outcome = 'success' and actor_id = pg_temp.actor_id('member_a')
                  and organization_id = 'a0000000-0000-4000-8000-00000000000a'), 'leaving is audited');
\set QUIET on
insert into public.memberships (organization_id, user_id, role) values ('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('outsider'), 'owner');
\set QUIET off
select is(pg_temp.call('owner_a', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$) ->> 'removed', 'true',
  'an owner who is not the last one leaves');

select * from finish();
rollback;
