-- Platform layer, part 2: database privileges, schemas, extensions and the Data API
-- exposure setting. Source of truth: shared/supabase-platform-facts.md §2.

-- ── this database ────────────────────────────────────────────────────────────
-- supabase_auth_admin gained CREATE on the database in 2025-11.
do $$
begin
  execute format('grant all on database %I to postgres, dashboard_user', current_database());
  execute format('grant create on database %I to supabase_auth_admin', current_database());
  -- The Data API's exposed schemas, read by the advisors' exposure lints.
  execute format('alter database %I set pgrst.db_schemas = %L', current_database(), 'public,graphql_public');
end;
$$;

-- ── public ───────────────────────────────────────────────────────────────────
-- Deliberately no default privileges for the API roles: since 2026-10-30 new public
-- tables are not granted automatically, so a migration that forgets a GRANT fails here too.
alter schema public owner to postgres;
grant usage on schema public to anon, authenticated, service_role;

-- ── extensions ───────────────────────────────────────────────────────────────
create schema extensions authorization postgres;
grant usage on schema extensions to anon, authenticated, service_role;
create extension pgcrypto with schema extensions;
create extension "uuid-ossp" with schema extensions;
-- Supabase lets postgres create pgtap through supautils; plain PostgreSQL needs a superuser.
create extension pgtap with schema extensions;

-- ── auth (tables follow in 03_auth.sql) ──────────────────────────────────────
create schema auth authorization supabase_admin;
grant usage on schema auth to anon, authenticated, service_role;
grant create, usage on schema auth to supabase_auth_admin;
grant all on schema auth to dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth
  grant all on functions to postgres, dashboard_user;

-- ── other platform schemas ───────────────────────────────────────────────────
create schema graphql_public authorization supabase_admin;
grant usage on schema graphql_public to anon, authenticated, service_role;
create schema storage authorization supabase_admin;
grant usage on schema storage to anon, authenticated, service_role;
grant all on schema storage to supabase_storage_admin;
