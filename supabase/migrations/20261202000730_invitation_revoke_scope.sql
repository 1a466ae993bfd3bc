-- ════════════════════════════════════════════════════════════════════════════
-- Revoking an invitation through its organization (issue 11 review): the admin API's
-- DELETE /admin/orgs/{id}/invitations/{invitation_id} names the organization, so
-- revoke_invitation takes it too. Given, the caller's permission there is checked first
-- and an invitation of another organization is not found (no answer says whether an id
-- exists elsewhere). Revoking one already accepted or revoked is a conflict (55000).
-- ════════════════════════════════════════════════════════════════════════════

drop function public.revoke_invitation(uuid);
drop function private.revoke_invitation(uuid);

create function private.revoke_invitation(invitation_id uuid, organization_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
begin
  if organization_id is not null and not private.has_permission('members:manage', organization_id) then
    return private.deny('invitation.revoke', 'you may not revoke invitations of this organization', organization_id, 'invitation', invitation_id::text);
  end if;
  select * into invitation from public.invitations i
  where i.id = invitation_id and (revoke_invitation.organization_id is null or i.organization_id = revoke_invitation.organization_id)
  for update;
  if invitation is null then
    raise exception using errcode = 'P0002', message = 'no such invitation';
  end if;
  if not private.has_permission('members:manage', invitation.organization_id) then
    return private.deny('invitation.revoke', 'you may not revoke invitations of this organization', invitation.organization_id, 'invitation', invitation_id::text);
  end if;
  update public.invitations i set revoked_at = pg_catalog.now()
  where i.id = invitation_id and i.accepted_at is null and i.revoked_at is null
  returning * into invitation;
  if invitation is null then
    raise exception using errcode = '55000', message = 'the invitation was already accepted or revoked';
  end if;
  perform private.audit('invitation.revoke', invitation.organization_id, 'invitation', invitation_id::text, '{}'::jsonb);
  return to_jsonb(invitation) - 'token_hash';
end;
$$;
comment on function private.revoke_invitation(uuid, uuid) is
  'Revokes a pending invitation (members:manage in its organization); with organization_id, only one of that organization, the permission checked first. Definer: clients have no UPDATE on invitations.';

create function public.revoke_invitation(invitation_id uuid, organization_id uuid default null)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('revoke_invitation'), private.revoke_invitation(invitation_id, organization_id)) $$;
comment on function public.revoke_invitation(uuid, uuid) is
  'RPC: revoke a pending invitation (members:manage); give organization_id to revoke only one of that organization. Already accepted or revoked: 55000.';

revoke execute on all functions in schema private from public;
grant execute on function private.revoke_invitation(uuid, uuid) to authenticated, service_role;
call private.grant_rpc('public.revoke_invitation(uuid, uuid)');
