-- Token revocation (issue 10 item 27): revoking a token that is already revoked is a
-- conflict with the token's state, not bad input. It raises SQLSTATE 55000
-- (object_not_in_prerequisite_state), which the edge functions answer with 409
-- `conflict`, and the message names the token. Everything else in private.revoke_token
-- is unchanged: lookup (P0002), the token-scope and ownership refusals (audited
-- through private.deny), the update and its audit event.

create or replace function private.revoke_token(token_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.personal_access_tokens;
  token_scopes text[] := private.token_scopes();
begin
  select * into target from public.personal_access_tokens t where t.id = token_id for update;
  if target is null then
    raise exception using errcode = 'P0002', message = 'no such token';
  end if;
  if token_scopes is not null and not 'tokens:manage' = any (token_scopes) then
    return private.deny('token.revoke', 'this token may not manage tokens (it lacks tokens:manage)', null, 'token', token_id::text);
  end if;
  if target.user_id is distinct from private.caller_id() and not private.has_platform_permission('users:admin') then
    return private.deny('token.revoke', 'you may revoke only your own tokens', null, 'token', token_id::text);
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
  'Revokes one of your tokens (any, with users:admin); 55000 (HTTP 409) when it is already revoked. Definer: clients have no UPDATE on tokens.';

revoke execute on all functions in schema private from public;
grant execute on function private.revoke_token(uuid) to authenticated, service_role;
