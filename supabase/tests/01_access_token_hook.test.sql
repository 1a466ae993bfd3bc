-- The custom access token hook's placement and grants (SPEC F9; facts sheet §5):
-- callable by supabase_auth_admin only, security invoker, pinned search_path.
begin;
\ir _helpers.psql
\ir _fixture.psql
select plan(17);

select has_function('private', 'custom_access_token_hook', array['jsonb'], 'the hook is private.custom_access_token_hook(jsonb)');
select function_returns('private', 'custom_access_token_hook', array['jsonb'], 'jsonb', 'the hook returns jsonb');
select isnt_definer('private', 'custom_access_token_hook', array['jsonb'], 'the hook is security invoker, as Supabase advises');
select ok(
  (select proconfig @> array['search_path=""'] from pg_proc where oid = 'private.custom_access_token_hook(jsonb)'::regprocedure),
  'the hook pins search_path to empty'
);

select ok(has_function_privilege('supabase_auth_admin', 'private.custom_access_token_hook(jsonb)', 'execute'), 'supabase_auth_admin may execute the hook');
select ok(not has_function_privilege('anon', 'private.custom_access_token_hook(jsonb)', 'execute'), 'anon may not execute the hook');
select ok(not has_function_privilege('authenticated', 'private.custom_access_token_hook(jsonb)', 'execute'), 'authenticated may not execute the hook');
select ok(
  not exists (
    select from pg_proc p, aclexplode(p.proacl) a
    where p.oid = 'private.custom_access_token_hook(jsonb)'::regprocedure and a.grantee = 0
  ),
  'PUBLIC holds no privilege on the hook'
);
select ok(not has_schema_privilege('anon', 'private', 'usage'), 'anon cannot use the private schema');

select is(
  private.custom_access_token_hook('{"user_id":"u","claims":null,"authentication_method":"otp"}'),
  '{"claims":{"tenantry":{"orgs":{},"roles":[],"orgs_truncated":false}}}'::jsonb,
  'a null claims object and an unknown user give empty Tenantry claims, never null or an error'
);

-- ── the claims it adds ───────────────────────────────────────────────────────
create temp table hook_event as
select jsonb_build_object(
  'user_id', pg_temp.actor_id('owner_a'), 'authentication_method', 'password',
  'claims', jsonb_build_object('sub', pg_temp.actor_id('owner_a'), 'aud', 'authenticated', 'role', 'authenticated',
                               'exp', 2000000000, 'iat', 1, 'email', 'owner-a@test.local', 'phone', '', 'aal', 'aal1',
                               'session_id', 's', 'is_anonymous', false)) as event;

select is(
  (select private.custom_access_token_hook(event) -> 'claims' -> 'tenantry' -> 'orgs' from hook_event),
  jsonb_build_object('a0000000-0000-4000-8000-00000000000a', 'owner'),
  'the token lists the user''s organizations with their roles');
select ok(
  (select (private.custom_access_token_hook(event) -> 'claims') @> (event -> 'claims') from hook_event),
  'every claim Supabase Auth built is kept');
select is(
  private.custom_access_token_hook(jsonb_build_object('user_id', pg_temp.actor_id('platform_admin'), 'claims', '{}'::jsonb)) -> 'claims' -> 'tenantry' -> 'roles',
  '["admin"]'::jsonb, 'platform roles are listed');

insert into public.organizations (id, slug, name)
select ('0000000' || n || '-0000-4000-8000-000000000000')::uuid, 'bulk-' || n, 'Bulk ' || n from generate_series(1, 9) n;
insert into public.organizations (id, slug, name)
select ('000000' || n || '-0000-4000-8000-000000000000')::uuid, 'bulk-' || n, 'Bulk ' || n from generate_series(10, 30) n;
insert into public.memberships (organization_id, user_id, role)
select o.id, pg_temp.actor_id('owner_a'), 'member' from public.organizations o where o.slug like 'bulk-%';
select is(
  (select jsonb_build_array(
     (select count(*) from jsonb_object_keys(private.custom_access_token_hook(event) -> 'claims' -> 'tenantry' -> 'orgs')),
     private.custom_access_token_hook(event) -> 'claims' -> 'tenantry' -> 'orgs_truncated')
   from hook_event),
  '[20, true]'::jsonb, 'at most max_orgs_in_token organizations are listed, and truncation is flagged');

update public.profiles set disabled_at = now() where id = pg_temp.actor_id('owner_a');
select is((select private.custom_access_token_hook(event) from hook_event),
  '{"error": {"http_code": 403, "message": "this account is disabled"}}'::jsonb,
  'a disabled user gets no token: the hook answers its error format with 403 "this account is disabled"');
select ok((select not (private.custom_access_token_hook(event) ? 'claims') from hook_event),
  'the refusal carries no claims for Supabase Auth to sign');
update public.profiles set disabled_at = null where id = pg_temp.actor_id('owner_a');
select ok((select private.custom_access_token_hook(event) -> 'claims' ? 'tenantry' from hook_event),
  'the same user gets a token again once re-enabled');

select * from finish();
rollback;
