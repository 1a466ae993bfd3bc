-- Custom access token hook (SPEC F9), registered in config.toml as
-- pg-functions://postgres/private/custom_access_token_hook.
-- Baseline: returns the claims Supabase Auth built, unchanged. The core identity
-- migrations replace the body to add platform roles and bounded org context.

create function private.custom_access_token_hook(event jsonb)
returns jsonb
language sql
stable
set search_path = ''
as $$
  -- Only "claims" is read back by Supabase Auth; a null claims object would be a 500.
  select jsonb_build_object(
    'claims',
    case when jsonb_typeof(event -> 'claims') = 'object' then event -> 'claims' else '{}'::jsonb end
  )
$$;

comment on function private.custom_access_token_hook(jsonb) is
  'Supabase custom access token hook. Security invoker (as the docs advise): runs as supabase_auth_admin with a 2 s statement timeout.';

revoke execute on function private.custom_access_token_hook(jsonb) from public, anon, authenticated;
grant execute on function private.custom_access_token_hook(jsonb) to supabase_auth_admin;

-- New functions are executable by PUBLIC until revoked; private ones are granted explicitly above.
revoke execute on all functions in schema private from public;
