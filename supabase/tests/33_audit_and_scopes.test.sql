-- Hardening of scopes, the operator's session and the audit log (issue 10, items 6,
-- 10, 11, 14, 19, 20).
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
insert into private.identity_providers (issuer, name, kind, jwks_url)
values ('https://clerk.audit.test', 'Clerk', 'clerk', 'https://clerk.audit.test/.well-known/jwks.json');
insert into public.profiles (identity_provider, identity_sub, email) values ('https://clerk.audit.test', 'user_idp', 'idp@test.local');
create temp table tokens (name text primary key, token text);
grant select on tokens to public;


-- Runs a data-changing statement with explicit claims: its first returned value, or the row count.
create function pg_temp.run_with(claims jsonb, statement text)
returns text
language plpgsql
as $$
declare
  result text;
  n bigint;
begin
  perform set_config('request.jwt.claims', claims::text, true);
  perform set_config('role', 'authenticated', true);
  begin
    if statement ~* '\mreturning\M' then
      execute statement into result;
    else
      execute statement;
    end if;
    get diagnostics n = row_count;
  exception when others then
    result := 'error ' || sqlstate;
  end;
  perform set_config('role', 'none', true);
  perform set_config('request.jwt.claims', '', true);
  return coalesce(result, 'rows:' || n);
end;
$$;

-- The claims an edge function sets for a request made with one of owner_a's tokens.
create function pg_temp.pat_claims(scopes text[])
returns jsonb
language plpgsql
as $$
declare
  created jsonb := pg_temp.call('owner_a', format('public.create_personal_access_token(%L, %L, 7)', 'pat ' || array_to_string(scopes, ','), scopes));
begin
  return jsonb_build_object('sub', pg_temp.actor_id('owner_a'), 'role', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1',
                            'pat_id', created ->> 'id', 'pat_scopes', to_jsonb(scopes));
end;
$$;
\set QUIET off

select plan(39);

-- ── item 6: every RPC and table path names its scope ─────────────────────────
create temp table data_read as select pg_temp.pat_claims('{data:read}') as c;
select is(pg_temp.call_with((select c from data_read), $$public.create_organization('Via token', 'via-token')$$) -> 'error' ->> 'code', 'forbidden',
  'a data:read token cannot create an organization');
select is(pg_temp.call_with((select c from data_read),
  $$public.transfer_ownership('a0000000-0000-4000-8000-00000000000a', pg_temp.actor_id('admin_a'))$$) -> 'error' ->> 'code', 'forbidden',
  'a data:read token cannot transfer ownership');
select is(pg_temp.run_with((select c from data_read),
  $$update public.profiles set display_name = 'via token' where id = pg_temp.actor_id('owner_a')$$),
  'rows:0', 'a data:read token cannot update the profile');
select is(pg_temp.call_with((select c from data_read), $$public.list_personal_access_tokens()$$) -> 'error' ->> 'code', 'forbidden',
  'a data:read token cannot list tokens');
select is(pg_temp.call_with((select c from data_read), $$to_jsonb((select count(*) from public.personal_access_tokens))$$), '0'::jsonb,
  'nor read them from the table');
select is(pg_temp.call_with((select c from data_read), $$public.me() -> 'memberships' -> 0 -> 'permissions'$$), '["data:read"]'::jsonb,
  '/me under a token lists only the permissions the token can use');
select is(pg_temp.call_with((select c from data_read), $$public.me() -> 'account_permissions'$$), '[]'::jsonb,
  'and no account permission it lacks');
create temp table orgs_create as select pg_temp.pat_claims('{orgs:create}') as c;
select is(pg_temp.call_with((select c from orgs_create), $$public.create_organization('Via token', 'via-token')$$) ->> 'slug', 'via-token',
  'a token with orgs:create creates an organization');
select is(jsonb_array_length(pg_temp.call('owner_a', 'public.list_personal_access_tokens()')), 2,
  'the user lists their own tokens');

-- ── item 11: claims nobody can forge ─────────────────────────────────────────
select is(pg_temp.call_with(jsonb_build_object('sub', pg_temp.actor_id('owner_a'), 'role', 'authenticated', 'iss', 'https://unknown.audit.test'),
  $$to_jsonb((select count(*) from public.organizations))$$), '0'::jsonb,
  'a UUID subject from an unregistered issuer is nobody, not the Supabase user with that id');
