-- IdP group → platform role mapping (SPEC F7). The mapping is loaded from
-- OIDC_GROUP_ROLE_MAP / OIDC_GROUP_ROLE_DEFAULTS by `npm run idp:mapping` (which
-- validates them) and stored here, so the signup trigger and sync apply it in SQL.

create table private.group_role_mappings (
  group_key text not null check (group_key = lower(btrim(group_key)) and group_key <> ''),
  role_scope text not null default 'platform' check (role_scope = 'platform'),
  role text not null,
  primary key (group_key, role),
  foreign key (role_scope, role) references public.roles (scope, name)
);
comment on table private.group_role_mappings is 'OIDC_GROUP_ROLE_MAP as rows: members of group_key (lower-case) receive role.';
create index group_role_mappings_role_idx on private.group_role_mappings (role_scope, role);

alter table private.settings
  add column groups_claim_paths text[] not null default array['app_metadata.groups', 'user_metadata.groups', 'user_metadata.custom_claims.groups'];
comment on column private.settings.groups_claim_paths is
  'Where a Supabase Auth user''s IdP groups are found (SSO/SAML and OIDC providers put them in app or user metadata), tried in order as dotted paths into {"app_metadata": raw_app_meta_data, "user_metadata": raw_user_meta_data}. The first path present wins; none present means the groups claim is absent.';

-- ── resolving ────────────────────────────────────────────────────────────────
create function private.resolve_roles_for_groups(groups text[])
returns text[]
language sql
stable
security definer
set search_path = ''
as $$
  -- Defaults seed the set; mapped groups add to it; groups compare case-insensitively.
  select coalesce(array_agg(distinct role order by role), '{}')
  from (
    select unnest(s.default_platform_roles) as role from private.settings s
    union
    select m.role from private.group_role_mappings m
    where m.group_key = any (array(select lower(btrim(g)) from unnest(groups) as g))
  ) as roles
$$;
comment on function private.resolve_roles_for_groups(text[]) is
  'OIDC_GROUP_ROLE_DEFAULTS ∪ the roles OIDC_GROUP_ROLE_MAP gives these groups, deduplicated and sorted. Definer: reads the private mapping.';

create function public.resolve_roles_for_groups(groups text[])
returns text[]
language sql
stable
set search_path = ''
as $$ select private.resolve_roles_for_groups(groups) $$;
comment on function public.resolve_roles_for_groups(text[]) is
  'RPC: the platform roles these IdP groups resolve to (defaults included).';

create function private.groups_value(value jsonb)
returns text[]
language sql
immutable
set search_path = ''
as $$
  -- An array of names, or one comma/newline-separated string; absent or JSON null gives null.
  select case
    when value is null or jsonb_typeof(value) = 'null' then null
    when jsonb_typeof(value) = 'array' then array(select left(btrim(x), 256) from jsonb_array_elements_text(value) as x where btrim(x) <> '')
    when jsonb_typeof(value) = 'string' then array(select left(btrim(x), 256) from regexp_split_to_table(value #>> '{}', '[,\n]') as x where btrim(x) <> '')
    else '{}'::text[]
  end
$$;
comment on function private.groups_value(jsonb) is
  'A groups claim as text[]; null when absent ("never revoke"), empty when present but empty ("in no group").';

create function private.groups_from(document jsonb)
returns text[]
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  path text;
  value jsonb;
begin
  -- The first configured path that is present wins; none present means the claim is absent.
  foreach path in array (select s.groups_claim_paths from private.settings s) loop
    value := document #> string_to_array(path, '.');
    if value is not null and jsonb_typeof(value) <> 'null' then
      return coalesce(private.groups_value(value), '{}');
    end if;
  end loop;
  return null;
end;
$$;
comment on function private.groups_from(jsonb) is
  'Extracts the groups claim along settings.groups_claim_paths, or null when absent. Definer: reads settings.';

-- ── storing (called by the loader command with validated input) ──────────────
create function private.replace_group_role_mapping(mapping jsonb, defaults text[])
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  unknown text;
  before jsonb := jsonb_build_object(
    'mapping', (select coalesce(jsonb_object_agg(g.group_key, g.roles), '{}'::jsonb)
                from (select group_key, jsonb_agg(role order by role) as roles from private.group_role_mappings group by group_key) g),
    'defaults', (select to_jsonb(s.default_platform_roles) from private.settings s));
  after jsonb;
begin
  if auth.role() is not null and not private.has_platform_permission('users:admin') then
    return private.deny('group_role_mapping.replace', 'you may not change the group role mapping');
  end if;
  if jsonb_typeof(mapping) is distinct from 'object' then
    raise exception using errcode = '22023', message = 'mapping must be a JSON object of group → [roles]';
  end if;
  select r into unknown
  from (select jsonb_array_elements_text(v) as r from jsonb_each(mapping) as e(k, v) union select unnest(defaults)) as x
  where not exists (select 1 from public.roles pr where pr.scope = 'platform' and pr.name = x.r)
  limit 1;
  if unknown is not null then
    raise exception using errcode = '22023', message = format('"%s" is not a platform role', unknown);
  end if;
  delete from private.group_role_mappings;
  insert into private.group_role_mappings (group_key, role)
  select distinct lower(btrim(e.k)), r from jsonb_each(mapping) as e(k, v), jsonb_array_elements_text(e.v) as r;
  update private.settings s set default_platform_roles = array(select distinct d from unnest(defaults) as d order by d);
  after := jsonb_build_object('mapping', mapping, 'defaults', to_jsonb(defaults));
  perform private.audit('group_role_mapping.replace', null, 'settings', 'group_role_mapping',
    jsonb_build_object('before', before, 'after', after));
  return after;
end;
$$;
comment on function private.replace_group_role_mapping(jsonb, text[]) is
  'Replaces the stored mapping and defaults in one transaction, audited. Definer: writes private tables.';

grant execute on function private.resolve_roles_for_groups(text[]) to authenticated, service_role;
call private.grant_rpc('public.resolve_roles_for_groups(text[])');
grant execute on function private.replace_group_role_mapping(jsonb, text[]) to service_role;

revoke execute on all functions in schema private from public;
