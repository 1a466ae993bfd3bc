-- caller_org_ids() reads the caller's memberships once (SPEC F6, RLS performance). Its
-- query joined memberships to role_permissions; inside PL/pgSQL that runs as a generic
-- plan, which put the four-row role_permissions side outside a nested loop and scanned
-- the caller's memberships once per role: 4,000 index entries for a user in 1,000
-- organizations, about three times the work of the same condition written out. Now the
-- roles that carry the permission are looked up first and the memberships scanned once,
-- filtered on the role the index already holds. Same result, same rules.

create or replace function private.caller_org_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid;
  scopes text[];
begin
  if auth.role() = 'service_role' then
    return array(select o.id from public.organizations o);
  end if;
  caller := private.caller_id();
  scopes := private.token_scopes();
  if caller is null or (scopes is not null and not permission = any (scopes)) then
    return '{}';
  end if;
  if permission = any (private.user_platform_permissions(caller)) then
    return array(select o.id from public.organizations o);
  end if;
  return array(
    select m.organization_id
    from public.memberships m
    where m.user_id = caller
      and m.role = any (array(
        select rp.role from public.role_permissions rp
        where rp.scope = 'org' and rp.permission = caller_org_ids.permission)));
end;
$$;
comment on function private.caller_org_ids(text) is
  'Organizations in which the caller holds the permission (all of them for a platform role that grants it), none when the token used lacks it. Definer: reads memberships without recursing into their policies.';

revoke execute on all functions in schema private from public;
