-- ════════════════════════════════════════════════════════════════════════════
-- An outsider learns nothing about another tenant's objects (issue 14; SPEC §2).
--
-- supabase/tests/61_outsider_differential.test.sql calls every function the
-- authenticated role may execute as a user of another organization, once with
-- organization A's ids and once with ids nobody has, and requires the same answer. It
-- found:
-- * revoke_personal_access_token (an RPC): "you may revoke only your own tokens" for
--   another user's token, "no such token" (404) for an unknown id, so any caller could
--   tell whether a token id exists. Now both are refused the same way ("no such token
--   among yours", audited).
--   A caller with users:admin, who may revoke any token, still gets 404 for an unknown id.
-- * enforce_quota, which the quota triggers (invoker functions) call, answered an
--   outsider "quota exceeded … 4 are in use" for a full organization and nothing for an
--   unknown one, and locked the organization's row: called directly, outside a trigger,
--   by anyone but the operator or a users:admin holder, it now refuses alike for every
--   subject.
-- * org_role, quota_used, resolve_flags, user_may_invite, user_platform_permissions and
--   role_overrides_json answered for any organization or user, and verify_audit_chain
--   gave anyone the head of the whole chain. Only SECURITY DEFINER functions call them (running as their
--   owner), so the API roles no longer hold EXECUTE on them. (Schema private is not
--   exposed to the Data API, so they were reachable only from a direct SQL session.)
-- ════════════════════════════════════════════════════════════════════════════

create or replace function private.revoke_token(token_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.personal_access_tokens;
  token_scopes text[] := private.token_scopes();
  any_token boolean := private.has_platform_permission('users:admin');
begin
  if token_scopes is not null and not 'tokens:manage' = any (token_scopes) then
    return private.deny('token.revoke', 'this token may not manage tokens (it lacks tokens:manage)', null, 'token', token_id::text);
  end if;
  -- Only tokens the caller may revoke are looked up (and locked): another user's token
  -- and an unknown id get the same refusal.
  select * into target from public.personal_access_tokens t
  where t.id = token_id and (any_token or t.user_id = private.caller_id())
  for update;
  if not found then
    if any_token then
      raise exception using errcode = 'P0002', message = 'no such token';
    end if;
    return private.deny('token.revoke', 'no such token among yours', null, 'token', token_id::text);
  end if;
  if target.revoked_at is not null then
    raise exception using errcode = '55000',
      message = format('token "%s" (%s) is already revoked, since %s', target.name, target.prefix, target.revoked_at);
  end if;
  update public.personal_access_tokens t set revoked_at = pg_catalog.now() where t.id = token_id returning * into target;
  perform private.audit('token.revoke', null, 'token', token_id::text, jsonb_build_object('user_id', target.user_id));
  return to_jsonb(target) - 'token_hash';
end;
$$;
comment on function private.revoke_token(uuid) is
  'Revokes one of your tokens (any, with users:admin); another user''s token is refused exactly like an unknown id (for users:admin, an unknown id is 404); 55000 (HTTP 409) when it is already revoked. Definer: clients have no UPDATE on tokens.';

revoke execute on function private.org_role(uuid, uuid) from authenticated, service_role;
revoke execute on function private.quota_used(text, uuid) from authenticated, service_role;
revoke execute on function private.resolve_flags(uuid, uuid) from authenticated, service_role;
revoke execute on function private.user_may_invite(uuid, uuid, text) from authenticated, service_role;
revoke execute on function private.user_platform_permissions(uuid) from authenticated, service_role;
revoke execute on function private.role_overrides_json(uuid) from authenticated, service_role;
revoke execute on function private.verify_audit_chain(bigint, text) from authenticated, service_role;

create or replace function private.enforce_quota(limit_name text, subject uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  plan text;
  fresh_personal boolean := false;
  maximum integer;
  used bigint;
begin
  -- Called by the quota triggers (check_quota), by RPCs that checked users:admin and by
  -- the operator. Anyone else calling it directly would learn another tenant's plan and
  -- usage and lock its row: refused alike for every subject. (Not "no claims": a session
  -- can clear its own.)
  if pg_catalog.pg_trigger_depth() = 0 and not private.is_operator() and not private.has_platform_permission('users:admin') then
    raise exception using errcode = '42501', message = 'quotas are enforced by the writes they limit';
  end if;
  -- Lock the parent first (racing writers queue here), then count only if the plan has a limit.
  case limit_name
  when 'members_per_org', 'projects_per_org' then
    -- The default organization has no member limit, and every signup joins it: locking
    -- it here would make all signups queue behind each other for nothing.
    if limit_name = 'members_per_org' and exists (select 1 from public.organizations o where o.id = subject and o.is_default) then
      return;
    end if;
    select case when o.is_default and limit_name = 'members_per_org' then null else o.plan end,
           o.is_personal and o.created_at = pg_catalog.now() and private.written_by_this_transaction(o.xmin)
    into plan, fresh_personal
    from public.organizations o where o.id = subject for no key update;
    -- A personal organization created in this transaction (provisioning) is exempt.
    if fresh_personal then
      return;
    end if;
  else
    select p.plan into plan from public.profiles p where p.id = subject for no key update;
  end case;
  maximum := private.quota_max(limit_name, plan);
  if maximum is not null then
    used := private.quota_used(limit_name, subject);
    if used >= maximum then
      perform private.quota_exceeded(limit_name, plan, maximum, used);
    end if;
  end if;
end;
$$;
comment on function private.enforce_quota(text, uuid) is
  'Locks the parent (organization or profile), counts and raises PT403 when the plan''s limit is reached; a personal organization created in this transaction is exempt. Refuses (42501) a direct call outside a trigger by anyone but the operator or a users:admin holder. Definer: counts rows the writing user may not see.';
