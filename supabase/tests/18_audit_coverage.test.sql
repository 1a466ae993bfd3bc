-- Every mutating RPC writes exactly one audit event, with the right action, actor and
-- target (SPEC F13). The last test compares this table with the schema: a new
-- volatile public function without a row here fails it.
begin;
\ir _helpers.psql
\ir _fixture.psql

create temp table coverage (position serial, signature text, actor text, call text, action text, events integer, target text);
insert into coverage (signature, actor, call, action, events, target) values
  ('public.create_organization(text,text,text)', 'member_a', $$public.create_organization('Covered', 'covered')$$, 'organization.create', 1, $$$1 ->> 'id'$$),
  ('public.update_organization(uuid,text,text,text)', 'member_a', $$public.update_organization((select id from public.organizations where slug = 'covered'), description => 'x')$$, 'organization.update', 1, $$$1 ->> 'id'$$),
  ('public.add_member(uuid,uuid,text,text)', 'platform_admin', $$public.add_member((select id from public.organizations where slug = 'covered'), pg_temp.actor_id('viewer_a'))$$, 'membership.add', 1, $$$1 ->> 'user_id'$$),
  ('public.change_member_role(uuid,uuid,text)', 'member_a', $$public.change_member_role((select id from public.organizations where slug = 'covered'), pg_temp.actor_id('viewer_a'), 'admin')$$, 'membership.change_role', 1, $$$1 ->> 'user_id'$$),
  ('public.create_invitation(uuid,text,text)', 'member_a', $$public.create_invitation((select id from public.organizations where slug = 'covered'), 'invitee@test.local')$$, 'invitation.create', 1, $$$1 ->> 'id'$$),
  ('public.accept_invitation(text)', 'invitee', $$public.accept_invitation((select token from cov_tokens))$$, 'invitation.accept', 1, $$(select id::text from public.invitations where email = 'invitee@test.local' and accepted_at is not null)$$),
  ('public.revoke_invitation(uuid,uuid)', 'owner_a', $$public.revoke_invitation('a0000000-0000-4000-8000-0000000000e1')$$, 'invitation.revoke', 1, $$$1 ->> 'id'$$),
  ('public.remove_member(uuid,uuid)', 'member_a', $$public.remove_member((select id from public.organizations where slug = 'covered'), pg_temp.actor_id('invitee'))$$, 'membership.remove', 1, $$$1 ->> 'user_id'$$),
  ('public.transfer_ownership(uuid,uuid)', 'member_a', $$public.transfer_ownership((select id from public.organizations where slug = 'covered'), pg_temp.actor_id('viewer_a'))$$, 'organization.transfer_ownership', 1, $$$1 ->> 'owner_id'$$),
  ('public.leave_organization(uuid)', 'member_a', $$public.leave_organization((select id from public.organizations where slug = 'covered'))$$, 'membership.leave', 1, $$$1 ->> 'user_id'$$),
  ('public.delete_organization(uuid)', 'outsider', $$public.delete_organization('b0000000-0000-4000-8000-00000000000b')$$, 'organization.delete', 1, $$$1 ->> 'id'$$),
  ('public.grant_platform_role(uuid,text)', 'platform_admin', $$public.grant_platform_role(pg_temp.actor_id('member_a'), 'reader')$$, 'platform_role.grant', 1, $$$1 ->> 'user_id'$$),
  ('public.revoke_platform_role(uuid,text)', 'platform_admin', $$public.revoke_platform_role(pg_temp.actor_id('member_a'), 'reader')$$, 'platform_role.revoke', 1, $$$1 ->> 'user_id'$$),
  ('public.set_role_overrides(uuid,boolean,text[],text[])', 'platform_admin', $$public.set_role_overrides(pg_temp.actor_id('member_a'), true)$$, 'role_overrides.set', 1, $$$1 ->> 'user_id'$$),
  ('public.get_role_overrides(uuid)', 'platform_admin', $$public.get_role_overrides(pg_temp.actor_id('member_a'))$$, null, 0, null),
  ('public.clear_role_overrides(uuid)', 'platform_admin', $$public.clear_role_overrides(pg_temp.actor_id('member_a'))$$, 'role_overrides.clear', 1, $$$1 ->> 'user_id'$$),
  ('public.protect_table(regclass,text,text,text,text)', 'platform_admin', $$public.protect_table('public.covered_table')$$, 'rls.protect_table', 1, $$$1 ->> 'table'$$),
  ('public.ensure_default_organization(text,text)', 'platform_admin', $$public.ensure_default_organization('Everyone', 'everyone')$$, 'organization.ensure_default', 1, $$$1 ->> 'id'$$),
  ('public.ensure_default_organization_membership()', 'platform_admin', $$to_jsonb(public.ensure_default_organization_membership())$$, 'organization.backfill_default', 1, $$(select id::text from public.organizations where is_default)$$),
  ('public.list_provisioning_failures()', 'platform_admin', $$public.list_provisioning_failures()$$, null, 0, null),
  ('public.rls_report()', 'platform_admin', $$public.rls_report()$$, null, 0, null),
  ('public.database_status()', 'platform_admin', $$public.database_status()$$, null, 0, null),
  ('public.metrics()', 'platform_admin', $$public.metrics()$$, null, 0, null),
  ('public.ensure_provisioned()', 'invitee', $$public.ensure_provisioned()$$, 'user.provision', 1, $$$1 -> 'profile' ->> 'id'$$),
  ('public.create_personal_access_token(text,text[],integer)', 'member_a', $$public.create_personal_access_token('cov', '{org:read}', 7)$$, 'token.create', 1, $$$1 ->> 'id'$$),
  ('public.set_flag_default(text,jsonb,text)', 'platform_admin', $$public.set_flag_default('covered-flag', 'false')$$, 'flag.set', 1, $$$1 ->> 'key'$$),
  ('public.set_plan_flag(text,text,jsonb)', 'platform_admin', $$public.set_plan_flag('free', 'covered-flag', 'true')$$, 'flag.set', 1, $$$1 ->> 'key'$$),
  ('public.set_organization_flag(uuid,text,jsonb)', 'platform_admin', $$public.set_organization_flag('a0000000-0000-4000-8000-00000000000a', 'covered-flag', 'true')$$, 'flag.set', 1, $$$1 ->> 'key'$$),
  ('public.set_user_flag(uuid,text,jsonb)', 'platform_admin', $$public.set_user_flag(pg_temp.actor_id('member_a'), 'covered-flag', 'true')$$, 'flag.set', 1, $$$1 ->> 'key'$$),
  ('public.admin_list_users(text,text,uuid,text,text,timestamp with time zone,uuid,integer)', 'platform_admin', $$public.admin_list_users()$$, null, 0, null),
  ('public.admin_get_user(uuid)', 'platform_admin', $$public.admin_get_user(pg_temp.actor_id('member_a'))$$, null, 0, null),
  ('public.admin_update_user(uuid,jsonb)', 'platform_admin', $$public.admin_update_user(pg_temp.actor_id('member_a'), '{"display_name": "Covered"}')$$, 'user.update', 1, $$$1 ->> 'id'$$),
  ('public.begin_user_creation(text,uuid,text)', 'platform_admin', $$public.begin_user_creation('covered-new@test.local')$$, 'user.create', 1, $$$1 ->> 'email'$$),
  ('public.set_user_disabled(uuid,boolean)', 'platform_admin', $$public.set_user_disabled(pg_temp.actor_id('outsider'), true)$$, 'user.disable', 1, $$$1 ->> 'id'$$),
  ('public.delete_user(uuid)', 'platform_admin', $$public.delete_user(pg_temp.actor_id('auditor'))$$, 'user.delete_requested', 1, $$$1 ->> 'id'$$),
  ('public.admin_list_organizations(text,timestamp with time zone,uuid,integer)', 'platform_admin', $$public.admin_list_organizations()$$, null, 0, null),
  ('public.admin_get_organization(uuid)', 'platform_admin', $$public.admin_get_organization('a0000000-0000-4000-8000-00000000000a')$$, null, 0, null),
  ('public.list_invitations(uuid)', 'platform_admin', $$public.list_invitations('a0000000-0000-4000-8000-00000000000a')$$, null, 0, null),
  ('public.update_my_profile(jsonb)', 'member_a', $$public.update_my_profile('{"display_name": "Covered", "timezone": "Europe/Paris"}')$$, 'user.update_self', 1, $$$1 ->> 'id'$$),
  ('public.list_my_invitations()', 'invitee', $$public.list_my_invitations()$$, null, 0, null),
  ('public.revoke_personal_access_token(uuid)', 'member_a', $$public.revoke_personal_access_token((select id from public.personal_access_tokens where name = 'cov'))$$, 'token.revoke', 1, $$$1 ->> 'id'$$);

