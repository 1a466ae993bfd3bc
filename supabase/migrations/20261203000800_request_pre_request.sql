-- ════════════════════════════════════════════════════════════════════════════
-- PostgREST's pre-request: platform-wide readers plan as tenantry_platform on every
-- client path (issue 13; SPEC F4, F6).
--
-- PostgREST runs its db-pre-request for every request, as the request's role: anon and
-- the secret key (service_role) too, and neither can reach schema private. So the entry
-- point lives in its own schema, tenantry_request, which every API role may use and
-- PostgREST does not expose (it is not in pgrst.db_schemas: nothing here is an RPC).
-- The edge functions call the same function, so every request takes one path.
--
-- To switch a request to tenantry_platform, the connecting role must be a member of it,
-- and PostgREST must be told to run this function. Both are the operator's step (README:
-- "Platform-wide readers"), taken together, and no migration takes them: on a hosted
-- project authenticator is a reserved role, and a pre-request the project configured
-- outside the database (environment, config file) cannot be seen from here to be kept.
-- Once authenticator is a member, PostgREST would also switch to tenantry_platform for a
-- token whose role claim names it; such a token is refused here, so the role is chosen
-- from the database, never by a token (a trigger such as projects_created_by keys on the
-- claimed role being authenticated).
-- ════════════════════════════════════════════════════════════════════════════

create schema tenantry_request;
comment on schema tenantry_request is
  'Tenantry: what PostgREST and the edge functions run before every request (db-pre-request). Usable by every API role, exposed by none: not in pgrst.db_schemas, so nothing here is an RPC.';
revoke all on schema tenantry_request from public;
grant usage on schema tenantry_request to anon, authenticated, service_role;

create function tenantry_request.pre_request()
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- The claimed role, not the current one: after this function switched a request, a
  -- second call (a project's own pre-request calling this one) must not refuse it.
  if auth.jwt() ->> 'role' = 'tenantry_platform' then
    raise exception using errcode = '42501', message = 'a token may not name the role tenantry_platform';
  end if;
  -- Anonymous requests and the secret key plan as they are.
  if pg_catalog.current_setting('role') = 'authenticated' then
    perform private.pre_request();
  end if;
end;
$$;
comment on function tenantry_request.pre_request() is
  'PostgREST''s db-pre-request and the edge functions'' first call: refuses a token that names tenantry_platform, and runs a signed-in caller who holds a platform role as tenantry_platform (private.pre_request). Invoker: SET ROLE is refused inside a definer function.';
revoke execute on function tenantry_request.pre_request() from public;
grant execute on function tenantry_request.pre_request() to anon, authenticated, service_role;

comment on function private.pre_request() is
  'Runs a signed-in caller who holds a platform role as tenantry_platform for the transaction, so platform-wide reads plan without enumerating organizations; reached through tenantry_request.pre_request (PostgREST and the edge functions). Does nothing where tenantry_platform could not be set up. Invoker: SET ROLE is refused inside a definer function.';
