-- Feature flags (SPEC F12): global defaults, plan-level, organization-level and
-- per-user values (profiles.beta_features), merged by one resolver:
-- user over organization over plan over global. Changes need flags:manage and are
-- audited with before and after.

create table public.feature_flags (
  key text primary key check (key ~ '^[a-z][a-z0-9_.-]{0,63}$'),
  description text not null check (char_length(description) <= 500),
  default_value jsonb not null,
  updated_at timestamptz not null default now()
);
comment on table public.feature_flags is 'The flag catalog with each flag''s global default.';

create table public.plan_feature_flags (
  plan text not null check (plan ~ '^[a-z][a-z0-9_-]{0,31}$'),
  key text not null references public.feature_flags (key) on delete cascade,
  value jsonb not null,
  primary key (plan, key)
);
comment on table public.plan_feature_flags is 'Flag values for a plan (the organization''s plan in an organization context, else the user''s).';
create index plan_feature_flags_key_idx on public.plan_feature_flags (key);

create table public.organization_feature_flags (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  key text not null references public.feature_flags (key) on delete cascade,
  value jsonb not null,
  primary key (organization_id, key)
);
comment on table public.organization_feature_flags is 'Flag values for one organization.';
create index organization_feature_flags_key_idx on public.organization_feature_flags (key);

create trigger feature_flags_set_updated_at before update on public.feature_flags
  for each row execute function private.set_updated_at();

alter table public.feature_flags enable row level security;
alter table public.plan_feature_flags enable row level security;
alter table public.organization_feature_flags enable row level security;
revoke all on public.feature_flags, public.plan_feature_flags, public.organization_feature_flags from anon, authenticated, service_role;
grant select on public.feature_flags, public.plan_feature_flags, public.organization_feature_flags to authenticated, service_role;

create policy feature_flags_select_authenticated on public.feature_flags for select to authenticated using (true);
create policy plan_feature_flags_select_authenticated on public.plan_feature_flags for select to authenticated using (true);
create policy organization_feature_flags_select_members on public.organization_feature_flags
  for select to authenticated using (organization_id = any ((select private.caller_org_ids('org:read'))::uuid[]));
comment on policy feature_flags_select_authenticated on public.feature_flags is 'The flag catalog is readable by any signed-in user.';
comment on policy plan_feature_flags_select_authenticated on public.plan_feature_flags is 'Plan flag values are readable by any signed-in user.';
comment on policy organization_feature_flags_select_members on public.organization_feature_flags is 'An organization''s flag values, for those who may read the organization.';

