-- ════════════════════════════════════════════════════════════════════════════
-- USER_MGMT_ENFORCE (SPEC F15): with the variable off, the admin API's permission
-- checks pass for any active signed-in caller; RLS stays as it is.
--
-- The variable lives in the edge function's environment, so the function has to tell
-- SQL, and a client must not be able to say the same. The function, still connected as
-- its own role (postgres) and before it switches to the caller's, runs
-- private.waive_enforcement(): it sets a transaction-local setting to a random key kept
-- in a private table. The API roles can neither execute that function nor read the key,
-- so a client's set_config of the same setting never matches it.
-- private.has_platform_permission() honours the waiver, for reading only: the gate drops
-- it before any RPC that changes data (a role granted under it would outlive the toggle),
-- and an anonymous Supabase user never has it. Caller checks (no profile, disabled,
-- unknown issuer) and token scopes are not permission checks and still refuse.
-- ════════════════════════════════════════════════════════════════════════════

create table private.enforcement_waiver_key (
  id boolean primary key default true check (id),
  key text not null default encode(sha256((gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text)::bytea), 'hex')
);
comment on table private.enforcement_waiver_key is
  'The one key private.waive_enforcement() writes into tenantry.enforcement_waiver. Only the functions'' own database role reads it; a client cannot forge the setting.';
insert into private.enforcement_waiver_key default values;
revoke all on private.enforcement_waiver_key from public, anon, authenticated, service_role;

create function private.waive_enforcement()
returns void
language sql
set search_path = ''
as $$
  select pg_catalog.set_config('tenantry.enforcement_waiver', k.key, true) from private.enforcement_waiver_key k
$$;
comment on function private.waive_enforcement() is
  'Called by the admin edge function (as its own role, before switching to the caller''s) when USER_MGMT_ENFORCE is off: permission checks pass for the rest of the transaction. Not executable by the API roles.';
revoke execute on function private.waive_enforcement() from public, anon, authenticated, service_role;

create function private.enforcement_waived()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(pg_catalog.current_setting('tenantry.enforcement_waiver', true) = k.key, false)
     and coalesce((auth.jwt() ->> 'is_anonymous')::boolean, false) is false
  from private.enforcement_waiver_key k
$$;
comment on function private.enforcement_waived() is
  'Whether this transaction runs under the admin function''s USER_MGMT_ENFORCE waiver (never for an anonymous Supabase user; the gate drops it before a mutating RPC). Definer: compares with the key the caller cannot read.';
revoke execute on function private.enforcement_waived() from public;  -- called by definer functions only

create or replace function private.has_platform_permission(permission text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return permission = any (private.caller_platform_permissions())
      or (private.caller_id() is not null and private.enforcement_waived());
end;
$$;
comment on function private.has_platform_permission(text) is
  'Whether a platform role (or the service_role key) gives the caller this permission, or the transaction runs under the USER_MGMT_ENFORCE waiver for an active user. Definer: see caller_platform_permissions.';

-- ── the gate: the waiver is for reading ─────────────────────────────────────
create or replace function private.gate(rpc text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  contract private.rpc_contracts;
  problem text;
begin
  select * into contract from private.rpc_contracts c where c.rpc = gate.rpc;
  if contract is null then
    -- Fail closed: an RPC without a contract is a bug (the tests catch it first).
    raise exception using errcode = '42501', message = format('RPC %s has no contract', rpc);
  end if;
  if private.is_operator() or auth.role() = 'service_role' then
    if contract.operator then
      return null;
    end if;
    return private.deny(contract.action, format('%s acts as a signed-in user; the operator and the secret key are none (call it with a user''s token)', rpc),
                        null, 'rpc', rpc);
  end if;
  if contract.mutating then
    -- The USER_MGMT_ENFORCE waiver opens the admin API for reading only: a change (a role
    -- granted, a member added, a user disabled) outlives the toggle, so it needs real permissions.
    perform pg_catalog.set_config('tenantry.enforcement_waiver', '', true);
  end if;
  problem := private.caller_problem(contract.caller);
  if problem is not null then
    return private.deny(contract.action, problem, null, 'rpc', rpc);
  end if;
  if contract.scope is not null and not private.token_allows(contract.scope) then
    return private.deny(contract.action, format('this personal access token lacks the %s scope', contract.scope), null, 'rpc', rpc);
  end if;
  return null;
end;
$$;
