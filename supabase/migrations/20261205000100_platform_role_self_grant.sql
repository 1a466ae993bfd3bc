-- ════════════════════════════════════════════════════════════════════════════
-- Platform roles: nobody grants themselves one (SPEC F4: "nobody ... changes their own
-- role"; issue 14).
--
-- revoke_platform_role already refused a caller's own roles, but grant_platform_role let a
-- platform admin grant themselves any platform role, and record it as an admin grant that
-- role sync then preserves. The isolation fuzzer found it (a platform admin granting
-- themselves "auditor" was accepted where the rules require a refusal). The refusal is
-- the RPCs' one way to refuse: private.deny, audited.
-- ════════════════════════════════════════════════════════════════════════════

create or replace function private.grant_platform_role(user_id uuid, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  assignment public.platform_role_assignments;
begin
  if private.role_rank('platform', role) is null then
    raise exception using errcode = '22023', message = format('role "%s" is not a platform role', role);
  end if;
  if not private.has_platform_permission('users:admin') then
    return private.deny('platform_role.grant', 'you may not grant platform roles', null, 'user', user_id::text);
  end if;
  if user_id = private.caller_id() then
    return private.deny('platform_role.grant', 'you may not grant yourself platform roles', null, 'user', user_id::text);
  end if;
  if not exists (select 1 from public.profiles p where p.id = user_id) then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  insert into public.platform_role_assignments (user_id, role, source, granted_by)
  values (user_id, role, 'admin', private.caller_id())
  on conflict on constraint platform_role_assignments_pkey
  do update set source = 'admin', granted_by = excluded.granted_by
  returning * into assignment;
  perform private.audit('platform_role.grant', null, 'user', user_id::text, jsonb_build_object('role', role, 'source', 'admin'));
  return to_jsonb(assignment);
end;
$$;
comment on function private.grant_platform_role(uuid, text) is
  'Grants a platform role as an admin grant (users:admin), never to the caller themselves. Definer: clients cannot write assignments.';
