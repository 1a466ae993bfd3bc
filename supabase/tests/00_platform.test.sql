-- The Supabase platform layer Tenantry builds on (facts sheet §1–§3). These hold on a
-- hosted project and on `supabase start` as well as on the local stand-in, so they
-- double as a check that the stand-in is faithful.
begin;
select plan(26);

-- ── roles ────────────────────────────────────────────────────────────────────
select has_role(r, format('role %s exists', r))
from unnest(array['anon', 'authenticated', 'service_role', 'authenticator', 'supabase_auth_admin']) as r;

select is((select rolsuper from pg_roles where rolname = 'postgres'), false, 'postgres is not a superuser');
select is((select rolbypassrls from pg_roles where rolname = 'postgres'), true, 'postgres bypasses RLS');
select is((select rolbypassrls from pg_roles where rolname = 'service_role'), true, 'service_role bypasses RLS');
select is(
  (select array_agg(rolname order by rolname) from pg_roles where rolname in ('anon', 'authenticated') and not rolbypassrls and not rolcanlogin),
  array['anon', 'authenticated']::name[],
  'anon and authenticated cannot log in and do not bypass RLS'
);
select is((select rolinherit from pg_roles where rolname = 'authenticator'), false, 'authenticator is NOINHERIT');
select ok(pg_has_role('authenticator', r, 'member'), format('authenticator can switch to %s', r))
from unnest(array['anon', 'authenticated', 'service_role']) as r;
select ok(pg_has_role('postgres', 'authenticated', 'member'), 'postgres can switch to authenticated (edge functions do)');

-- ── auth schema shape ────────────────────────────────────────────────────────
select is(
  (select count(*)::int from information_schema.columns where table_schema = 'auth' and table_name = 'users'),
  35,
  'auth.users has the 35 columns Supabase Auth creates'
);
select has_table('auth', 'identities', 'auth.identities exists');
select has_table('auth', 'sessions', 'auth.sessions exists');
select has_extension('extensions', 'pgcrypto', 'pgcrypto lives in the extensions schema');

-- ── auth.uid(), auth.role(), auth.email(), auth.jwt() ────────────────────────
set local "request.jwt.claims" = '{"sub":"6e1c2ba0-1b5a-4bd4-9b8f-52b7dfd1a7a0","role":"authenticated","email":"a@example.com"}';
select is(auth.uid(), '6e1c2ba0-1b5a-4bd4-9b8f-52b7dfd1a7a0'::uuid, 'auth.uid() reads sub from request.jwt.claims');
select is(auth.role(), 'authenticated', 'auth.role() reads role');
select is(auth.email(), 'a@example.com', 'auth.email() reads email');
select is(auth.jwt() ->> 'sub', '6e1c2ba0-1b5a-4bd4-9b8f-52b7dfd1a7a0', 'auth.jwt() returns the claims');

set local "request.jwt.claim.sub" = 'a0b5c2f0-0000-4000-8000-000000000001';
select is(auth.uid(), 'a0b5c2f0-0000-4000-8000-000000000001'::uuid, 'the legacy request.jwt.claim.sub setting wins');
set local "request.jwt.claim.sub" = '';
select is(auth.uid(), '6e1c2ba0-1b5a-4bd4-9b8f-52b7dfd1a7a0'::uuid, 'an empty legacy setting counts as unset');

set local "request.jwt.claims" = '{"sub":"user_2abcDEF","role":"authenticated"}';
select throws_ok('select auth.uid()', '22P02', null, 'auth.uid() raises 22P02 for a non-UUID third-party subject');

set local "request.jwt.claims" = '';
select is(auth.uid(), null, 'with no claims auth.uid() is null');

select * from finish();
rollback;
