-- The caller's own view (SPEC F14 /me): profile, memberships with their permissions,
-- platform roles and permissions, and feature flags.

create function private.me()
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
begin
  -- Only the caller's own rows, selected by caller id: no policy needs evaluating.
  if caller is null then
    return null;
  end if;
  return jsonb_build_object(
    'profile', (select to_jsonb(p) from public.profiles p where p.id = caller),
    'memberships', coalesce((
      select jsonb_agg(jsonb_build_object(
               'organization_id', o.id, 'slug', o.slug, 'name', o.name, 'role', m.role,
               'permissions', (select jsonb_agg(rp.permission order by rp.permission) from public.role_permissions rp
                               where rp.scope = 'org' and rp.role = m.role))
             order by o.name)
      from public.memberships m join public.organizations o on o.id = m.organization_id
      where m.user_id = caller), '[]'::jsonb),
    'platform_roles', coalesce((select jsonb_agg(a.role order by a.role) from public.platform_role_assignments a where a.user_id = caller), '[]'::jsonb),
    'platform_permissions', to_jsonb(private.caller_platform_permissions()),
    'flags', private.resolve_flags(caller, null));
end;
$$;
comment on function private.me() is
  'The caller''s own profile, memberships, platform roles and permissions (within a token''s scopes) and flags. Definer: reads only rows keyed by the caller''s id, without the cost of every table''s policies.';

create function public.me()
returns jsonb
language sql
stable
set search_path = ''
as $$ select private.me() $$;
comment on function public.me() is 'RPC: your profile, organizations (with role and permissions), platform roles and permissions, and flags; null before provisioning.';

grant execute on function private.me() to authenticated, service_role;
call private.grant_rpc('public.me()');

revoke execute on all functions in schema private from public;
