-- Quotas (SPEC F11): per-plan limits held as data, enforced by triggers in the same
-- transaction as the insert. Each check first locks the parent row (organization or
-- user), so two racing inserts for the last slot queue and only one passes. The error
-- (SQLSTATE PT403: PostgREST answers 403) names the limit, the usage and the plan.

create table public.plan_limits (
  plan text not null check (plan ~ '^[a-z][a-z0-9_-]{0,31}$'),
  limit_name text not null check (limit_name in ('members_per_org', 'orgs_per_user', 'tokens_per_user', 'projects_per_org')),
  max_value integer check (max_value >= 0),
  primary key (plan, limit_name)
);
comment on table public.plan_limits is 'Limits per plan. No row, or a null max_value, means unlimited.';
comment on column public.plan_limits.limit_name is
  'members_per_org (memberships of an org), orgs_per_user (organizations a user created, personal ones aside), tokens_per_user (active personal access tokens), projects_per_org.';

insert into public.plan_limits (plan, limit_name, max_value) values
  ('free', 'members_per_org', 25), ('free', 'orgs_per_user', 5), ('free', 'tokens_per_user', 10), ('free', 'projects_per_org', 50),
  ('pro', 'members_per_org', 250), ('pro', 'orgs_per_user', 50), ('pro', 'tokens_per_user', 50), ('pro', 'projects_per_org', 5000),
  ('enterprise', 'members_per_org', null), ('enterprise', 'orgs_per_user', null), ('enterprise', 'tokens_per_user', null), ('enterprise', 'projects_per_org', null);

alter table public.plan_limits enable row level security;
revoke all on public.plan_limits from anon, authenticated, service_role;
grant select on public.plan_limits to authenticated, service_role;
create policy plan_limits_select_authenticated on public.plan_limits for select to authenticated using (true);
comment on policy plan_limits_select_authenticated on public.plan_limits is 'Plans and their limits are not secret.';

-- ── checking ─────────────────────────────────────────────────────────────────
create function private.quota_max(limit_name text, plan text)
returns integer
language sql
stable
security definer
set search_path = ''
as $$
  select l.max_value from public.plan_limits l where l.plan = quota_max.plan and l.limit_name = quota_max.limit_name
$$;
comment on function private.quota_max(text, text) is 'A plan''s limit, or null for unlimited. Definer: reads limits.';

create function private.quota_exceeded(limit_name text, plan text, maximum integer, used bigint)
returns void
language plpgsql
immutable
set search_path = ''
as $$
begin
  raise exception using errcode = 'PT403',
    message = format('quota exceeded: %s allows %s on plan "%s", and %s are in use', limit_name, maximum, plan, used),
    detail = jsonb_build_object('limit', limit_name, 'plan', plan, 'max', maximum, 'used', used)::text;
end;
$$;
comment on function private.quota_exceeded(text, text, integer, bigint) is 'Raises the PT403 quota error naming limit, plan, maximum and usage.';

-- What counts towards each limit, in one place for the triggers and quota_usage().
create function private.quota_used(limit_name text, subject uuid)
returns bigint
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return case limit_name
    when 'members_per_org' then (select count(*) from public.memberships m where m.organization_id = subject)
    when 'projects_per_org' then (select count(*) from public.projects p where p.organization_id = subject)
    when 'orgs_per_user' then (select count(*) from public.organizations o where o.created_by = subject and not o.is_personal and not o.is_default)
    when 'tokens_per_user' then (select count(*) from public.personal_access_tokens t
                                 where t.user_id = subject and t.revoked_at is null and t.expires_at > pg_catalog.now())
  end;
end;
$$;
comment on function private.quota_used(text, uuid) is
  'Current usage of a limit for an organization (members, projects) or a user (organizations, tokens). Definer: counts rows beyond the caller''s RLS view.';

create function private.check_quota()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  limit_name text;
  subject uuid;
  plan text;
  maximum integer;
  used bigint;
