-- ════════════════════════════════════════════════════════════════════════════
-- Substring search for the admin API (seed 002's "Prepare Postgres"): pg_trgm in the
-- extensions schema and trigram indexes, so `ilike '%term%'` on users' email and
-- display name and on organizations' name and slug is an index scan, not a scan of
-- every row.
-- ════════════════════════════════════════════════════════════════════════════

create extension pg_trgm with schema extensions;

create index profiles_email_trgm_idx on public.profiles using gin (email extensions.gin_trgm_ops);
create index profiles_display_name_trgm_idx on public.profiles using gin (display_name extensions.gin_trgm_ops);
create index organizations_name_trgm_idx on public.organizations using gin (name extensions.gin_trgm_ops);
create index organizations_slug_trgm_idx on public.organizations using gin (slug extensions.gin_trgm_ops);

create function private.like_pattern(term text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case when nullif(pg_catalog.btrim(term), '') is null then null
              else '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.btrim(term), '\', '\\'), '%', '\%'), '_', '\_') || '%' end
$$;
comment on function private.like_pattern(text) is
  'The ilike pattern matching a search term anywhere: its own %, _ and \ match themselves. Null for no term.';

revoke execute on function private.like_pattern(text) from public;
