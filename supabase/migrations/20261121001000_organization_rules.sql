-- Organization rules (SPEC F4) as RPC functions. Each public function is a thin
-- SECURITY INVOKER entry point (what supabase-js calls); the work happens in a
-- private SECURITY DEFINER function that checks permissions, enforces the rules and
-- audits in the same transaction.
--
-- Errors: bad input raises 22023 (HTTP 400) and conflicts 23505 (409), with messages
-- that name the field; a refused privileged action is audited and answered 403 with
-- {"error": {"code": "forbidden", "message": ...}} (see private.deny).

-- ── helpers ──────────────────────────────────────────────────────────────────
create function private.normalize_slug(raw text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- "  Acme Corp_EU " → "acme-corp-eu": lower-case, separators to hyphens, the rest dropped.
  select pg_catalog.btrim(
    pg_catalog.regexp_replace(
      pg_catalog.regexp_replace(pg_catalog.lower(pg_catalog.btrim(raw)), '[\s_.]+', '-', 'g'),
      '[^a-z0-9-]+|-{2,}', '', 'g'),
    '-')
$$;
comment on function private.normalize_slug(text) is 'Lower-cases a slug and turns spaces, dots and underscores into hyphens.';

create function private.valid_slug(raw text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  slug text := private.normalize_slug(raw);
begin
  if slug is null or slug !~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$' then
    raise exception using errcode = '22023',
      message = format('slug "%s" is invalid', raw),
      hint = 'Use 1–48 lower-case letters, digits and inner hyphens.';
  end if;
  return slug;
end;
$$;
comment on function private.valid_slug(text) is 'Normalises a slug or raises 22023 naming it.';

create function private.valid_org_name(raw text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  name text := pg_catalog.btrim(raw);
begin
  if name is null or char_length(name) not between 1 and 100 then
    raise exception using errcode = '22023', message = 'name must be 1–100 characters';
  end if;
  return name;
end;
$$;
comment on function private.valid_org_name(text) is 'Trims an organization name or raises 22023.';

create function private.raise_org_conflict(constraint_name text, slug text, name text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if constraint_name = 'organizations_slug_key' then
    raise exception using errcode = '23505', message = format('an organization with slug "%s" already exists', slug);
  elsif constraint_name = 'organizations_name_key' then
    raise exception using errcode = '23505', message = format('an organization named "%s" already exists', name);
  end if;
  raise exception using errcode = '23505', message = 'organization conflicts with an existing one';
end;
$$;
comment on function private.raise_org_conflict(text, text, text) is 'Turns a unique violation on organizations into a clear conflict error.';

create function private.role_rank(scope text, role text)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select r.rank from public.roles r where r.scope = role_rank.scope and r.name = role_rank.role
$$;
comment on function private.role_rank(text, text) is 'Rank of a role. Definer: callers may not read roles directly in every context.';

create function private.caller_rank_in(organization_id uuid)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select case
    when private.has_platform_permission('members:manage') then 2147483647
    else coalesce(private.role_rank('org', private.org_role(organization_id, private.caller_id())), 0)
  end
$$;
comment on function private.caller_rank_in(uuid) is
  'The caller''s rank in an organization (unbounded for platform member managers). Definer: reads memberships.';

create function private.require_org_role(role text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if private.role_rank('org', role) is null then
    raise exception using errcode = '22023', message = format('role "%s" is not an organization role', role);
  end if;
end;
$$;
comment on function private.require_org_role(text) is 'Raises 22023 unless the role is an organization role.';

create function private.require_caller()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
begin
  if caller is null then
    raise exception using errcode = '42501', message = 'sign in first: no active profile for this caller';
  end if;
  return caller;
end;
$$;
comment on function private.require_caller() is 'The caller''s profile id, or 42501 when there is none.';

create function private.would_orphan(organization_id uuid, leaving uuid)
returns boolean
language plpgsql
set search_path = ''
as $$
begin
  -- Row locks serialize concurrent demotions/removals of owners in one organization.
  perform 1 from public.memberships m
  where m.organization_id = would_orphan.organization_id and m.role = 'owner'
  for update;
  return not exists (
    select 1 from public.memberships m
    where m.organization_id = would_orphan.organization_id and m.role = 'owner' and m.user_id <> leaving
  );
end;
$$;
comment on function private.would_orphan(uuid, uuid) is 'Whether the organization would have no owner left without this user (locks owner rows).';

-- ── organizations ────────────────────────────────────────────────────────────
create function private.create_organization(name text, slug text, description text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
  org public.organizations;
  clean_name text := private.valid_org_name(name);
  clean_slug text := private.valid_slug(coalesce(slug, name));
begin
  begin
    insert into public.organizations (slug, name, description, created_by)
    values (clean_slug, clean_name, nullif(pg_catalog.btrim(description), ''), caller)
    returning * into org;
  exception when unique_violation then
    declare
      constraint_name text;
    begin
      get stacked diagnostics constraint_name = constraint_name;
      perform private.raise_org_conflict(constraint_name, clean_slug, clean_name);
    end;
  end;
  insert into public.memberships (organization_id, user_id, role) values (org.id, caller, 'owner');
  perform private.audit('organization.create', org.id, 'organization', org.id::text, jsonb_build_object('slug', org.slug, 'name', org.name));
  return to_jsonb(org);
end;
$$;
comment on function private.create_organization(text, text, text) is
  'Creates an organization owned by the caller. Definer: inserts the owner membership clients cannot insert.';

create function private.update_organization(organization_id uuid, name text, slug text, description text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  before public.organizations;
  after public.organizations;
begin
  if not private.has_permission('org:update', organization_id) then
    return private.deny('organization.update', 'you may not update this organization', organization_id, 'organization', organization_id::text);
  end if;
  select * into before from public.organizations o where o.id = organization_id for update;
  begin
    update public.organizations o
    set name = case when update_organization.name is null then o.name else private.valid_org_name(update_organization.name) end,
        slug = case when update_organization.slug is null then o.slug else private.valid_slug(update_organization.slug) end,
        description = case when update_organization.description is null then o.description
                           else nullif(pg_catalog.btrim(update_organization.description), '') end
    where o.id = organization_id
    returning * into after;
  exception when unique_violation then
    declare
      constraint_name text;
    begin
      get stacked diagnostics constraint_name = constraint_name;
      perform private.raise_org_conflict(constraint_name, private.normalize_slug(slug), pg_catalog.btrim(name));
    end;
  end;
  perform private.audit('organization.update', organization_id, 'organization', organization_id::text,
    jsonb_build_object('before', jsonb_build_object('slug', before.slug, 'name', before.name, 'description', before.description),
                       'after', jsonb_build_object('slug', after.slug, 'name', after.name, 'description', after.description)));
  return to_jsonb(after);
end;
$$;
comment on function private.update_organization(uuid, text, text, text) is
  'Renames an organization or changes its slug/description (org:update). Definer: clients have no UPDATE on organizations.';

create function private.delete_organization(organization_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  org public.organizations;
begin
  if not private.has_permission('org:delete', organization_id) then
    return private.deny('organization.delete', 'you may not delete this organization', organization_id, 'organization', organization_id::text);
  end if;
  select * into org from public.organizations o where o.id = organization_id for update;
  if org.is_default then
    return private.deny('organization.delete', 'the default organization cannot be deleted', organization_id, 'organization', organization_id::text);
  end if;
  delete from public.organizations o where o.id = organization_id;
  perform private.audit('organization.delete', organization_id, 'organization', organization_id::text,
    jsonb_build_object('slug', org.slug, 'name', org.name));
  return jsonb_build_object('deleted', true, 'id', organization_id);
end;
$$;
comment on function private.delete_organization(uuid) is 'Deletes a non-default organization (org:delete). Definer: clients have no DELETE on organizations.';

-- ── members ──────────────────────────────────────────────────────────────────
create function private.add_member(organization_id uuid, user_id uuid, email text, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  target uuid := user_id;
  membership public.memberships;
begin
  perform private.require_org_role(role);
  if not private.has_permission('members:manage', organization_id) then
    return private.deny('membership.add', 'you may not add members to this organization', organization_id, 'organization', organization_id::text);
  end if;
  if private.role_rank('org', role) > private.caller_rank_in(organization_id) then
    return private.deny('membership.add', format('you may not grant "%s", which ranks above your own role', role), organization_id, 'organization', organization_id::text);
  end if;
  if target is null and email is not null then
    select p.id into target from public.profiles p where lower(p.email) = lower(pg_catalog.btrim(add_member.email)) order by p.created_at limit 1;
    if target is null then
      raise exception using errcode = 'P0002', message = format('no user with email "%s"', email);
    end if;
  elsif target is null then
    raise exception using errcode = '22023', message = 'give user_id or email';
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
  'Adds a user (by id or email) with a role no higher than the caller''s (members:manage). Definer: clients have no INSERT on memberships.';

create function private.remove_member(organization_id uuid, user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.caller_id();
  target_role text := private.org_role(organization_id, user_id);
  leaving boolean := user_id = caller;
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
  'Removes a member (members:manage) or lets a member leave; never the last owner. Definer: clients have no DELETE on memberships.';

create function private.change_member_role(organization_id uuid, user_id uuid, role text)
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
    return private.deny('membership.change_role', 'the last owner cannot be demoted; transfer ownership first', organization_id, 'user', user_id::text);
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
  'Changes another member''s role within the caller''s own rank (members:manage). Definer: clients have no UPDATE on memberships.';

create function private.transfer_ownership(organization_id uuid, new_owner_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
begin
  if private.org_role(organization_id, caller) is distinct from 'owner' then
    return private.deny('organization.transfer_ownership', 'only an owner can transfer ownership', organization_id, 'user', new_owner_id::text);
  end if;
  if new_owner_id = caller then
    raise exception using errcode = '22023', message = 'new_owner_id must be another member';
  end if;
  if private.org_role(organization_id, new_owner_id) is null then
    raise exception using errcode = 'P0002', message = 'the new owner must already be a member of this organization';
  end if;
  perform private.would_orphan(organization_id, caller);  -- takes the owner locks
  update public.memberships m set role = 'owner' where m.organization_id = transfer_ownership.organization_id and m.user_id = new_owner_id;
  update public.memberships m set role = 'admin' where m.organization_id = transfer_ownership.organization_id and m.user_id = caller;
  perform private.audit('organization.transfer_ownership', organization_id, 'user', new_owner_id::text,
    jsonb_build_object('from', caller, 'to', new_owner_id));
  return jsonb_build_object('organization_id', organization_id, 'owner_id', new_owner_id, 'previous_owner_role', 'admin');
end;
$$;
comment on function private.transfer_ownership(uuid, uuid) is
  'Makes another member owner and the calling owner admin. Definer: clients have no UPDATE on memberships.';

-- ── invitations ──────────────────────────────────────────────────────────────
create function private.create_invitation(organization_id uuid, email text, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  clean_email text := lower(pg_catalog.btrim(email));
  token text := pg_catalog.encode(extensions.gen_random_bytes(32), 'hex');
  invitation public.invitations;
begin
  perform private.require_org_role(role);
  if clean_email is null or clean_email !~ '^[^@\s]+@[^@\s]+$' then
    raise exception using errcode = '22023', message = format('email "%s" is not an email address', email);
  end if;
  if not private.has_permission('members:manage', organization_id) then
    return private.deny('invitation.create', 'you may not invite members to this organization', organization_id, 'organization', organization_id::text);
  end if;
  if private.role_rank('org', role) > private.caller_rank_in(organization_id) then
    return private.deny('invitation.create', format('you may not invite as "%s", which ranks above your own role', role), organization_id, 'organization', organization_id::text);
  end if;
  begin
    insert into public.invitations (organization_id, email, role, token_hash, invited_by, expires_at)
    values (organization_id, clean_email, role, extensions.digest(token, 'sha256'), private.caller_id(),
            pg_catalog.now() + (select s.invitation_ttl from private.settings s))
    returning * into invitation;
  exception when unique_violation then
    raise exception using errcode = '23505', message = format('%s already has a pending invitation to this organization', clean_email);
  end;
  perform private.audit('invitation.create', organization_id, 'invitation', invitation.id::text,
    jsonb_build_object('email', clean_email, 'role', role));
  -- The token is returned once, here, and only its hash is kept.
  return (to_jsonb(invitation) - 'token_hash') || jsonb_build_object('token', token);
end;
$$;
comment on function private.create_invitation(uuid, text, text) is
  'Invites an email address with a role no higher than the caller''s (members:manage). Definer: clients have no INSERT on invitations.';

create function private.revoke_invitation(invitation_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
begin
  select * into invitation from public.invitations i where i.id = invitation_id for update;
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
    raise exception using errcode = '22023', message = 'the invitation was already accepted or revoked';
  end if;
  perform private.audit('invitation.revoke', invitation.organization_id, 'invitation', invitation_id::text, '{}'::jsonb);
  return to_jsonb(invitation) - 'token_hash';
end;
$$;
comment on function private.revoke_invitation(uuid) is 'Revokes a pending invitation (members:manage). Definer: clients have no UPDATE on invitations.';

create function private.accept_invitation(token text)
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
  if invitation.email is distinct from private.caller_email() then
    return private.deny('invitation.accept', 'this invitation was sent to another email address', invitation.organization_id, 'invitation', invitation.id::text);
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
  'Accepts an invitation addressed to the caller''s email, once. Definer: creates the membership clients cannot insert.';

-- ── platform roles (manual grants; IdP sync arrives with the identity provider work) ──
create function private.grant_platform_role(user_id uuid, role text)
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
comment on function private.grant_platform_role(uuid, text) is 'Grants a platform role as an admin grant (users:admin). Definer: clients cannot write assignments.';

create function private.revoke_platform_role(user_id uuid, role text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  removed public.platform_role_assignments;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('platform_role.revoke', 'you may not revoke platform roles', null, 'user', user_id::text);
  end if;
  if user_id = private.caller_id() then
    return private.deny('platform_role.revoke', 'you may not revoke your own platform roles', null, 'user', user_id::text);
  end if;
  delete from public.platform_role_assignments a where a.user_id = revoke_platform_role.user_id and a.role = revoke_platform_role.role
  returning * into removed;
  if removed is null then
    raise exception using errcode = 'P0002', message = format('the user does not hold platform role "%s"', role);
  end if;
  perform private.audit('platform_role.revoke', null, 'user', user_id::text, jsonb_build_object('role', role, 'source', removed.source));
  return jsonb_build_object('revoked', true, 'user_id', user_id, 'role', role);
end;
$$;
comment on function private.revoke_platform_role(uuid, text) is 'Revokes a platform role (users:admin). Definer: clients cannot write assignments.';

-- ── the RPC surface (security invoker) ──────────────────────────────────────
create function public.create_organization(name text, slug text default null, description text default null)
returns jsonb language sql set search_path = '' as $$ select private.create_organization(name, slug, description) $$;
create function public.update_organization(organization_id uuid, name text default null, slug text default null, description text default null)
returns jsonb language sql set search_path = '' as $$ select private.update_organization(organization_id, name, slug, description) $$;
create function public.delete_organization(organization_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.delete_organization(organization_id) $$;
create function public.add_member(organization_id uuid, user_id uuid default null, email text default null, role text default 'member')
returns jsonb language sql set search_path = '' as $$ select private.add_member(organization_id, user_id, email, role) $$;
create function public.remove_member(organization_id uuid, user_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.remove_member(organization_id, user_id) $$;
create function public.leave_organization(organization_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.remove_member(organization_id, private.require_caller()) $$;
create function public.change_member_role(organization_id uuid, user_id uuid, role text)
returns jsonb language sql set search_path = '' as $$ select private.change_member_role(organization_id, user_id, role) $$;
create function public.transfer_ownership(organization_id uuid, new_owner_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.transfer_ownership(organization_id, new_owner_id) $$;
create function public.create_invitation(organization_id uuid, email text, role text default 'member')
returns jsonb language sql set search_path = '' as $$ select private.create_invitation(organization_id, email, role) $$;
create function public.revoke_invitation(invitation_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.revoke_invitation(invitation_id) $$;
create function public.accept_invitation(token text)
returns jsonb language sql set search_path = '' as $$ select private.accept_invitation(token) $$;
create function public.grant_platform_role(user_id uuid, role text)
returns jsonb language sql set search_path = '' as $$ select private.grant_platform_role(user_id, role) $$;
create function public.revoke_platform_role(user_id uuid, role text)
returns jsonb language sql set search_path = '' as $$ select private.revoke_platform_role(user_id, role) $$;

comment on function public.create_organization(text, text, text) is 'RPC: create an organization you own. Slug defaults to one derived from the name.';
comment on function public.update_organization(uuid, text, text, text) is 'RPC: change name, slug or description (org:update). Null leaves a field as it is.';
comment on function public.delete_organization(uuid) is 'RPC: delete a non-default organization (org:delete).';
comment on function public.add_member(uuid, uuid, text, text) is 'RPC: add a member by user id or email (members:manage).';
comment on function public.remove_member(uuid, uuid) is 'RPC: remove a member (members:manage), never the last owner.';
comment on function public.leave_organization(uuid) is 'RPC: leave an organization, unless you are its last owner.';
comment on function public.change_member_role(uuid, uuid, text) is 'RPC: change another member''s role within your rank (members:manage).';
comment on function public.transfer_ownership(uuid, uuid) is 'RPC: hand ownership to another member; you become admin.';
comment on function public.create_invitation(uuid, text, text) is 'RPC: invite an email address; the returned token is shown once.';
comment on function public.revoke_invitation(uuid) is 'RPC: revoke a pending invitation (members:manage).';
comment on function public.accept_invitation(text) is 'RPC: accept an invitation sent to your email address.';
comment on function public.grant_platform_role(uuid, text) is 'RPC: grant a platform role (users:admin).';
comment on function public.revoke_platform_role(uuid, text) is 'RPC: revoke a platform role (users:admin).';

-- ── grants ───────────────────────────────────────────────────────────────────
-- Internal helpers: reachable from the RPC entry points (which run as the caller).
grant execute on function
  private.normalize_slug(text), private.valid_slug(text), private.valid_org_name(text),
  private.raise_org_conflict(text, text, text), private.role_rank(text, text), private.caller_rank_in(uuid),
  private.require_org_role(text), private.require_caller(), private.org_role(uuid, uuid),
  private.create_organization(text, text, text), private.update_organization(uuid, text, text, text),
  private.delete_organization(uuid), private.add_member(uuid, uuid, text, text), private.remove_member(uuid, uuid),
  private.change_member_role(uuid, uuid, text), private.transfer_ownership(uuid, uuid),
  private.create_invitation(uuid, text, text), private.revoke_invitation(uuid), private.accept_invitation(text),
  private.grant_platform_role(uuid, text), private.revoke_platform_role(uuid, text)
  to authenticated, service_role;

call private.grant_rpc(
  'public.create_organization(text, text, text)', 'public.update_organization(uuid, text, text, text)',
  'public.delete_organization(uuid)', 'public.add_member(uuid, uuid, text, text)', 'public.remove_member(uuid, uuid)',
  'public.leave_organization(uuid)', 'public.change_member_role(uuid, uuid, text)', 'public.transfer_ownership(uuid, uuid)',
  'public.create_invitation(uuid, text, text)', 'public.revoke_invitation(uuid)', 'public.accept_invitation(text)',
  'public.grant_platform_role(uuid, text)', 'public.revoke_platform_role(uuid, text)');

-- New functions are executable by PUBLIC until revoked; private ones are granted explicitly above.
revoke execute on all functions in schema private from public;
