-- Platform layer, part 1: the roles a Supabase database has. Roles belong to the
-- cluster, so this part runs once per cluster; the other parts run per database.
-- Runs as the initdb superuser `supabase_admin`. Local development and tests only.
-- Source of truth: shared/supabase-platform-facts.md §1.

-- ── API roles ────────────────────────────────────────────────────────────────
create role anon nologin inherit;
create role authenticated nologin inherit;
create role service_role nologin inherit bypassrls;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
-- Supabase's 2026-04 safeupdate migration (supabase/postgres 20260403172611): the API roles
-- preload pg-safeupdate and enable it. Safe on plain PostgreSQL: anon and authenticated are
-- NOLOGIN, and SET ROLE neither loads preload libraries nor applies role settings; only a
-- client copying them (as PostgREST and functions/_shared/db.ts do) meets them, and the
-- connecting role `postgres` may not set session_preload_libraries, so it must skip it.
-- safeupdate.enabled is a placeholder here (the library is not installed).
alter role anon set session_preload_libraries = '$libdir/plugins/safeupdate';
alter role authenticated set session_preload_libraries = '$libdir/plugins/safeupdate';
alter role anon set safeupdate.enabled = 1;
alter role authenticated set safeupdate.enabled = 1;

-- ── PostgREST's login role ───────────────────────────────────────────────────
create role authenticator login noinherit password 'postgres';
grant anon, authenticated, service_role to authenticator;
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role authenticator set safeupdate.enabled = 1;
-- session_preload_libraries (supautils, safeupdate) omitted on the LOGIN roles (authenticator,
-- postgres): plain PostgreSQL lacks the libraries, and a login would fail loading them.

-- ── postgres: the demoted owner of user migrations and direct connections ────
create role postgres login nosuperuser createdb createrole replication bypassrls inherit
  password 'postgres';
grant anon, authenticated, service_role to postgres;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;
alter role postgres set search_path = "$user", public, extensions;
alter role postgres set safeupdate.enabled = 0;
alter role supabase_admin set search_path = "$user", public, auth, extensions;

-- ── Service admins ───────────────────────────────────────────────────────────
-- supabase_auth_admin lost CREATEROLE in 2026-08 and gained CREATE on the database in 2025-11.
create role supabase_auth_admin login noinherit nobypassrls password 'postgres';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;

create role supabase_storage_admin login noinherit createrole;
alter role supabase_storage_admin set search_path = storage;
create role supabase_realtime_admin login noinherit createrole replication;
create role supabase_functions_admin login noinherit createrole;
alter role supabase_functions_admin set search_path = supabase_functions;

create role dashboard_user nologin createdb createrole replication;
create role supabase_read_only_user login bypassrls;
grant pg_read_all_data to supabase_read_only_user;
create role supabase_replication_admin login replication;
create role supabase_etl_admin login replication;
create role pgbouncer login;
