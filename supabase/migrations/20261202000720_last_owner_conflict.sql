-- ════════════════════════════════════════════════════════════════════════════
-- The last owner (SPEC F4: an organization always keeps an owner) is a conflict with
-- the organization's state, not a permission refusal: whoever asks — the owner leaving,
-- an admin removing or demoting them, a platform admin — gets SQLSTATE 55000 (HTTP
-- 409) saying what to do instead. The permission refusals before it stay audited
-- denials. One rule, in remove_member (leave_organization calls it) and
-- change_member_role; nothing else changes in either.
-- ════════════════════════════════════════════════════════════════════════════

create or replace function private.remove_member(organization_id uuid, user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
  target_role text := private.org_role(organization_id, user_id);
  -- A caller without an active profile is never leaving (and never skips a check).
  leaving boolean := caller is not null and coalesce(user_id = caller, false);
begin
  if not leaving and not private.has_permission('members:manage', organization_id) then
    return private.deny('membership.remove', 'you may not remove members of this organization', organization_id, 'user', user_id::text);
  end if;
  if target_role is null then
    raise exception using errcode = 'P0002', message = 'that user is not a member of this organization';
  end if;
  if not leaving and private.role_rank('org', target_role) > private.caller_rank_in(organization_id) then
    return private.deny('membership.remove', 'you may not remove a member who outranks you', organization_id, 'user', user_id::text);
  end if;
  if target_role = 'owner' and private.would_orphan(organization_id, user_id) then
    raise exception using errcode = '55000', message = 'the last owner cannot leave or be removed; transfer ownership first',
      hint = 'transfer_ownership to another member, or delete the organization';
  end if;
  delete from public.memberships m where m.organization_id = remove_member.organization_id and m.user_id = remove_member.user_id;
  perform private.audit(case when leaving then 'membership.leave' else 'membership.remove' end,
    organization_id, 'user', user_id::text, jsonb_build_object('role', target_role));
  return jsonb_build_object('removed', true, 'organization_id', organization_id, 'user_id', user_id);
end;
$$;
comment on function private.remove_member(uuid, uuid) is
  'Removes a member (members:manage) or lets a member leave; the last owner never (55000). A caller without an active profile is never leaving. Definer: clients have no DELETE on memberships.';

create or replace function private.change_member_role(organization_id uuid, user_id uuid, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  current_role_name text := private.org_role(organization_id, user_id);
  caller_rank integer;
  membership public.memberships;
begin
  perform private.require_org_role(role);
  if not private.has_permission('members:manage', organization_id) then
    return private.deny('membership.change_role', 'you may not change roles in this organization', organization_id, 'user', user_id::text);
  end if;
  if user_id = private.caller_id() then
    return private.deny('membership.change_role', 'you may not change your own role', organization_id, 'user', user_id::text);
  end if;
  if current_role_name is null then
    raise exception using errcode = 'P0002', message = 'that user is not a member of this organization';
  end if;
  caller_rank := private.caller_rank_in(organization_id);
  if private.role_rank('org', role) > caller_rank or private.role_rank('org', current_role_name) > caller_rank then
    return private.deny('membership.change_role', format('you may not grant "%s" or change a member who outranks you', role), organization_id, 'user', user_id::text);
  end if;
  if current_role_name = 'owner' and role <> 'owner' and private.would_orphan(organization_id, user_id) then
    raise exception using errcode = '55000', message = 'the last owner cannot be demoted; transfer ownership first',
      hint = 'transfer_ownership to another member first';
  end if;
  update public.memberships m set role = change_member_role.role
  where m.organization_id = change_member_role.organization_id and m.user_id = change_member_role.user_id
  returning * into membership;
  perform private.audit('membership.change_role', organization_id, 'user', user_id::text,
    jsonb_build_object('before', current_role_name, 'after', role));
  return to_jsonb(membership);
end;
$$;
comment on function private.change_member_role(uuid, uuid, text) is
  'Changes another member''s role within the caller''s own rank (members:manage); the last owner is never demoted (55000). Definer: clients have no UPDATE on memberships.';
