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
-- To switch a request to tenantry_platform, the connecting role must be a member of it:
-- PostgREST connects as authenticator, which is now granted the role. PostgREST also
-- switches to whatever role a token's role claim names, so a token naming
-- tenantry_platform is refused here: the role is chosen from the database, never by a
-- token (a trigger such as projects_created_by keys on the claimed role being
-- authenticated).
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
  if pg_catalog.current_setting('role') = 'tenantry_platform' or auth.jwt() ->> 'role' = 'tenantry_platform' then
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

-- ── PostgREST may switch to the role ─────────────────────────────────────────
-- As in migration 20261203000500: where PostgreSQL 16+ grant rules refuse it, the
-- migration still applies and the pre-request keeps requests as authenticated.
do $$
begin
  if exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
    grant tenantry_platform to authenticator;
  end if;
exception when insufficient_privilege or invalid_grant_operation then
  raise notice 'authenticator could not be granted tenantry_platform (%): run "grant tenantry_platform to authenticator" in the SQL editor (README)', sqlerrm;
end $$;

-- ── PostgREST runs it ────────────────────────────────────────────────────────
-- In-database configuration, for this database only. A pre-request the project already
-- has is kept: it should call tenantry_request.pre_request() itself (README). On a hosted
-- project authenticator is a reserved role that only the dashboard's SQL editor may
-- change, so there both steps may be refused here and the README gives the statements.
do $$
declare
  configured text;
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
    return;
  end if;
  select split_part(s.setting, '=', 2) into configured
  from pg_catalog.pg_db_role_setting d
  join pg_catalog.pg_roles r on r.oid = d.setrole and r.rolname = 'authenticator'
  cross join unnest(d.setconfig) as s(setting)
  where d.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database()))
    and s.setting like 'pgrst.db_pre_request=%'
  order by d.setdatabase desc
  limit 1;
  if configured is null then
    execute format('alter role authenticator in database %I set pgrst.db_pre_request = %L',
                   pg_catalog.current_database(), 'tenantry_request.pre_request');
    notify pgrst, 'reload config';
  elsif configured <> 'tenantry_request.pre_request' then
    raise notice 'PostgREST already runs % before every request; call tenantry_request.pre_request() from it', configured;
  end if;
exception when insufficient_privilege then
  raise notice 'PostgREST''s pre-request could not be set (%): run "alter role authenticator set pgrst.db_pre_request = ''tenantry_request.pre_request''; notify pgrst, ''reload config''" in the SQL editor (README)', sqlerrm;
end $$;

comment on function private.pre_request() is
  'Runs a signed-in caller who holds a platform role as tenantry_platform for the transaction, so platform-wide reads plan without enumerating organizations; reached through tenantry_request.pre_request (PostgREST and the edge functions). Does nothing where tenantry_platform could not be set up. Invoker: SET ROLE is refused inside a definer function.';
