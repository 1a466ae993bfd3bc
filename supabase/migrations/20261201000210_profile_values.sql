-- Safe stored profile values (issue 10, item 16). avatar_url must be an http(s) URL;
-- display and company names carry no bidi overrides or zero-width characters (which let
-- a name impersonate another or hide text); timezone must be a zone PostgreSQL knows.
-- Provisioning sanitises (drops the bad value, never fails a signup); a direct INSERT or
-- UPDATE of a profile (a user editing their own, or the service role) with a bad value
-- is refused with 22023 naming the field.

-- ── known time zones ─────────────────────────────────────────────────────────
-- pg_timezone_names reads the whole zone database (~17 ms a call): a snapshot keeps the
-- signup path cheap, and a miss falls back to the live view, so a zone added by a newer
-- tzdata is still accepted.
create table private.time_zones (
  name text primary key
);
comment on table private.time_zones is 'Snapshot of pg_timezone_names.name, the fast path of private.is_time_zone(); a miss consults the live view.';
insert into private.time_zones (name) select distinct n.name from pg_catalog.pg_timezone_names n;
alter table private.time_zones enable row level security;
revoke all on private.time_zones from anon, authenticated, service_role;

create function private.is_time_zone(zone text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if zone is null then
    return null;
  end if;
  return exists (select 1 from private.time_zones z where z.name = zone)
      or exists (select 1 from pg_catalog.pg_timezone_names n where n.name = zone);
end;
$$;
comment on function private.is_time_zone(text) is
  'Whether zone is a time zone name in pg_timezone_names (null for null). Definer: reads the private snapshot.';

-- ── sanitisers (never raise) ─────────────────────────────────────────────────
create function private.clean_display_text(value text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- Bidi controls (marks U+200E/U+200F/U+061C, embeddings, overrides, isolates), zero-width
  -- and other invisible characters (soft hyphen, CGJ, fillers, invisible operators,
  -- variation selectors, tags, line/paragraph separators) go; nothing visible left is null.
  select nullif(pg_catalog.btrim(pg_catalog.regexp_replace(value,
    '[\u00AD\u034F\u061C\u115F\u1160\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\U000E0000-\U000E007F]', '', 'g')), '')
$$;
comment on function private.clean_display_text(text) is 'Drops bidi controls, zero-width and other invisible characters from a name; nothing visible left gives null.';

create function private.safe_url(value text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- An absolute http(s) URL with a host and no whitespace or control characters, else null.
  select case when value ~* '^https?://[^/?#@[:space:][:cntrl:]]+([/?#][^[:space:][:cntrl:]]*)?$'
                   and char_length(value) <= 2048 then value end
$$;
comment on function private.safe_url(text) is 'The value if it is an absolute http(s) URL (at most 2048 characters), else null.';

create function private.safe_time_zone(value text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select case when private.is_time_zone(value) then value end
$$;
comment on function private.safe_time_zone(text) is 'The value if it is a known time zone, else null. Definer: see is_time_zone.';

-- ── the guard on stored rows ─────────────────────────────────────────────────
create function private.profile_values_check()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  inserting constant boolean := tg_op = 'INSERT';
begin
  if new.display_name is not null and (inserting or new.display_name is distinct from old.display_name)
     and new.display_name is distinct from private.clean_display_text(new.display_name) then
    raise exception using errcode = '22023',
      message = 'display_name: bidi control and zero-width characters, and leading or trailing blanks, are not allowed';
  end if;
  if new.company_name is not null and (inserting or new.company_name is distinct from old.company_name)
     and new.company_name is distinct from private.clean_display_text(new.company_name) then
    raise exception using errcode = '22023',
      message = 'company_name: bidi control and zero-width characters, and leading or trailing blanks, are not allowed';
  end if;
  if new.avatar_url is not null and (inserting or new.avatar_url is distinct from old.avatar_url)
     and private.safe_url(new.avatar_url) is null then
    raise exception using errcode = '22023', message = 'avatar_url: must be an absolute http:// or https:// URL';
  end if;
  if new.timezone is not null and (inserting or new.timezone is distinct from old.timezone)
     and not private.is_time_zone(new.timezone) then
    raise exception using errcode = '22023', message = format('timezone: "%s" is not a known time zone (see pg_timezone_names)', left(new.timezone, 64));
  end if;
  return new;
end;
$$;
comment on function private.profile_values_check() is
  'BEFORE INSERT/UPDATE on profiles: refuses an unsafe display_name, company_name, avatar_url or timezone with 22023 naming the field.';

create trigger profiles_values_check_insert before insert on public.profiles
  for each row
  when (new.display_name is not null or new.company_name is not null or new.avatar_url is not null or new.timezone is not null)
  execute function private.profile_values_check();
create trigger profiles_values_check_update before update of display_name, company_name, avatar_url, timezone on public.profiles
  for each row
  when (new.display_name is distinct from old.display_name or new.company_name is distinct from old.company_name
        or new.avatar_url is distinct from old.avatar_url or new.timezone is distinct from old.timezone)
  execute function private.profile_values_check();

grant execute on function private.is_time_zone(text), private.clean_display_text(text), private.safe_url(text),
  private.safe_time_zone(text) to authenticated, service_role;
revoke execute on all functions in schema private from public;