select is(pg_temp.call_with(jsonb_build_object('sub', 'user_idp', 'role', 'authenticated', 'iss', 'https://clerk.audit.test',
                                               'pat_id', 'a0000000-0000-4000-8000-0000000000f1', 'pat_scopes', '["orgs:create"]'::jsonb),
  $$public.create_organization('IdP org', 'idp-org')$$) ->> 'slug', 'idp-org', 'an IdP user whose token carries pat claims still acts');
select is((select actor_type || ' ' || coalesce(details ->> 'token_id', 'no token') from public.audit_events
           where action = 'organization.create' order by id desc limit 1),
  'user no token', 'a forged pat_id does not make the audit record a token actor');

-- ── item 14: request fields, denial bounds, created_by ───────────────────────
select set_config('request.headers', '{"x-forwarded-for": "6.6.6.6, 203.0.113.9", "x-debug-id": "client-said"}', true);
select pg_temp.call('member_a', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', name => 'X')$$);
select is((select host(ip) || ' ' || (details -> 'forwarded_for')::text || ' ' || request_id from public.audit_events order by id desc limit 1),
  '203.0.113.9 ["6.6.6.6"] client-said',
  'the address is the one the platform proxy appended; earlier entries are kept as client-supplied');
select set_config('request.headers', '', true);
update private.settings set audit_denials_per_minute = 3;
create temp table before_flood as select max(id) as id from public.audit_events;
select pg_temp.call('outsider', $$public.update_organization('a0000000-0000-4000-8000-00000000000a', name => 'Flood')$$) from generate_series(1, 6);
select is((select count(*)::int from public.audit_events where id > (select id from before_flood)), 3,
  'an outsider adds at most audit_denials_per_minute denial events a minute');
select is((select denials from private.denial_counters where actor_key = pg_temp.actor_id('outsider')::text), 6,
  'the rest are counted, not lost');
select is((select details ->> 'rate_limited' from public.audit_events order by id desc limit 1), 'true',
  'the last logged denial says further ones are only counted');
select is(pg_temp.run_with(jsonb_build_object('sub', pg_temp.actor_id('member_a'), 'role', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1'),
  $$insert into public.projects (organization_id, name, created_by) values ('a0000000-0000-4000-8000-00000000000a', 'Mine', pg_temp.actor_id('owner_a')) returning created_by$$),
  pg_temp.actor_id('member_a')::text,
  'projects.created_by is the caller, not what the client sent');

-- ── item 10: no switch makes the log mutable; exported heads catch truncation ──
select set_config('tenantry.audit_retention', 'on', true);
select throws_ok($$delete from public.audit_events where id = (select max(id) from public.audit_events)$$, '42501', null,
  'the old retention switch no longer lets the owner delete events');
create temp table head as select public.verify_audit_chain() -> 'head' as h;
select private.audit('after.export');
select private.audit('after.export');
savepoint truncation;
alter table public.audit_events disable trigger user;
delete from public.audit_events where id >= ((select h from head) ->> 'id')::bigint;
update private.audit_chain set last_id = (select max(id) from public.audit_events),
       last_hash = (select hash from public.audit_events order by id desc limit 1);
alter table public.audit_events enable trigger user;
select is(public.verify_audit_chain() ->> 'ok', 'true', 'with the chain head rewritten, the chain alone cannot tell');
select is(public.verify_audit_chain(((select h from head) ->> 'id')::bigint, (select h from head) ->> 'hash') ->> 'ok', 'false',
  'an exported head shows the newest events were removed');
rollback to savepoint truncation;
select is(public.verify_audit_chain(((select h from head) ->> 'id')::bigint, (select h from head) ->> 'hash') ->> 'ok', 'true',
  'an untouched log verifies against its exported head');

-- ── items 19, 20: the operator's session, one way to refuse ──────────────────
select is(public.set_flag_default('operator-flag', 'true') ->> 'key', 'operator-flag', 'an operator''s SQL session sets a flag default (a migration can)');
select is((select actor_type || ' ' || (details ->> 'db_user') from public.audit_events where action = 'flag.set' order by id desc limit 1),
  'operator postgres', 'and it is audited as the operator');
select is(public.grant_platform_role(pg_temp.actor_id('member_a'), 'admin') ->> 'source', 'admin', 'the operator makes the first platform admin');
select throws_ok($$select public.create_organization('Operator org')$$, '42501', null,
  'an RPC that acts as a user raises for the operator instead of answering an error row');
select is(pg_temp.call('viewer_a', $$public.list_audit_events()$$) -> 'error' ->> 'code', 'forbidden',
  'listing audit events without audit:read is refused, not answered with an empty page');
select is(pg_temp.call('owner_a', $$public.list_audit_events(organization_id => 'b0000000-0000-4000-8000-00000000000b')$$) -> 'error' ->> 'code', 'forbidden',
  'listing another organization''s events is refused');

-- ── review findings: fail closed, read-only requests, fresh subjects, child tokens ──
select is(pg_temp.call_with(jsonb_build_object('sub', pg_temp.actor_id('owner_a'), 'role', 'authenticated', 'iss', 'https://other-project.supabase.co/auth/v1'),
  $$to_jsonb((select count(*) from public.organizations))$$), '0'::jsonb,
  'another project''s /auth/v1 issuer is not this project''s Supabase Auth: a real user''s id in its token is nobody');
savepoint read_only;
set local transaction_read_only = on;
select is(pg_temp.call('viewer_a', $$public.list_audit_events()$$) ->> 'sqlstate', '42501',
  'a refusal in a read-only (GET) request is the 403 error, not a failed write');
rollback to savepoint read_only;
update private.settings set audit_denials_per_minute = 3;
create temp table before_subjects as select max(id) as id from public.audit_events;
select pg_temp.call_with(jsonb_build_object('sub', 'fresh-' || n, 'role', 'authenticated', 'iss', 'https://anon.audit.test'),
                         $$public.create_organization('Spam')$$) from generate_series(1, 6) n;
select is((select count(*)::int from public.audit_events where id > (select id from before_subjects)), 3,
  'callers nobody knows share their issuer''s denial bucket: fresh subjects buy no room in the log');
update private.settings set audit_denials_per_minute = 30;
create temp table parent as select pg_temp.call('owner_a', $$public.create_personal_access_token('parent', '{tokens:manage,org:read}', 1)$$) as t;
create temp table child as select pg_temp.call_with(
  jsonb_build_object('sub', pg_temp.actor_id('owner_a'), 'role', 'authenticated', 'iss', 'http://127.0.0.1:54321/auth/v1',
                     'pat_id', (select t ->> 'id' from parent), 'pat_scopes', '["tokens:manage", "org:read"]'::jsonb),
  $$public.create_personal_access_token('child', '{org:read}', 365)$$) as t;
select ok((select (c.t ->> 'expires_at')::timestamptz <= (p.t ->> 'expires_at')::timestamptz from child c, parent p),
  'a token minted with a token expires no later than it');
select is(private.verify_token((select t ->> 'token' from child)) ->> 'valid', 'true', 'the child token works while its parent does');
select pg_temp.call('owner_a', format('public.revoke_personal_access_token(%L)', (select t ->> 'id' from parent)));
select is(private.verify_token((select t ->> 'token' from child)) ->> 'reason', 'the token it was minted with is revoked or expired',
  'revoking the parent ends the child');
select is(pg_temp.call('owner_a', $$public.create_organization('Own issuer', 'own-issuer')$$) ->> 'slug', 'own-issuer',
  'the deployment''s own issuer (settings.auth_issuers) is trusted');

-- ── revoking a token that is not yours ───────────────────────────────────────
-- Another user's token is refused exactly like an id nobody has (no existence oracle);
-- a users:admin holder may revoke any token and is told when an id is unknown.
select is(pg_temp.call('outsider', $$public.revoke_personal_access_token('a0000000-0000-4000-8000-0000000000f1')$$),
          pg_temp.call('outsider', $$public.revoke_personal_access_token('9f000000-0000-4000-8000-0000000000f9')$$),
  'revoking another user''s token answers exactly as revoking an id nobody has');
select is(pg_temp.call('outsider', $$public.revoke_personal_access_token('a0000000-0000-4000-8000-0000000000f1')$$) -> 'error' ->> 'message',
  'no such token among yours', '... which is a refusal');
select is((select revoked_at from public.personal_access_tokens where id = 'a0000000-0000-4000-8000-0000000000f1'), null,
  '... and the token stays valid');
select is(pg_temp.call('platform_admin', $$public.revoke_personal_access_token('9f000000-0000-4000-8000-0000000000f9')$$) ->> 'sqlstate',
  'P0002', 'a users:admin holder is told an unknown id is unknown (404)');
select isnt(pg_temp.call('platform_admin', $$public.revoke_personal_access_token('a0000000-0000-4000-8000-0000000000f1')$$) ->> 'revoked_at',
  null, '... and may revoke another user''s token');

select * from finish();
rollback;
