-- Every public RPC refuses every caller who is nobody (issue 10, items 2, 6, 20;
-- SPEC principle 8): anon, a JWT that outlived its user, a disabled user, a token of an
-- unregistered or disabled issuer carrying a real user's id, a third-party user before
-- provisioning, and a personal access token without the RPC's scope. Table-driven over
-- private.rpc_contracts, which must name every public function: a new RPC cannot
-- escape this file. For each refusal: the 403 body, nothing changed, and one denial
-- event recording the identity the caller claimed.
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
update private.settings set audit_denials_per_minute = 10000;
insert into private.identity_providers (issuer, name, kind, jwks_url) values
  ('https://clerk.gate.test', 'Clerk', 'clerk', 'https://clerk.gate.test/.well-known/jwks.json'),
  ('https://off.gate.test', 'Switched off', 'clerk', 'https://off.gate.test/.well-known/jwks.json');
update private.identity_providers set enabled = false where issuer = 'https://off.gate.test';
select pg_temp.actor('disabled_user', pg_temp.new_user('disabled@test.local'));
update public.profiles set disabled_at = now() where id = pg_temp.actor_id('disabled_user');
create table public.gate_table (id uuid primary key, organization_id uuid not null);

-- One call per RPC, with arguments that a permitted caller could use.
create temp table calls (rpc text primary key, call text not null);
grant select on calls to public;
insert into calls values
  ('accept_invitation', $$public.accept_invitation('invite-a')$$),
  ('admin_get_organization', $$public.admin_get_organization('a0000000-0000-4000-8000-00000000000a')$$),
  ('admin_get_user', $$public.admin_get_user(pg_temp.actor_id('member_a'))$$),
  ('admin_list_organizations', $$public.admin_list_organizations()$$),
  ('admin_list_users', $$public.admin_list_users()$$),
  ('admin_update_user', $$public.admin_update_user(pg_temp.actor_id('member_a'), '{"display_name": "Gated"}')$$),
  ('begin_user_creation', $$public.begin_user_creation('gate-new@test.local')$$),
  ('delete_user', $$public.delete_user(pg_temp.actor_id('viewer_a'))$$),
  ('list_invitations', $$public.list_invitations('a0000000-0000-4000-8000-00000000000a')$$),
  ('set_user_disabled', $$public.set_user_disabled(pg_temp.actor_id('member_a'), true)$$),
  ('add_member', $$public.add_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('outsider'))$$),
  ('change_member_role', $$public.change_member_role('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('member_a'), 'admin')$$),
  ('clear_role_overrides', $$public.clear_role_overrides(pg_temp.actor_id('auditor'))$$),
  ('create_invitation', $$public.create_invitation('a0000000-0000-4000-8000-00000000000a', 'new@test.local')$$),
  ('create_organization', $$public.create_organization('Gate', 'gate')$$),
  ('create_personal_access_token', $$public.create_personal_access_token('gate', '{org:read}', 7)$$),
  ('database_status', $$public.database_status()$$),
  ('delete_organization', $$public.delete_organization('b0000000-0000-4000-8000-00000000000b')$$),
  ('ensure_default_organization', $$public.ensure_default_organization('Everyone', 'everyone')$$),
  ('ensure_default_organization_membership', $$public.ensure_default_organization_membership()$$),
  ('ensure_provisioned', $$public.ensure_provisioned()$$),
  ('get_profile', $$public.get_profile(pg_temp.actor_id('member_a'))$$),
  ('get_role_overrides', $$public.get_role_overrides(pg_temp.actor_id('auditor'))$$),
  ('grant_platform_role', $$public.grant_platform_role(pg_temp.actor_id('member_a'), 'admin')$$),
  ('leave_organization', $$public.leave_organization('a0000000-0000-4000-8000-00000000000a')$$),
  ('list_audit_events', $$public.list_audit_events()$$),
  ('list_provisioning_failures', $$public.list_provisioning_failures()$$),
  ('list_personal_access_tokens', $$public.list_personal_access_tokens()$$),
  ('list_my_invitations', $$public.list_my_invitations()$$),
  ('me', $$public.me()$$),
  ('metrics', $$public.metrics()$$),
  ('protect_table', $$public.protect_table('public.gate_table')$$),
  ('quota_usage', $$public.quota_usage()$$),
  ('remove_member', $$public.remove_member('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('member_a'))$$),
  ('resolve_flags', $$public.resolve_flags()$$),
  ('revoke_invitation', $$public.revoke_invitation('a0000000-0000-4000-8000-0000000000e1')$$),
  ('revoke_personal_access_token', $$public.revoke_personal_access_token('a0000000-0000-4000-8000-0000000000f1')$$),
  ('revoke_platform_role', $$public.revoke_platform_role(pg_temp.actor_id('auditor'), 'auditor')$$),
  ('rls_report', $$public.rls_report()$$),
  ('set_flag_default', $$public.set_flag_default('fixture-flag', 'true')$$),
  ('set_organization_flag', $$public.set_organization_flag('a0000000-0000-4000-8000-00000000000a', 'fixture-flag', 'false')$$),
  ('set_plan_flag', $$public.set_plan_flag('free', 'fixture-flag', 'false')$$),
  ('set_role_overrides', $$public.set_role_overrides(pg_temp.actor_id('member_a'), true)$$),
  ('set_user_flag', $$public.set_user_flag(pg_temp.actor_id('member_a'), 'fixture-flag', 'true')$$),
  ('transfer_ownership', $$public.transfer_ownership('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'))$$),
  ('update_my_profile', $$public.update_my_profile('{"display_name": "Gated"}')$$),
  ('update_organization', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', name => 'Gated')$$),
  ('verify_audit_chain', $$public.verify_audit_chain()$$);

-- The caller states, as the claims PostgREST or an edge function would set.
create temp table states (name text primary key, role text not null, claims jsonb not null, applies text not null);
grant select on states to public;
insert into states values
  ('anon', 'anon', '{"role": "anon"}', 'all'),
  ('a JWT that outlived its deleted user', 'authenticated',
   jsonb_build_object('sub', gen_random_uuid(), 'role', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1'), 'all'),
  ('a disabled user', 'authenticated',
   jsonb_build_object('sub', pg_temp.actor_id('disabled_user'), 'role', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1'), 'all'),
  ('an unregistered issuer claiming a real user''s id', 'authenticated',
   jsonb_build_object('sub', pg_temp.actor_id('owner_a'), 'role', 'authenticated', 'iss', 'https://evil.gate.test'), 'all'),
  ('a disabled issuer', 'authenticated',
   jsonb_build_object('sub', 'user_off', 'role', 'authenticated', 'iss', 'https://off.gate.test'), 'all'),
  ('a third-party user before provisioning', 'authenticated',
   jsonb_build_object('sub', 'user_new', 'role', 'authenticated', 'iss', 'https://clerk.gate.test'), 'profile'),
  ('a personal access token without the scope', 'authenticated',
   jsonb_build_object('sub', pg_temp.actor_id('member_a'), 'role', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1',
                      'pat_id', 'a0000000-0000-4000-8000-0000000000f1', 'pat_scopes', '["data:read"]'::jsonb), 'scoped');

-- Everything clients can change, as one fingerprint (the log and its counters aside).
create function pg_temp.fingerprint()
returns text
language plpgsql
as $$
declare
  t regclass;
  part text;
  result text := '';
begin
  for t in
    select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'private') and c.relkind = 'r'
      and c.oid not in ('public.audit_events'::regclass, 'private.audit_chain'::regclass, 'private.denial_counters'::regclass)
    order by 1
  loop
    execute format('select md5(coalesce(string_agg(x::text, %L order by x::text), %L)) from %s x', '|', '', t) into part;
    result := result || t::text || '=' || part || ';';
  end loop;
  return md5(result);
end;
$$;

-- Runs one call with the given claims and describes what happened.
create function pg_temp.attempt(state states, rpc text)
returns text
language plpgsql
as $$
declare
  statement text := (select c.call from calls c where c.rpc = attempt.rpc);
  contract private.rpc_contracts := (select c from private.rpc_contracts c where c.rpc = attempt.rpc);
  before_print text := pg_temp.fingerprint();
  before_id bigint := (select coalesce(max(id), 0) from public.audit_events);
  result jsonb;
  outcome text;
  event public.audit_events;
  events integer;
begin
  begin
    perform set_config('request.jwt.claims', state.claims::text, true);
    perform set_config('role', state.role, true);
    execute format('select (%s)::jsonb', statement) into result;
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', '', true);
    outcome := coalesce(result -> 'error' ->> 'code', 'answered');
  exception when others then
    perform set_config('role', 'none', true);
    perform set_config('request.jwt.claims', '', true);
    outcome := 'error ' || sqlstate;
  end;
  select count(*) into events from public.audit_events e where e.id > before_id;
  select * into event from public.audit_events e where e.id > before_id order by e.id desc limit 1;
  return format('%s; changed: %s; denial events: %s%s', outcome, case when before_print = pg_temp.fingerprint() then 'false' else 'true' end,
    (select count(*) from public.audit_events e where e.id > before_id and e.outcome = 'denied'),
    case
      when events = 0 then ''
      when event.action <> contract.action then format(' (action %s, not %s)', event.action, contract.action)
      when state.name = 'a personal access token without the scope' then
        case when event.actor_id = pg_temp.actor_id('member_a') and event.actor_type = 'token' then ' by the token' else ' by ' || event.actor_type end
      when event.details -> 'claimed' ->> 'sub' = state.claims ->> 'sub' then ' with the claimed identity'
      else ' without the claimed identity'
    end);
end;
$$;
\set QUIET off

create temp table cases as
select s, c.rpc,
       case when s.name = 'anon' then 'error 42501; changed: false; denial events: 0'
            when s.name = 'a personal access token without the scope' then 'forbidden; changed: false; denial events: 1 by the token'
            else 'forbidden; changed: false; denial events: 1 with the claimed identity' end as expected
from states s cross join private.rpc_contracts c
where s.applies = 'all'
   or (s.applies = 'profile' and c.caller = 'profile')
   or (s.applies = 'scoped' and c.scope is not null);

select plan((select count(*)::int from cases) + 3);

select is(pg_temp.attempt(x.s, x.rpc), x.expected, format('%s: refused for %s', x.rpc, (x.s).name))
from cases x order by x.rpc, (x.s).name;

select set_eq(
  $$ select p.proname::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.prokind = 'f'
     except select unnest(array['has_permission', 'resolve_roles_for_groups']) $$,
  $$ select rpc from private.rpc_contracts $$,
  'every public function has a contract (has_permission and resolve_roles_for_groups only answer questions and refuse nobody)');
select set_eq($$ select rpc from calls $$, $$ select rpc from private.rpc_contracts $$, 'every contract has a call in this file');
select is((select count(*)::int from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'public' and p.prokind = 'f' and p.proname::text in (select rpc from private.rpc_contracts)
             and p.prosrc !~ format('private\.gate\(%L\)', p.proname)), 0,
  'every public function with a contract passes its own gate first');

select * from finish();
rollback;
