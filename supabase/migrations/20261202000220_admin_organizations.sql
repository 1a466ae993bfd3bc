-- ════════════════════════════════════════════════════════════════════════════
-- Organizations for operators and organization admins (SPEC F4, F14, issue 11): a
-- searchable list with member counts, one organization in full, and its invitations.
-- Who sees what is the org:read rule everywhere else: a platform role holding org:read
-- sees every organization, an organization role holding it sees that organization.
-- Creating, editing, deleting and membership changes are the existing organization
-- RPCs (organization_rules), which the admin API calls as they are.
-- ════════════════════════════════════════════════════════════════════════════

create index organizations_created_at_id_idx on public.organizations (created_at desc, id desc);
comment on index public.organizations_created_at_id_idx is 'The organization list''s order and keyset.';

-- ── list ────────────────────────────────────────────────────────────────────
create function private.admin_list_organizations(q text, after_created_at timestamptz, after_id uuid, page_size integer)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  pattern text := private.like_pattern(q);
  everyone boolean := private.has_platform_permission('org:read');
  readable uuid[];
  rows jsonb;
begin
  if not everyone then
    readable := private.caller_org_ids('org:read');
    if cardinality(readable) = 0 then
      return private.deny('organization.list', 'you may not list organizations (org:read)');
    end if;
  end if;
  if page_size is null or page_size not between 1 and 200 then
    raise exception using errcode = '22023', message = 'page_size must be between 1 and 200', column = 'page_size';
  end if;
  with page as (
    select o.* from public.organizations o
    where (everyone or o.id = any (readable))
      and (pattern is null or o.name ilike pattern or o.slug ilike pattern)
      and (after_id is null or (o.created_at, o.id) < (after_created_at, after_id))
    order by o.created_at desc, o.id desc
    limit page_size
  ),
  -- One grouped count for the whole page, not a count per row.
  counts as (
    select m.organization_id, count(*) as members
    from public.memberships m
    where m.organization_id in (select id from page)
    group by m.organization_id
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', p.id, 'slug', p.slug, 'name', p.name, 'description', p.description, 'plan', p.plan,
           'is_default', p.is_default, 'is_personal', p.is_personal, 'member_count', coalesce(c.members, 0),
           'created_at', p.created_at) order by p.created_at desc, p.id desc), '[]'::jsonb)
  into rows
  from page p left join counts c on c.organization_id = p.id;
  return jsonb_build_object('organizations', rows,
    'next', case when jsonb_array_length(rows) = page_size
                 then jsonb_build_object('created_at', rows -> (page_size - 1) -> 'created_at', 'id', rows -> (page_size - 1) -> 'id') end);
end;
$$;
comment on function private.admin_list_organizations(text, timestamptz, uuid, integer) is
  'A page of the organizations the caller may read (org:read), newest first, with member counts; q searches name and slug (trigram indexes); keyset (after_created_at, after_id). Definer: counts members of every listed organization.';

