-- Quotas on every path that changes usage (issue 10, items 7 and 10):
--   * UPDATE counts too: moving a project or a membership into another organization, a
--     token becoming active again or changing owner, and an organization starting to
--     count for orgs_per_user (created_by, is_personal, is_default changed) are checked
--     like an insert. Chosen over an immutable tenant column: applications move rows
--     between organizations legitimately, and one check on every path keeps the rule
--     in one place (quota_used) whatever the path.
--   * Permission first: when the statement is subject to RLS, a project row the caller
--     may not write (the insert/update policy: data:write in its organization) is left
--     to RLS to refuse; the trigger neither locks that organization nor tells its plan
--     and usage.
--   * No client-settable switch: the tenantry.provisioning setting no longer changes
--     anything. The only exemption is a personal organization created in the current
--     transaction (its row's xmin is this transaction's and created_at is now()): its
--     first owner and starter project cannot exceed any plan, and no session can fake
--     having just created a row it cannot insert.

-- Whether a visible row version was written by this transaction (or one of its
-- subtransactions: provisioning runs in one). A row we can see whose writer is still in
-- progress can only be ours.
create function private.written_by_this_transaction(row_xmin xid)
returns boolean
language plpgsql
stable
set search_path = ''
as $$
declare
  current bigint := pg_catalog.pg_current_xact_id()::text::bigint;
  low bigint := current & 4294967295;
  xmin_value bigint := row_xmin::text::bigint;
begin
  if xmin_value < 3 then
    return false;  -- bootstrap / frozen
  end if;
  -- Widen the 32-bit xmin to a full transaction id: the one nearest the current top-level
  -- id (a subtransaction's id is newer than it, an older row's is older).
  return pg_catalog.pg_xact_status(
           (current + (((xmin_value - low + 2147483648) % 4294967296 + 4294967296) % 4294967296) - 2147483648)::text::xid8)
         = 'in progress';
end;
$$;
comment on function private.written_by_this_transaction(xid) is
  'Whether a visible row version (its xmin) was written by the current transaction or one of its subtransactions.';

create function private.enforce_quota(limit_name text, subject uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  plan text;
  fresh_personal boolean := false;
  maximum integer;
  used bigint;
begin
  -- Lock the parent first (racing writers queue here), then count only if the plan has a limit.
  case limit_name
  when 'members_per_org', 'projects_per_org' then
    select case when o.is_default and limit_name = 'members_per_org' then null else o.plan end,
           o.is_personal and o.created_at = pg_catalog.now() and private.written_by_this_transaction(o.xmin)
    into plan, fresh_personal
    from public.organizations o where o.id = subject for no key update;
    -- A personal organization created in this transaction (provisioning) is exempt.
    if fresh_personal then
      return;
    end if;
  else
    select p.plan into plan from public.profiles p where p.id = subject for no key update;
  end case;
  maximum := private.quota_max(limit_name, plan);
  if maximum is not null then
    used := private.quota_used(limit_name, subject);
    if used >= maximum then
      perform private.quota_exceeded(limit_name, plan, maximum, used);
    end if;
  end if;
end;
$$;
comment on function private.enforce_quota(text, uuid) is
  'Locks the parent (organization or profile), counts and raises PT403 when the plan''s limit is reached; a personal organization created in this transaction is exempt. Definer: counts rows the writing user may not see.';

-- Security invoker on purpose: it sees which role runs the statement, so it knows
-- whether RLS will judge the row, and leaves a row the caller may not write to RLS.
create or replace function private.check_quota()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  under_rls boolean;
begin
  case tg_table_name
  -- (Updates of memberships and projects reach here only when organization_id changed:
  -- their triggers' WHEN clauses say so.)
  when 'memberships' then
    perform private.enforce_quota('members_per_org', new.organization_id);
  when 'projects' then
    select not (r.rolsuper or r.rolbypassrls) into under_rls from pg_catalog.pg_roles r where r.rolname = current_user;
    -- The projects write policy (protect_table, org scope): data:write in the row's organization.
    if coalesce(under_rls, true) and not (new.organization_id = any (private.caller_org_ids('data:write'))) then
      return new;  -- RLS refuses it, before anything about that organization is locked or told
    end if;
    perform private.enforce_quota('projects_per_org', new.organization_id);
  when 'organizations' then
    if new.created_by is null or new.is_personal or new.is_default then
      return new;
    end if;
    if tg_op = 'UPDATE' and old.created_by is not distinct from new.created_by and not old.is_personal and not old.is_default then
      return new;
    end if;
    perform private.enforce_quota('orgs_per_user', new.created_by);
  when 'personal_access_tokens' then
    if new.revoked_at is not null or new.expires_at <= pg_catalog.now() then
      return new;
    end if;
    if tg_op = 'UPDATE' and old.user_id is not distinct from new.user_id
       and old.revoked_at is null and old.expires_at > pg_catalog.now() then
      return new;
    end if;
    perform private.enforce_quota('tokens_per_user', new.user_id);
  end case;
  return new;
end;
$$;
comment on function private.check_quota() is
  'BEFORE INSERT and BEFORE UPDATE (of the counted columns) on memberships, projects, organizations and personal_access_tokens: enforces the plan''s limit whenever a row starts counting for a subject (see enforce_quota). Invoker: leaves rows RLS will refuse to RLS.';

drop trigger memberships_check_quota on public.memberships;
drop trigger projects_check_quota on public.projects;
drop trigger organizations_check_quota on public.organizations;
drop trigger personal_access_tokens_check_quota on public.personal_access_tokens;

create trigger memberships_check_quota before insert on public.memberships
  for each row execute function private.check_quota();
create trigger memberships_check_quota_move before update of organization_id on public.memberships
  for each row when (old.organization_id is distinct from new.organization_id) execute function private.check_quota();
create trigger projects_check_quota before insert on public.projects
  for each row execute function private.check_quota();
create trigger projects_check_quota_move before update of organization_id on public.projects
  for each row when (old.organization_id is distinct from new.organization_id) execute function private.check_quota();
create trigger organizations_check_quota before insert on public.organizations
  for each row execute function private.check_quota();
create trigger organizations_check_quota_change before update of created_by, is_personal, is_default on public.organizations
  for each row execute function private.check_quota();
create trigger personal_access_tokens_check_quota before insert on public.personal_access_tokens
  for each row execute function private.check_quota();
create trigger personal_access_tokens_check_quota_change before update of user_id, revoked_at, expires_at on public.personal_access_tokens
  for each row execute function private.check_quota();

grant execute on function private.enforce_quota(text, uuid), private.written_by_this_transaction(xid), private.check_quota()
  to authenticated, service_role;
revoke execute on all functions in schema private from public;
