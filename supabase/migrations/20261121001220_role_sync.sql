-- Platform role sync with provenance and admin overrides (SPEC F8). Runs at every
-- provisioning and sign-in:
--   desired = (defaults ∪ mapped(groups)) − suppressed
--   grant   desired roles the user lacks (source idp for mapped, default for defaults)
--   revoke  automatically granted roles (idp, default, jit) no longer desired, unless
--           preserved, unless revocation is paused, and never when the groups claim is
--           absent (as opposed to empty)
--   keep    admin grants always; preserved roles are always held
-- Every grant and revoke is audited with its reason.

-- ── overrides ────────────────────────────────────────────────────────────────
create table public.role_overrides (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  paused boolean not null default false,
  preserved text[] not null default '{}',
  suppressed text[] not null default '{}',
  updated_by uuid references public.profiles (id) on delete set null,
  updated_at timestamptz not null default now(),
  constraint role_overrides_disjoint check (not (preserved && suppressed)),
  -- All fields cleared means no override: the row is deleted instead.
  constraint role_overrides_not_empty check (paused or cardinality(preserved) > 0 or cardinality(suppressed) > 0)
);
comment on table public.role_overrides is 'Per-user exceptions to IdP role sync. Changed only through set_role_overrides / clear_role_overrides.';
comment on column public.role_overrides.paused is 'Automatic revocation paused (the seeds'' "enabled" toggle, inverted): sync still grants, never revokes.';
comment on column public.role_overrides.preserved is 'Roles sync never revokes, and always keeps granted. Lower-case, unique, sorted.';
comment on column public.role_overrides.suppressed is 'Roles sync never grants, and removes from automatic grants. Lower-case, unique, sorted.';
create index role_overrides_updated_by_idx on public.role_overrides (updated_by);

create trigger role_overrides_set_updated_at before update on public.role_overrides
  for each row execute function private.set_updated_at();

alter table public.role_overrides enable row level security;
revoke all on public.role_overrides from anon, authenticated, service_role;
grant select on public.role_overrides to authenticated;
grant select, insert, update, delete on public.role_overrides to service_role;

create policy role_overrides_select_self_admins on public.role_overrides
  for select to authenticated
  using (user_id = (select private.caller_id()) or (select private.has_platform_permission('users:admin')));
comment on policy role_overrides_select_self_admins on public.role_overrides is 'Your own overrides; everyone''s with users:admin.';

