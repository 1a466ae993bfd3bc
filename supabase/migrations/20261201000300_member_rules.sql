-- Member and invitation rules, hardened (issue 10, items 2, 3, 4 and 13):
--   * A caller without an active profile is never "leaving": remove_member runs every
--     check for it (a NULL comparison no longer skips them).
--   * Only verified email addresses match: add_member(email => ...) and invitations
--     (accepting, and the invitee's SELECT policy) ignore unverified profile emails, and
--     an email held by several verified profiles is refused as ambiguous.
--   * No adding platform users without their consent: only users:admin holders add a
--     user directly (by id or email). For an organization's member managers,
--     add_member(email => ...) creates an invitation, answered the same way whether or
--     not an account with that email exists; add_member(user_id => ...) is refused.
--   * An invitation is only as good as its inviter's right: accepting re-checks that the
--     inviter may still invite with that role (refused and revoked, audited, if not), and
--     deleting the inviter's profile revokes their pending invitations.

-- The caller's email matches only when verified: private.caller_email() (provisioning
-- hardening migration) returns null otherwise.

-- ── may a (not necessarily calling) user invite with a role? ────────────────
create function private.user_may_invite(inviter uuid, organization_id uuid, role text)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (select 1 from public.profiles p where p.id = inviter and p.disabled_at is null)
     and ('members:manage' = any (private.user_platform_permissions(inviter))
          or exists (
            select 1 from public.memberships m
            join public.role_permissions rp on rp.scope = 'org' and rp.role = m.role and rp.permission = 'members:manage'
            where m.organization_id = user_may_invite.organization_id and m.user_id = inviter
              and private.role_rank('org', m.role) >= private.role_rank('org', user_may_invite.role)))
$$;
comment on function private.user_may_invite(uuid, uuid, text) is
  'Whether a user (active) may still invite to an organization with a role: members:manage there (or platform-wide) and a rank at least the role''s. Definer: reads memberships and roles of another user.';

-- ── owners ───────────────────────────────────────────────────────────────────
create or replace function private.would_orphan(organization_id uuid, leaving uuid)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  -- Row locks serialize concurrent demotions/removals of owners in one organization.
  perform 1 from public.memberships m
  where m.organization_id = would_orphan.organization_id and m.role = 'owner'
  for update;
  -- "is distinct from": a null user leaves nobody out (a null comparison must not decide).
  return not exists (
    select 1 from public.memberships m
    where m.organization_id = would_orphan.organization_id and m.role = 'owner' and m.user_id is distinct from leaving
  );
end;
$$;
comment on function private.would_orphan(uuid, uuid) is 'Whether the organization would have no owner left without this user (locks owner rows).';