create table public.covered_table (id uuid primary key, organization_id uuid not null);
create temp table cov_tokens (token text);
grant select on cov_tokens to public;

-- Runs one call as its actor and describes the audit events it wrote.
create function pg_temp.audited(c coverage)
returns text
language plpgsql
as $$
declare
  before_id bigint;
  r jsonb;
  expected_target text;
  described text;
begin
  if c.signature like 'public.ensure_provisioned%' then
    delete from public.profiles where id = pg_temp.actor_id(c.actor);  -- a legacy user with rows missing
  end if;
  before_id := (select coalesce(max(id), 0) from public.audit_events);
  r := pg_temp.call(c.actor, c.call);
  if r ? 'sqlstate' or r ? 'error' then
    return 'call failed: ' || r::text;
  end if;
  if c.signature like 'public.create_invitation%' then
    insert into cov_tokens values (r ->> 'token');
  end if;
  execute format('select (%s)::text', coalesce(c.target, 'null')) using r into expected_target;
  select format('events=%s action=%s actor=%s target=%s', count(*),
                coalesce(string_agg(distinct e.action, ','), '-'),
                coalesce(bool_and(e.actor_id is not distinct from pg_temp.actor_id(c.actor))::text, '-'),
                coalesce(bool_and(e.target_id = expected_target)::text, '-'))
  into described
  from public.audit_events e where e.id > before_id;
  return described;
end;
$$;

select plan((select count(*)::int from coverage) + 1);

select is(pg_temp.audited(c),
          case when c.events = 0 then 'events=0 action=- actor=- target=-'
               else format('events=%s action=%s actor=true target=true', c.events, c.action) end,
          format('%s writes %s audit event(s)', c.signature, c.events))
from coverage c
order by c.position;

select set_has(
  $$ select regexp_replace(replace(signature, 'public.', ''), '\(.*\)', '') from coverage $$,
  $$ select c.rpc from private.rpc_contracts c where c.mutating $$,
  'every RPC whose contract says it changes data is covered by this table');

select * from finish();
rollback;