-- ── resolving ────────────────────────────────────────────────────────────────
create function private.resolve_flags(user_id uuid, organization_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  overrides jsonb;
  effective_plan text;
begin
  select p.beta_features, coalesce((select o.plan from public.organizations o where o.id = resolve_flags.organization_id), p.plan)
  into overrides, effective_plan
  from public.profiles p where p.id = resolve_flags.user_id;
  return (
    select coalesce(jsonb_object_agg(f.key, coalesce(
             overrides -> f.key,
             (select v.value from public.organization_feature_flags v where v.organization_id = resolve_flags.organization_id and v.key = f.key),
             (select v.value from public.plan_feature_flags v where v.plan = effective_plan and v.key = f.key),
             f.default_value)), '{}'::jsonb)
    from public.feature_flags f);
end;
$$;
comment on function private.resolve_flags(uuid, uuid) is
  'Every flag''s value for a user, optionally in an organization: user > organization > plan > global. Definer: reads every layer.';

create function public.resolve_flags(organization_id uuid default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
  if organization_id is not null and not private.has_permission('org:read', organization_id) then
    raise exception using errcode = '42501', message = 'you may not read this organization''s flags';
  end if;
  return private.resolve_flags(private.caller_id(), organization_id);
end;
$$;
comment on function public.resolve_flags(uuid) is 'RPC: your flags, optionally in one of your organizations (user > organization > plan > global).';

-- ── changing (flags:manage, audited) ─────────────────────────────────────────
create function private.set_feature_flag(layer text, key text, value jsonb, target text, description text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  before jsonb;
  org uuid;
  user_id uuid;
begin
  if not private.has_platform_permission('flags:manage') then
    return private.deny('flag.set', 'you may not change feature flags', null, 'flag', key);
  end if;
  if layer <> 'global' and not exists (select 1 from public.feature_flags f where f.key = set_feature_flag.key) then
    raise exception using errcode = 'P0002', message = format('key: no feature flag "%s"', key);
  end if;
  case layer
  when 'global' then
    if value is null then
      raise exception using errcode = '22023', message = 'default_value: a global default is required';
    end if;
    select f.default_value into before from public.feature_flags f where f.key = set_feature_flag.key;
    insert into public.feature_flags (key, description, default_value)
    values (key, coalesce(description, ''), value)
    on conflict on constraint feature_flags_pkey
    do update set default_value = excluded.default_value,
                  description = coalesce(set_feature_flag.description, public.feature_flags.description);
  when 'plan' then
    select v.value into before from public.plan_feature_flags v where v.plan = target and v.key = set_feature_flag.key;
    if value is null then
      delete from public.plan_feature_flags v where v.plan = target and v.key = set_feature_flag.key;
    else
      insert into public.plan_feature_flags (plan, key, value) values (target, key, value)
      on conflict on constraint plan_feature_flags_pkey do update set value = excluded.value;
    end if;
  when 'organization' then
    org := target::uuid;
    select v.value into before from public.organization_feature_flags v where v.organization_id = org and v.key = set_feature_flag.key;
    if value is null then
      delete from public.organization_feature_flags v where v.organization_id = org and v.key = set_feature_flag.key;
    else
      insert into public.organization_feature_flags (organization_id, key, value) values (org, key, value)
      on conflict on constraint organization_feature_flags_pkey do update set value = excluded.value;
    end if;
  when 'user' then
    user_id := target::uuid;
    select p.beta_features -> set_feature_flag.key into before from public.profiles p where p.id = user_id;
    update public.profiles p
    set beta_features = case when value is null then p.beta_features - set_feature_flag.key
                             else p.beta_features || jsonb_build_object(set_feature_flag.key, value) end
    where p.id = user_id;
    if not found then
      raise exception using errcode = 'P0002', message = format('user_id: no user with id "%s"', target);
    end if;
  else
    raise exception using errcode = '22023', message = format('layer "%s" is not global, plan, organization or user', layer);
  end case;
  perform private.audit('flag.set', org, 'flag', key,
    jsonb_build_object('layer', layer, 'target', target, 'before', jsonb_build_object('value', before), 'after', jsonb_build_object('value', value)));
  return jsonb_build_object('layer', layer, 'key', key, 'target', target, 'value', value);
end;
$$;
comment on function private.set_feature_flag(text, text, jsonb, text, text) is
  'Sets (or, with a null value, clears) a flag at one layer (flags:manage), audited. Definer: writes flag tables and protected profile columns.';

create function public.set_flag_default(key text, default_value jsonb, description text default null)
returns jsonb language sql set search_path = '' as $$ select private.set_feature_flag('global', key, default_value, null, description) $$;
create function public.set_plan_flag(plan text, key text, value jsonb)
returns jsonb language sql set search_path = '' as $$ select private.set_feature_flag('plan', key, value, plan, null) $$;
create function public.set_organization_flag(organization_id uuid, key text, value jsonb)
returns jsonb language sql set search_path = '' as $$ select private.set_feature_flag('organization', key, value, organization_id::text, null) $$;
create function public.set_user_flag(user_id uuid, key text, value jsonb)
returns jsonb language sql set search_path = '' as $$ select private.set_feature_flag('user', key, value, user_id::text, null) $$;
comment on function public.set_flag_default(text, jsonb, text) is 'RPC: create a flag or change its global default (flags:manage).';
comment on function public.set_plan_flag(text, text, jsonb) is 'RPC: set a flag for a plan; null clears it (flags:manage).';
comment on function public.set_organization_flag(uuid, text, jsonb) is 'RPC: set a flag for an organization; null clears it (flags:manage).';
comment on function public.set_user_flag(uuid, text, jsonb) is 'RPC: set a flag for one user (beta_features); null clears it (flags:manage).';

grant execute on function private.resolve_flags(uuid, uuid), private.set_feature_flag(text, text, jsonb, text, text) to authenticated, service_role;
call private.grant_rpc('public.resolve_flags(uuid)', 'public.set_flag_default(text, jsonb, text)', 'public.set_plan_flag(text, text, jsonb)',
  'public.set_organization_flag(uuid, text, jsonb)', 'public.set_user_flag(uuid, text, jsonb)');

revoke execute on all functions in schema private from public;
