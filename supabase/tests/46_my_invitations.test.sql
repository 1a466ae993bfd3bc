-- public.list_my_invitations (issue 11, SPEC F4): the invitations a user can accept,
-- matched to their verified email only, with organization, role, inviter and expiry and
-- never a token or its hash; a token needs orgs:join.
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
insert into public.personal_access_tokens (id, user_id, name, prefix, token_hash, scopes, expires_at) values
  ('c0000000-0000-4000-8000-0000000000f3', pg_temp.actor_id('invitee'), 'invitee token', 'tnt_pat_00000000', '\x03', '{org:read}', now() + interval '1 day');
-- Besides the fixture's invitation to Acme (no inviter): one from Globex's owner, and ones
-- that cannot be accepted: expired, revoked, accepted, for another address.
insert into public.organizations (id, slug, name) values
  ('c0000000-0000-4000-8000-00000000000c', 'initech', 'Initech'),
  ('d0000000-0000-4000-8000-00000000000d', 'umbrella', 'Umbrella');
insert into public.memberships (organization_id, user_id, role) values
  ('c0000000-0000-4000-8000-00000000000c', pg_temp.actor_id('outsider'), 'owner'),
  ('d0000000-0000-4000-8000-00000000000d', pg_temp.actor_id('admin_a'), 'admin');
insert into public.invitations (id, organization_id, email, role, token_hash, invited_by, expires_at, revoked_at, accepted_at) values
  ('b0000000-0000-4000-8000-0000000000e3', 'b0000000-0000-4000-8000-00000000000b', 'invitee@test.local', 'admin',
   extensions.digest('invite-globex', 'sha256'), pg_temp.actor_id('outsider'), now() + interval '2 days', null, null),
  ('c0000000-0000-4000-8000-0000000000e4', 'c0000000-0000-4000-8000-00000000000c', 'invitee@test.local', 'member',
   extensions.digest('invite-expired', 'sha256'), pg_temp.actor_id('outsider'), now() - interval '1 minute', null, null),
  ('c0000000-0000-4000-8000-0000000000e5', 'c0000000-0000-4000-8000-00000000000c', 'invitee@test.local', 'member',
   extensions.digest('invite-revoked', 'sha256'), pg_temp.actor_id('outsider'), now() + interval '1 day', now(), null),
  ('c0000000-0000-4000-8000-0000000000e6', 'c0000000-0000-4000-8000-00000000000c', 'invitee@test.local', 'member',
   extensions.digest('invite-accepted', 'sha256'), pg_temp.actor_id('outsider'), now() + interval '1 day', null, now()),
  ('c0000000-0000-4000-8000-0000000000e7', 'c0000000-0000-4000-8000-00000000000c', 'member-a@test.local', 'member',
   extensions.digest('invite-member', 'sha256'), pg_temp.actor_id('outsider'), now() + interval '1 day', null, null),
  -- admin_a may invite to Umbrella as member, and no longer as owner (a rank above theirs).
  ('d0000000-0000-4000-8000-0000000000e8', 'd0000000-0000-4000-8000-00000000000d', 'invitee@test.local', 'owner',
   extensions.digest('invite-overreach', 'sha256'), pg_temp.actor_id('admin_a'), now() + interval '1 day', null, null);
update public.invitations set created_at = now() - interval '1 hour' where id = 'a0000000-0000-4000-8000-0000000000e1';
create temp table listed as select pg_temp.call('invitee', 'public.list_my_invitations()') as result;
grant select on listed to public;
\set QUIET off

select plan(14);

select is((select result ->> 'email' from listed), 'invitee@test.local', 'the answer names the verified email it matched');
select is((select array_agg(i ->> 'id' order by i ->> 'id') from listed, jsonb_array_elements(result -> 'invitations') i),
  array['a0000000-0000-4000-8000-0000000000e1', 'b0000000-0000-4000-8000-0000000000e3'],
  'only pending invitations for the caller''s email: not expired, revoked, accepted, another address''s, or one its inviter may no longer give');
select is((select i -> 'organization' from listed, jsonb_array_elements(result -> 'invitations') i where i ->> 'id' = 'b0000000-0000-4000-8000-0000000000e3'),
  '{"id": "b0000000-0000-4000-8000-00000000000b", "slug": "globex", "name": "Globex"}', 'each names its organization (id, slug, name)');
select is((select i ->> 'role' from listed, jsonb_array_elements(result -> 'invitations') i where i ->> 'id' = 'b0000000-0000-4000-8000-0000000000e3'),
  'admin', 'and the role it gives');
select is((select i -> 'invited_by' ->> 'email' from listed, jsonb_array_elements(result -> 'invitations') i where i ->> 'id' = 'b0000000-0000-4000-8000-0000000000e3'),
  'outsider@test.local', 'and its inviter');
select is((select i -> 'invited_by' from listed, jsonb_array_elements(result -> 'invitations') i where i ->> 'id' = 'a0000000-0000-4000-8000-0000000000e1'),
  'null', 'an invitation an operator created has no inviter');
select ok((select (i ->> 'expires_at')::timestamptz > now() from listed, jsonb_array_elements(result -> 'invitations') i where i ->> 'id' = 'b0000000-0000-4000-8000-0000000000e3'),
  'and its expiry');
select is((select i ->> 'id' from listed, jsonb_array_elements(result -> 'invitations') i limit 1), 'b0000000-0000-4000-8000-0000000000e3', 'newest first');
select ok((select jsonb_array_length(result -> 'invitations') > 0 and result::text !~ '(token|hash)'
                   and result::text !~* encode(extensions.digest('invite-globex', 'sha256'), 'hex') from listed),
  'no token and no hash in the answer');

update public.profiles set email_verified = false where id = pg_temp.actor_id('invitee');
select is(pg_temp.call('invitee', 'public.list_my_invitations()'), '{"email": null, "invitations": []}',
  'an unverified email matches nothing');
update public.profiles set email_verified = true where id = pg_temp.actor_id('invitee');

select is(pg_temp.call_with(pg_temp.token_claims('invitee', 'c0000000-0000-4000-8000-0000000000f3', '{org:read}'), 'public.list_my_invitations()') -> 'error' ->> 'message',
  'this personal access token lacks the orgs:join scope', 'a personal access token without orgs:join is refused');
select ok(exists (select 1 from public.audit_events where action = 'invitation.list_mine' and outcome = 'denied' and actor_type = 'token'
                  and actor_id = pg_temp.actor_id('invitee')), 'the refusal is audited');
select is(jsonb_array_length(pg_temp.call_with(pg_temp.token_claims('invitee', 'c0000000-0000-4000-8000-0000000000f3', '{orgs:join}'), 'public.list_my_invitations()') -> 'invitations'), 2,
  'a personal access token with orgs:join lists them');
\set QUIET on
create temp table before_listing as select coalesce(max(id), 0) as id from public.audit_events;
create temp table relisted as select pg_temp.call('invitee', 'public.list_my_invitations()') as result;
\set QUIET off
select is((select jsonb_typeof(result -> 'invitations') from relisted) || '; new audit events: '
          || (select count(*) from public.audit_events e where e.id > (select id from before_listing)),
  'array; new audit events: 0', 'listing is not an audited change');

select * from finish();
rollback;
