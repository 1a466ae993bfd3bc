-- JIT provisioning in SQL (SPEC F2): what private.jit_provision() trusts and refuses.
-- The HTTP path (token verification, UserInfo, concurrency) is tested with vitest.
begin;
\ir _helpers.psql

select plan(9);

insert into private.identity_providers (issuer, name, kind, jwks_url) values
  ('https://clerk.jit.test', 'Clerk', 'clerk', 'https://clerk.jit.test/.well-known/jwks.json'),
  ('https://tenant.frontegg.test', 'Frontegg', 'frontegg', 'https://tenant.frontegg.test/.well-known/jwks.json');

select is((select array[tenant_claim, tenant_name_claim, role_claim] from private.identity_providers where issuer = 'https://clerk.jit.test'),
  array['org_id', 'org_slug', 'org_role'], 'Clerk providers default to org_id / org_slug / org_role');
select is((select array[tenant_claim, role_claim] from private.identity_providers where issuer = 'https://tenant.frontegg.test'),
  array['tenantId', 'roles'], 'Frontegg providers default to tenantId / roles');
select throws_ok($$insert into private.identity_providers (issuer, name, jwks_url) values ('https://ref.supabase.co/auth/v1', 'x', 'https://x')$$,
  '22023', null, 'a Supabase Auth issuer cannot be registered as a third-party provider');

select throws_ok($$select private.jit_provision('{"iss": "https://unknown.test", "sub": "u1"}')$$, '42501', null,
  'an unregistered issuer provisions nothing');
select throws_ok($$select private.jit_provision('{"iss": "https://clerk.jit.test"}')$$, '22023', null, 'a token without sub provisions nothing');

create temp table first as select private.jit_provision(
  '{"iss": "https://tenant.frontegg.test", "sub": "f-1", "email": "F@Frontegg.Test", "tenantId": "t-1", "tenantName": "Tenant One", "roles": ["Viewer", "ADMIN", "unknown"]}') as r;
select is((select r ->> 'role' from first), 'admin', 'the best-ranked mapped role wins, case-insensitively');
select is((select r ->> 'created' from first), 'true', 'the first call creates the user');
select is(private.jit_provision('{"iss": "https://tenant.frontegg.test", "sub": "f-1", "tenantId": "t-1", "roles": ["Viewer"]}') ->> 'created', 'false',
  'a later call finds the same user');
select is(
  (select m.role from public.memberships m join public.profiles p on p.id = m.user_id where p.identity_sub = 'f-1'),
  'viewer', 'a later call re-syncs the organization role from the token');

select * from finish();
rollback;
