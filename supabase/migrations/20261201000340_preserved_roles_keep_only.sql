-- Role overrides: preserving a role keeps it, it never grants it (issue 10, item 9).
-- set_role_overrides(..., preserved => '{admin}') used to insert the preserved roles as
-- admin grants (unaudited), and sync granted them too, so clearing the override left a
-- permanent admin grant nobody had made. Now a preserved role only protects a role the
-- user already holds from sync's automatic revocation (and from nothing else); granting
-- stays grant_platform_role's, audited. Every grant and revoke sync or an override makes
-- is audited as before.
--
-- Sync rules now:
--   desired = (defaults ∪ mapped(groups)) − suppressed
--   grant   desired roles the user lacks (source idp for mapped, default for defaults)
--   revoke  automatically granted roles (idp, default, jit) no longer desired, unless
--           preserved, unless revocation is paused, and never when the groups claim is
--           absent (as opposed to empty)
--   keep    admin grants always; a preserved role the user holds is never revoked by sync

create or replace function private.sync_platform_roles(user_id uuid, groups text[], reason text)
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
  loop
    insert into public.platform_role_assignments (user_id, role, source)
    values (user_id, role_name, role_source)
    on conflict do nothing;
    if found then
      granted := granted || role_name;
      perform private.audit('platform_role.grant', null, 'user', user_id::text,
        jsonb_build_object('role', role_name, 'source', role_source, 'reason', reason,
                           'why', case when role_source = 'idp' then 'group mapping' else 'default role' end));
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
create or replace function private.set_role_overrides(user_id uuid, paused boolean, preserved text[], suppressed text[])
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
  -- Preserved roles grant nothing: they only keep a role the user holds from being revoked.
  return after;
end;
$$;
comment on function private.sync_platform_roles(uuid, text[], text) is
  'Applies the F8 sync rules for one user; groups null = claim absent (no revocation); preserved roles are kept, never granted. Definer: writes assignments and audit.';
comment on function private.set_role_overrides(uuid, boolean, text[], text[]) is
  'Sets a user''s overrides, normalised; clearing every field removes them (users:admin). Suppressed automatic grants are revoked at once (audited); preserved roles grant nothing. Definer: writes overrides, assignments and audit.';
comment on column public.role_overrides.preserved is 'Roles sync never revokes while the user holds them; preserving grants nothing. Lower-case, unique, sorted.';

revoke execute on all functions in schema private from public;
