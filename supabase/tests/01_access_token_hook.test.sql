-- The custom access token hook's placement and grants (SPEC F9; facts sheet §5):
-- callable by supabase_auth_admin only, security invoker, pinned search_path.
begin;
select plan(10);

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

select * from finish();
rollback;
