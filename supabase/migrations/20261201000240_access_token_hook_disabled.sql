-- The access token hook refuses disabled accounts (issue 10, item 12): for a profile with
-- disabled_at set it answers the hook error format (facts sheet §5), so Supabase Auth
-- refuses the sign-in and every refresh with 403 "this account is disabled" instead of
-- issuing a token. Users without a profile still get a token (provisioning may be
-- pending); everything else is unchanged.

create or replace function private.custom_access_token_hook(event jsonb)
returns jsonb
language sql
stable
set search_path = ''
as $$
  with input as (
    select case when jsonb_typeof(event -> 'claims') = 'object' then event -> 'claims' else '{}'::jsonb end as claims,
           case when (event ->> 'user_id') ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
                then (event ->> 'user_id')::uuid end as user_id
  ),
  account as (
    select p.id, p.disabled_at is not null as disabled from input, public.profiles p where p.id = input.user_id
  ),
  profile as (
    select a.id from account a where not a.disabled
  ),
  limits as (
    select s.max_orgs_in_token as max_orgs from private.settings s
  ),
  orgs as (
    -- Newest memberships first; the index on (user_id, organization_id) keeps this bounded work.
    select m.organization_id, m.role
    from profile, public.memberships m
    where m.user_id = profile.id
    order by m.created_at desc, m.organization_id
    limit (select max_orgs from limits) + 1
  ),
  tenantry as (
    select jsonb_build_object(
      'roles', coalesce((select jsonb_agg(a.role order by a.role)
                         from profile, public.platform_role_assignments a where a.user_id = profile.id), '[]'::jsonb),
      'orgs', coalesce((select jsonb_object_agg(o.organization_id, o.role)
                        from (select * from orgs limit (select max_orgs from limits)) o), '{}'::jsonb),
      'orgs_truncated', (select count(*) > (select max_orgs from limits) from orgs)
    ) as value
  )
  select case
    when exists (select 1 from account a where a.disabled)
      then jsonb_build_object('error', jsonb_build_object('http_code', 403, 'message', 'this account is disabled'))
    else jsonb_build_object('claims', input.claims || jsonb_build_object('tenantry', tenantry.value))
  end
  from input, tenantry
$$;
comment on function private.custom_access_token_hook(jsonb) is
  'Supabase custom access token hook: adds claim tenantry = {roles, orgs (at most settings.max_orgs_in_token), orgs_truncated}; refuses a disabled account with the hook error {"error":{"http_code":403,"message":"this account is disabled"}}. Keeps every claim it is given; never fails for users without a profile. Security invoker: runs as supabase_auth_admin with a 2 s statement timeout.';

revoke execute on function private.custom_access_token_hook(jsonb) from public, anon, authenticated;
grant execute on function private.custom_access_token_hook(jsonb) to supabase_auth_admin;
