-- Organization errors name their field (issue 11: "a duplicate slug or name → 409 naming
-- the field", validation errors name the field): the conflict and validation errors of
-- create_organization / update_organization carry the column (`raise ... using column`),
-- which the edge functions answer as `field`. Messages and SQLSTATEs are unchanged.

create or replace function private.raise_org_conflict(constraint_name text, slug text, name text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  if constraint_name = 'organizations_slug_key' then
    raise exception using errcode = '23505', column = 'slug', message = format('an organization with slug "%s" already exists', slug);
  elsif constraint_name = 'organizations_name_key' then
    raise exception using errcode = '23505', column = 'name', message = format('an organization named "%s" already exists', name);
  end if;
  raise exception using errcode = '23505', message = 'organization conflicts with an existing one';
end;
$$;
comment on function private.raise_org_conflict(text, text, text) is
  'Turns a unique violation on organizations into a clear conflict error naming the column (slug or name).';

create or replace function private.valid_slug(raw text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  slug text := private.normalize_slug(raw);
begin
  if slug is null or slug !~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$' then
    raise exception using errcode = '22023', column = 'slug',
      message = format('slug "%s" is invalid', raw),
      hint = 'Use 1–48 lower-case letters, digits and inner hyphens.';
  end if;
  return slug;
end;
$$;
comment on function private.valid_slug(text) is 'Normalises a slug or raises 22023 naming it (column slug).';

create or replace function private.valid_org_name(raw text)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  name text := pg_catalog.btrim(raw);
begin
  if name is null or char_length(name) not between 1 and 100 then
    raise exception using errcode = '22023', column = 'name', message = 'name must be 1–100 characters';
  end if;
  return name;
end;
$$;
comment on function private.valid_org_name(text) is 'Trims an organization name or raises 22023 (column name).';
