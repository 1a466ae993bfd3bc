-- The custom access token hook (SPEC F9), registered in config.toml as
-- pg-functions://postgres/private/custom_access_token_hook. It adds the caller's
-- platform roles and a bounded list of organizations with their roles. Claims are
-- hints for the UI; every authorization decision reads the tables (principle 3).
-- Runs as supabase_auth_admin (security invoker, as Supabase advises), which reads
-- through explicit grants and policies of its own.

create function private.custom_access_token_hook(event jsonb)
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
  profile as (
    select p.id from input, public.profiles p
    where p.id = input.user_id and p.disabled_at is null
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
  select jsonb_build_object('claims', input.claims || jsonb_build_object('tenantry', tenantry.value))
  from input, tenantry
$$;
comment on function private.custom_access_token_hook(jsonb) is
  'Supabase custom access token hook: adds claim tenantry = {roles, orgs (at most settings.max_orgs_in_token), orgs_truncated}. Keeps every claim it is given; never fails for users without a profile. Security invoker: runs as supabase_auth_admin with a 2 s statement timeout.';

-- Supabase Auth calls it as supabase_auth_admin; nobody else may.
revoke execute on function private.custom_access_token_hook(jsonb) from public, anon, authenticated;
grant execute on function private.custom_access_token_hook(jsonb) to supabase_auth_admin;

-- ── what supabase_auth_admin may read ────────────────────────────────────────
grant usage on schema public to supabase_auth_admin;
grant select (id, disabled_at) on public.profiles to supabase_auth_admin;
grant select (user_id, organization_id, role, created_at) on public.memberships to supabase_auth_admin;
grant select (user_id, role) on public.platform_role_assignments to supabase_auth_admin;
grant select (max_orgs_in_token) on private.settings to supabase_auth_admin;

create policy profiles_select_auth_admin on public.profiles
  for select to supabase_auth_admin using (true);
create policy memberships_select_auth_admin on public.memberships
  for select to supabase_auth_admin using (true);
create policy platform_role_assignments_select_auth_admin on public.platform_role_assignments
  for select to supabase_auth_admin using (true);
comment on policy profiles_select_auth_admin on public.profiles is 'The access token hook (run by Supabase Auth) reads whether a profile exists and is enabled.';
comment on policy memberships_select_auth_admin on public.memberships is 'The access token hook reads memberships to list organizations in the token.';
comment on policy platform_role_assignments_select_auth_admin on public.platform_role_assignments is 'The access token hook reads platform roles into the token.';