-- ── members ──────────────────────────────────────────────────────────────────
create or replace function private.add_member(organization_id uuid, user_id uuid, email text, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  target uuid := user_id;
  clean_email text := lower(pg_catalog.btrim(email));
  matches integer;
  membership public.memberships;
begin
  perform private.require_org_role(role);
  if not private.has_permission('members:manage', organization_id) then
    return private.deny('membership.add', 'you may not add members to this organization', organization_id, 'organization', organization_id::text);
  end if;
  if private.role_rank('org', role) > private.caller_rank_in(organization_id) then
    return private.deny('membership.add', format('you may not grant "%s", which ranks above your own role', role), organization_id, 'organization', organization_id::text);
  end if;
  if target is null and clean_email is null then
    raise exception using errcode = '22023', message = 'give user_id or email';
  end if;

  -- Without users:admin nobody adds a platform user without their consent: by email the
  -- user is invited (the same answer whether or not the account exists), by id refused.
  if not private.has_platform_permission('users:admin') then
    if target is not null then
      return private.deny('membership.add', 'adding a user by id needs users:admin; add them by email to invite them',
                          organization_id, 'organization', organization_id::text);
    end if;
    return private.create_invitation(organization_id, clean_email, role);
  end if;

  if target is null then
    -- Only a verified email identifies a user; two verified profiles with it are ambiguous.
    select count(*)::integer, (array_agg(p.id))[1] into matches, target
    from public.profiles p where lower(p.email) = clean_email and p.email_verified;
    if matches = 0 then
      raise exception using errcode = 'P0002', message = format('no user with the verified email "%s"', clean_email);
    elsif matches > 1 then
      raise exception using errcode = '22023',
        message = format('email "%s" is the verified email of several users; give user_id instead', clean_email);
    end if;
  elsif not exists (select 1 from public.profiles p where p.id = target) then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', target);
  end if;
  insert into public.memberships (organization_id, user_id, role)
  values (organization_id, target, role)
  on conflict do nothing
  returning * into membership;
  if membership is null then
    raise exception using errcode = '23505', message = 'that user is already a member of this organization';
  end if;
  perform private.audit('membership.add', organization_id, 'user', target::text, jsonb_build_object('role', role));
  return to_jsonb(membership);
end;
$$;
comment on function private.add_member(uuid, uuid, text, text) is
  'users:admin holders add a user (by id, or by verified email) with a role no higher than their own; other member managers (members:manage) adding by email create an invitation instead, and may not add by id. Definer: clients have no INSERT on memberships.';
comment on function public.add_member(uuid, uuid, text, text) is
  'RPC: add a member (members:manage). With users:admin: directly, by user id or verified email. Otherwise by email only, which sends an invitation (returned like create_invitation''s, whether or not the account exists).';

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
    return private.deny('membership.remove', 'the last owner cannot leave or be removed; transfer ownership first', organization_id, 'user', user_id::text);
  end if;
  delete from public.memberships m where m.organization_id = remove_member.organization_id and m.user_id = remove_member.user_id;
  perform private.audit(case when leaving then 'membership.leave' else 'membership.remove' end,
    organization_id, 'user', user_id::text, jsonb_build_object('role', target_role));
  return jsonb_build_object('removed', true, 'organization_id', organization_id, 'user_id', user_id);
end;
$$;
comment on function private.remove_member(uuid, uuid) is
  'Removes a member (members:manage) or lets a member leave; never the last owner. A caller without an active profile is never leaving. Definer: clients have no DELETE on memberships.';

-- ── invitations ──────────────────────────────────────────────────────────────
create or replace function private.accept_invitation(token text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
  invitation public.invitations;
  membership public.memberships;
begin
  -- Lock the row first: two concurrent accepts serialize here and only one finds it pending.
  select * into invitation from public.invitations i
  where i.token_hash = extensions.digest(coalesce(token, ''), 'sha256')
  for update;
  if invitation is null or invitation.revoked_at is not null or invitation.accepted_at is not null
     or invitation.expires_at <= pg_catalog.now() then
    return private.deny('invitation.accept', 'this invitation is invalid, expired or already used', invitation.organization_id, 'invitation', invitation.id::text);
  end if;
  -- Only a verified email is the invitee's: an unverified one proves nothing.
  if invitation.email is distinct from private.caller_email() then
    return private.deny('invitation.accept', 'this invitation was sent to another (verified) email address', invitation.organization_id, 'invitation', invitation.id::text);
  end if;
  -- The invitation carries its inviter's right, and no further: re-check it now.
  if invitation.invited_by is not null and not private.user_may_invite(invitation.invited_by, invitation.organization_id, invitation.role) then
    update public.invitations i set revoked_at = pg_catalog.now() where i.id = invitation.id;
    perform private.audit('invitation.revoke', invitation.organization_id, 'invitation', invitation.id::text,
      jsonb_build_object('reason', 'the inviter may no longer invite with this role', 'invited_by', invitation.invited_by, 'role', invitation.role));
    return private.deny('invitation.accept', 'this invitation is no longer valid: its inviter may no longer invite with this role',
                        invitation.organization_id, 'invitation', invitation.id::text);
  end if;
  update public.invitations i set accepted_at = pg_catalog.now(), accepted_by = caller where i.id = invitation.id;
  insert into public.memberships (organization_id, user_id, role)
  values (invitation.organization_id, caller, invitation.role)
  on conflict do nothing
  returning * into membership;
  if membership is null then
    raise exception using errcode = '23505', message = 'you are already a member of this organization';
  end if;
  perform private.audit('invitation.accept', invitation.organization_id, 'invitation', invitation.id::text,
    jsonb_build_object('role', invitation.role));
  return to_jsonb(membership);
end;
$$;
comment on function private.accept_invitation(text) is
  'Accepts an invitation addressed to the caller''s verified email, once, while its inviter may still invite with its role. Definer: creates the membership clients cannot insert.';

-- The inviter's profile deleted (invited_by set null by the foreign key): their pending
-- invitations go with their right to invite.
create function private.revoke_orphaned_invitation()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.revoked_at := pg_catalog.now();
  perform private.audit('invitation.revoke', new.organization_id, 'invitation', new.id::text,
    jsonb_build_object('reason', 'the inviter''s profile was deleted', 'invited_by', old.invited_by));
  return new;
end;
$$;
comment on function private.revoke_orphaned_invitation() is
  'BEFORE UPDATE on invitations: a pending invitation whose inviter is deleted is revoked (audited). Definer: writes audit_events.';
create trigger invitations_revoke_orphaned before update of invited_by on public.invitations
  for each row when (old.invited_by is not null and new.invited_by is null and new.accepted_at is null and new.revoked_at is null)
  execute function private.revoke_orphaned_invitation();

alter policy invitations_select_managers_invitee on public.invitations
  using (
    organization_id = any ((select private.caller_org_ids('members:manage'))::uuid[])
    or lower(email) = (select private.caller_email())
  );
comment on policy invitations_select_managers_invitee on public.invitations is
  'Member managers see their organization''s invitations; invitees see those sent to their verified email.';

grant execute on function private.user_may_invite(uuid, uuid, text) to authenticated, service_role;
revoke execute on all functions in schema private from public;