begin
  -- Lock the parent first (racing inserts queue here), then count only if the plan has a limit.
  case tg_table_name
  when 'memberships' then
    limit_name := 'members_per_org';
    subject := new.organization_id;
    -- The default organization takes everyone: it has no member limit.
    select case when o.is_default then null else o.plan end into plan
    from public.organizations o where o.id = subject for no key update;
  when 'projects' then
    limit_name := 'projects_per_org';
    subject := new.organization_id;
    select o.plan into plan from public.organizations o where o.id = subject for no key update;
  when 'organizations' then
    if new.created_by is null or new.is_personal or new.is_default then
      return new;
    end if;
    limit_name := 'orgs_per_user';
    subject := new.created_by;
    select p.plan into plan from public.profiles p where p.id = subject for no key update;
  when 'personal_access_tokens' then
    limit_name := 'tokens_per_user';
    subject := new.user_id;
    select p.plan into plan from public.profiles p where p.id = subject for no key update;
  end case;
  maximum := private.quota_max(limit_name, plan);
  if maximum is not null then
    used := private.quota_used(limit_name, subject);
    if used >= maximum then
      perform private.quota_exceeded(limit_name, plan, maximum, used);
    end if;
  end if;
  return new;
end;
$$;
comment on function private.check_quota() is
  'BEFORE INSERT on memberships, projects, organizations and personal_access_tokens: locks the parent, counts, enforces the plan''s limit. Definer: counts rows the inserting user may not see.';

-- Provisioning a new user's own organization (one member, one project) cannot exceed a
-- plan: the triggers do not fire while provisioning says so (see provision_user).
create trigger memberships_check_quota before insert on public.memberships
  for each row when (current_setting('tenantry.provisioning', true) is distinct from 'on')
  execute function private.check_quota();
create trigger projects_check_quota before insert on public.projects
  for each row when (current_setting('tenantry.provisioning', true) is distinct from 'on')
  execute function private.check_quota();
create trigger organizations_check_quota before insert on public.organizations
  for each row when (current_setting('tenantry.provisioning', true) is distinct from 'on')
  execute function private.check_quota();
create trigger personal_access_tokens_check_quota before insert on public.personal_access_tokens
  for each row when (current_setting('tenantry.provisioning', true) is distinct from 'on')
  execute function private.check_quota();

-- ── reading usage ────────────────────────────────────────────────────────────
create function private.quota_usage(organization_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
  me public.profiles := (select p from public.profiles p where p.id = caller);
  org public.organizations;
  result jsonb;
begin
  result := jsonb_build_object('user', jsonb_build_object(
    'plan', me.plan,
    'orgs_per_user', jsonb_build_object(
      'max', private.quota_max('orgs_per_user', me.plan),
      'used', private.quota_used('orgs_per_user', caller)),
    'tokens_per_user', jsonb_build_object(
      'max', private.quota_max('tokens_per_user', me.plan),
      'used', private.quota_used('tokens_per_user', caller))));
  if organization_id is not null then
    if not private.has_permission('org:read', organization_id) then
      raise exception using errcode = '42501', message = 'you may not read this organization''s usage';
    end if;
    select * into org from public.organizations o where o.id = organization_id;
    result := result || jsonb_build_object('organization', jsonb_build_object(
      'id', org.id, 'plan', org.plan,
      'members_per_org', jsonb_build_object(
        'max', case when org.is_default then null else private.quota_max('members_per_org', org.plan) end,
        'used', private.quota_used('members_per_org', org.id)),
      'projects_per_org', jsonb_build_object(
        'max', private.quota_max('projects_per_org', org.plan),
        'used', private.quota_used('projects_per_org', org.id))));
  end if;
  return result;
end;
$$;
comment on function private.quota_usage(uuid) is 'Your own usage, and an organization''s you may read. Definer: counts rows beyond your RLS view.';

create function public.quota_usage(organization_id uuid default null)
returns jsonb language sql stable set search_path = '' as $$ select private.quota_usage(organization_id) $$;
comment on function public.quota_usage(uuid) is 'RPC: limits and usage for you (orgs, tokens) and optionally an organization (members, projects); max null = unlimited.';

grant execute on function private.quota_usage(uuid), private.quota_max(text, text), private.quota_used(text, uuid) to authenticated, service_role;
call private.grant_rpc('public.quota_usage(uuid)');

revoke execute on all functions in schema private from public;
