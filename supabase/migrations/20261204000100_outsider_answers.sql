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