-- ── one organization in full ────────────────────────────────────────────────
create function private.admin_get_organization(organization_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  org public.organizations;
begin
  if not private.has_permission('org:read', organization_id) then
    return private.deny('organization.read', 'you may not read this organization', organization_id, 'organization', organization_id::text);
  end if;
  select * into org from public.organizations o where o.id = organization_id;
  if org.id is null then
    raise exception using errcode = 'P0002', message = format('no organization with id "%s"', organization_id);
  end if;
  return jsonb_build_object(
    'organization', to_jsonb(org),
    'members', case when private.has_permission('members:read', organization_id) then coalesce((
      select jsonb_agg(jsonb_build_object('user_id', m.user_id, 'email', p.email, 'display_name', p.display_name,
                                          'avatar_url', p.avatar_url, 'role', m.role, 'since', m.created_at)
                       order by m.created_at, m.user_id)
      from public.memberships m join public.profiles p on p.id = m.user_id
      where m.organization_id = org.id), '[]'::jsonb) else '[]'::jsonb end,
    'invitations', case when private.has_permission('members:manage', organization_id)
                        then private.pending_invitations(org.id) else '[]'::jsonb end,
    'quota_usage', jsonb_build_object(
      'plan', org.plan,
      'members_per_org', jsonb_build_object(
        'max', case when org.is_default then null else private.quota_max('members_per_org', org.plan) end,
        'used', private.quota_used('members_per_org', org.id)),
      'projects_per_org', jsonb_build_object(
        'max', private.quota_max('projects_per_org', org.plan),
        'used', private.quota_used('projects_per_org', org.id))),
    'flags', jsonb_build_object(
      'overrides', coalesce((select jsonb_object_agg(f.key, f.value) from public.organization_feature_flags f
                             where f.organization_id = org.id), '{}'::jsonb),
      'plan', coalesce((select jsonb_object_agg(f.key, f.value) from public.plan_feature_flags f where f.plan = org.plan), '{}'::jsonb)));
end;
$$;
comment on function private.admin_get_organization(uuid) is
  'One organization for operators and its admins (org:read): members with roles (members:read), pending invitations (members:manage), quota usage, flag overrides. Definer: reads members'' profiles.';

-- ── invitations ─────────────────────────────────────────────────────────────
create function private.pending_invitations(organization_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', i.id, 'email', i.email, 'role', i.role, 'invited_by', i.invited_by,
                                               'expires_at', i.expires_at, 'created_at', i.created_at)
                            order by i.created_at desc), '[]'::jsonb)
  from public.invitations i
  where i.organization_id = pending_invitations.organization_id
    and i.accepted_at is null and i.revoked_at is null and i.expires_at > pg_catalog.now()
$$;
comment on function private.pending_invitations(uuid) is
  'An organization''s open invitations, never their token hash. Definer: callers have checked members:manage.';

create function private.list_invitations(organization_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if not private.has_permission('members:manage', organization_id) then
    return private.deny('invitation.list', 'you may not read this organization''s invitations', organization_id, 'organization', organization_id::text);
  end if;
  if not exists (select 1 from public.organizations o where o.id = organization_id) then
    raise exception using errcode = 'P0002', message = format('no organization with id "%s"', organization_id);
  end if;
  return private.pending_invitations(organization_id);
end;
$$;
comment on function private.list_invitations(uuid) is
  'An organization''s open invitations (members:manage). Definer: see pending_invitations.';

-- ── RPCs ────────────────────────────────────────────────────────────────────
insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('admin_list_organizations', 'organization.list', 'org:read', 'profile', true, false),
  ('admin_get_organization', 'organization.read', 'org:read', 'profile', true, false),
  ('list_invitations', 'invitation.list', 'members:manage', 'profile', true, false);

create function public.admin_list_organizations(q text default null, after_created_at timestamptz default null,
                                                after_id uuid default null, page_size integer default 50)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('admin_list_organizations'), private.admin_list_organizations(q, after_created_at, after_id, page_size)) $$;
comment on function public.admin_list_organizations(text, timestamptz, uuid, integer) is
  'RPC (org:read): a page of the organizations the caller may read, with member counts; pass next.created_at and next.id for the next page.';

create function public.admin_get_organization(organization_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('admin_get_organization'), private.admin_get_organization(organization_id)) $$;
comment on function public.admin_get_organization(uuid) is 'RPC (org:read): one organization with members, invitations, quota usage and flags.';

create function public.list_invitations(organization_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('list_invitations'), private.list_invitations(organization_id)) $$;
comment on function public.list_invitations(uuid) is 'RPC (members:manage): an organization''s open invitations.';

revoke execute on all functions in schema private from public;
grant execute on function private.admin_list_organizations(text, timestamptz, uuid, integer), private.admin_get_organization(uuid),
  private.list_invitations(uuid) to authenticated, service_role;
call private.grant_rpc('public.admin_list_organizations(text, timestamptz, uuid, integer)', 'public.admin_get_organization(uuid)',
                       'public.list_invitations(uuid)');