-- ── sync ─────────────────────────────────────────────────────────────────────
create function private.sync_platform_roles(user_id uuid, groups text[], reason text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  overrides public.role_overrides;
  mapped text[] := case when groups is null then '{}'::text[]
                        else array(select distinct m.role from private.group_role_mappings m
                                   where m.group_key = any (array(select lower(btrim(g)) from unnest(groups) as g))) end;
  defaults text[] := array(select d from unnest((select s.default_platform_roles from private.settings s)) as d
                           where exists (select 1 from public.roles r where r.scope = 'platform' and r.name = d));
  desired text[];
  role_name text;
  role_source text;
  granted text[] := '{}';
  revoked text[] := '{}';
begin
  select * into overrides from public.role_overrides o where o.user_id = sync_platform_roles.user_id;
  desired := array(select unnest(defaults || mapped) except select unnest(coalesce(overrides.suppressed, '{}')));

  for role_name, role_source in
    select d, case when d = any (mapped) then 'idp' else 'default' end from unnest(desired) as d
    union all
    select p, 'admin' from unnest(coalesce(overrides.preserved, '{}')) as p
  loop
    insert into public.platform_role_assignments (user_id, role, source)
    values (user_id, role_name, role_source)
    on conflict do nothing;
    if found then
      granted := granted || role_name;
      perform private.audit('platform_role.grant', null, 'user', user_id::text,
        jsonb_build_object('role', role_name, 'source', role_source, 'reason', reason,
                           'why', case when role_source = 'admin' then 'preserved by override' when role_source = 'idp' then 'group mapping' else 'default role' end));
    end if;
  end loop;

  if groups is not null and not coalesce(overrides.paused, false) then
    for role_name, role_source in
      delete from public.platform_role_assignments a
      where a.user_id = sync_platform_roles.user_id
        and a.source in ('idp', 'default', 'jit')
        and a.role <> all (desired)
        and a.role <> all (coalesce(overrides.preserved, '{}'))
      returning a.role, a.source
    loop
      revoked := revoked || role_name;
      perform private.audit('platform_role.revoke', null, 'user', user_id::text,
        jsonb_build_object('role', role_name, 'source', role_source, 'reason', reason,
                           'why', case when role_name = any (coalesce(overrides.suppressed, '{}')) then 'suppressed by override' else 'no longer in the user''s groups' end));
    end loop;
  end if;

  return jsonb_build_object('granted', to_jsonb(granted), 'revoked', to_jsonb(revoked),
                            'groups_present', groups is not null, 'paused', coalesce(overrides.paused, false));
end;
$$;
comment on function private.sync_platform_roles(uuid, text[], text) is
  'Applies the F8 sync rules for one user; groups null = claim absent (no revocation). Definer: writes assignments and audit.';

-- ── override management ──────────────────────────────────────────────────────
create function private.normalize_roles(roles text[], field text)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  result text[] := array(select distinct lower(btrim(r)) from unnest(coalesce(roles, '{}')) as r where btrim(r) <> '' order by 1);
  unknown text;
begin
  select r into unknown from unnest(result) as r
  where not exists (select 1 from public.roles x where x.scope = 'platform' and x.name = r)
  limit 1;
  if unknown is not null then
    raise exception using errcode = '22023', message = format('%s: "%s" is not a platform role', field, unknown);
  end if;
  return result;
end;
$$;
comment on function private.normalize_roles(text[], text) is 'Trims, lower-cases, deduplicates and checks role names; errors name the field. Definer: reads roles.';

create function private.role_overrides_json(user_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'user_id', role_overrides_json.user_id,
    'paused', coalesce(o.paused, false),
    'preserved', to_jsonb(coalesce(o.preserved, '{}')),
    'suppressed', to_jsonb(coalesce(o.suppressed, '{}')),
    'updated_at', o.updated_at)
  from (select 1) as one
  left join public.role_overrides o on o.user_id = role_overrides_json.user_id
$$;
comment on function private.role_overrides_json(uuid) is 'A user''s overrides, or the empty ones. Definer: reads role_overrides.';

create function private.get_role_overrides(user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('role_overrides.read', 'you may not read role overrides', null, 'user', user_id::text);
  end if;
  if not exists (select 1 from public.profiles p where p.id = user_id) then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  return private.role_overrides_json(user_id);
end;
$$;
comment on function private.get_role_overrides(uuid) is 'Reads a user''s overrides (users:admin). Definer: see role_overrides_json.';

create function private.set_role_overrides(user_id uuid, paused boolean, preserved text[], suppressed text[])
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  clean_preserved text[];
  clean_suppressed text[];
  overlap text[];
  before jsonb;
  after jsonb;
  removed record;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('role_overrides.set', 'you may not change role overrides', null, 'user', user_id::text);
  end if;
  if not exists (select 1 from public.profiles p where p.id = user_id) then
    raise exception using errcode = 'P0002', message = format('no user with id "%s"', user_id);
  end if;
  clean_preserved := private.normalize_roles(preserved, 'preserved');
  clean_suppressed := private.normalize_roles(suppressed, 'suppressed');
  overlap := array(select unnest(clean_preserved) intersect select unnest(clean_suppressed) order by 1);
  if cardinality(overlap) > 0 then
    raise exception using errcode = '22023',
      message = format('preserved: %s cannot be both preserved and suppressed', array_to_string(overlap, ', '));
  end if;
  before := private.role_overrides_json(user_id);

  if not coalesce(paused, false) and cardinality(clean_preserved) = 0 and cardinality(clean_suppressed) = 0 then
    delete from public.role_overrides o where o.user_id = set_role_overrides.user_id;
  else
    insert into public.role_overrides (user_id, paused, preserved, suppressed, updated_by)
    values (user_id, coalesce(paused, false), clean_preserved, clean_suppressed, private.caller_id())
    on conflict on constraint role_overrides_pkey do update
      set paused = excluded.paused, preserved = excluded.preserved, suppressed = excluded.suppressed, updated_by = excluded.updated_by;
  end if;
  after := private.role_overrides_json(user_id);
  perform private.audit('role_overrides.set', null, 'user', user_id::text, jsonb_build_object('before', before, 'after', after));

  -- An admin's suppression applies now, not at the next sign-in (it is not automatic revocation).
  for removed in
    delete from public.platform_role_assignments a
    where a.user_id = set_role_overrides.user_id and a.source in ('idp', 'default', 'jit') and a.role = any (clean_suppressed)
    returning a.role, a.source
  loop
    perform private.audit('platform_role.revoke', null, 'user', user_id::text,
      jsonb_build_object('role', removed.role, 'source', removed.source, 'reason', 'override', 'why', 'suppressed by override'));
  end loop;
  -- Preserved roles are effective at once.
  insert into public.platform_role_assignments (user_id, role, source, granted_by)
  select user_id, p, 'admin', private.caller_id() from unnest(clean_preserved) as p
  on conflict do nothing;
  return after;
end;
$$;
comment on function private.set_role_overrides(uuid, boolean, text[], text[]) is
  'Sets a user''s overrides, normalised; clearing every field removes them (users:admin). Definer: writes overrides, assignments and audit.';

create function private.clear_role_overrides(user_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  before jsonb;
begin
  if not private.has_platform_permission('users:admin') then
    return private.deny('role_overrides.clear', 'you may not change role overrides', null, 'user', user_id::text);
  end if;
  before := private.role_overrides_json(user_id);
  delete from public.role_overrides o where o.user_id = clear_role_overrides.user_id;
  if found then
    perform private.audit('role_overrides.clear', null, 'user', user_id::text, jsonb_build_object('before', before));
  end if;
  return private.role_overrides_json(user_id);
end;
$$;
comment on function private.clear_role_overrides(uuid) is 'Removes a user''s overrides (users:admin). Definer: writes overrides and audit.';

create function public.get_role_overrides(user_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.get_role_overrides(user_id) $$;
create function public.set_role_overrides(user_id uuid, paused boolean default false, preserved text[] default '{}', suppressed text[] default '{}')
returns jsonb language sql set search_path = '' as $$ select private.set_role_overrides(user_id, paused, preserved, suppressed) $$;
create function public.clear_role_overrides(user_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.clear_role_overrides(user_id) $$;
comment on function public.get_role_overrides(uuid) is 'RPC: a user''s role overrides (users:admin).';
comment on function public.set_role_overrides(uuid, boolean, text[], text[]) is 'RPC: replace a user''s role overrides (users:admin); all fields cleared removes them.';
comment on function public.clear_role_overrides(uuid) is 'RPC: remove a user''s role overrides (users:admin).';

grant execute on function private.get_role_overrides(uuid), private.set_role_overrides(uuid, boolean, text[], text[]),
  private.clear_role_overrides(uuid), private.normalize_roles(text[], text), private.role_overrides_json(uuid)
  to authenticated, service_role;
call private.grant_rpc('public.get_role_overrides(uuid)', 'public.set_role_overrides(uuid, boolean, text[], text[])',
  'public.clear_role_overrides(uuid)');

revoke execute on all functions in schema private from public;
