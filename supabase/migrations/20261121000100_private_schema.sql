-- Tenantry's internal schema: SECURITY DEFINER helpers, settings and hooks.
-- The Data API never exposes it (config.toml [api] schemas lists only public and
-- graphql_public), so nothing here is callable over HTTP unless granted on purpose.

create schema private;
comment on schema private is
  'Tenantry internals: definer-rights helpers, settings and auth hooks. Not exposed by the Data API.';

-- Nobody but the owner gets anything by default; each object grants what it needs.
-- (PostgreSQL grants EXECUTE on new functions to PUBLIC, and per-schema default
-- privileges cannot take that away: every migration that adds private functions ends
-- with `revoke execute on all functions in schema private from public`.)
revoke all on schema private from public;

-- Supabase Auth runs the access token hook as supabase_auth_admin.
grant usage on schema private to supabase_auth_admin;
