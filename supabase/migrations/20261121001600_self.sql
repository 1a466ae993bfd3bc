-- The caller's own view (SPEC F14 /me): profile, memberships with their permissions,
-- platform roles and permissions. Security invoker: everything is read under RLS.

create function public.me()
returns jsonb
language sql
stable
set search_path = ''
as $$
  with me as (select private.caller_id() as id)
  select case when me.id is null then null else jsonb_build_object(
    'profile', (select to_jsonb(p) from public.profiles p where p.id = me.id),
    'memberships', coalesce((
      select jsonb_agg(jsonb_build_object(
               'organization_id', o.id, 'slug', o.slug, 'name', o.name, 'role', m.role,
               'permissions', (select jsonb_agg(rp.permission order by rp.permission) from public.role_permissions rp
                               where rp.scope = 'org' and rp.role = m.role))
             order by o.name)
      from public.memberships m join public.organizations o on o.id = m.organization_id
      where m.user_id = me.id), '[]'::jsonb),
    'platform_roles', coalesce((select jsonb_agg(a.role order by a.role) from public.platform_role_assignments a where a.user_id = me.id), '[]'::jsonb),
    'platform_permissions', to_jsonb(private.caller_platform_permissions())
  ) end
  from me
$$;
comment on function public.me() is 'RPC: your profile, organizations (with role and permissions), platform roles and permissions; null before provisioning.';

call private.grant_rpc('public.me()');
