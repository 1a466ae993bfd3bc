-- Caller state for the hardening work (issue 10): who an operator is, and whether a
-- profile's email address is verified. Later migrations build on both.
--
-- An operator is a plain SQL session of the database owner (the SQL editor, psql on
-- SUPABASE_DB_URL, a migration run by `supabase db push`): it logs in as postgres (or
-- the superuser), has switched to no API role and carries no JWT claims. Such a
-- session already holds every privilege Tenantry guards, so RPCs act for it with every
-- permission, audited as the operator. Nothing a client session can set turns a
-- client into an operator: PostgREST and the edge functions always switch to an API
-- role, and an API role that resets its role becomes its login role (authenticator),
-- never postgres.

create function private.is_operator()
returns boolean
language plpgsql
stable
set search_path = ''
as $$
begin
  return pg_catalog.current_setting('role') = 'none'
     and auth.jwt() is null
     and exists (select 1 from pg_catalog.pg_roles r
                 where r.rolname = session_user and (r.rolsuper or r.rolname = 'postgres'));
end;
$$;
comment on function private.is_operator() is
  'Whether this is an operator''s plain SQL session: logged in as postgres or a superuser, no API role, no JWT claims.';

-- ── verified email ───────────────────────────────────────────────────────────
alter table public.profiles
  add column email_verified boolean not null default false;
comment on column public.profiles.email_verified is
  'Whether the email address is proven (Supabase Auth: email_confirmed_at set; third-party: email_verified claim). Only verified emails match invitations and add-by-email. Protected.';

update public.profiles p set email_verified = true
from auth.users u where u.id = p.auth_user_id and u.email_confirmed_at is not null;

grant execute on function private.is_operator() to authenticated, service_role;
revoke execute on all functions in schema private from public;
