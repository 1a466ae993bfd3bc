-- ════════════════════════════════════════════════════════════════════════════
-- Organization-scoped policies that allow parallel plans (issue 13).
--
-- A scan of millions of rows (a platform-wide count, a caller in a thousand
-- organizations) is worth splitting across workers, but PostgreSQL plans a query in
-- parallel only if every function in it is declared PARALLEL SAFE and every subplan is
-- parallel-safe. Two things in the standard condition stopped that:
--
-- * The functions were PARALLEL UNSAFE (the default). Those a worker runs, A's and B's
--   and what they call, only read tables and the request's claims (request.jwt.claims),
--   which every worker gets from its leader, along with the current user; they are now
--   PARALLEL SAFE. (auth.jwt(), which they call, belongs to supabase_auth_admin and keeps
--   its label; it reads that setting and nothing else.)
-- * B, the hashed subplan, read its organizations through an InitPlan
--   (`unnest((select …))`). In PostgreSQL 15 a subplan that carries an InitPlan is
--   never parallel-safe, and a FROM-less subquery is not either. B now reads a
--   set-returning function in FROM, private.policy_org_id_set, which has no planner
--   support function, so the planner does not call it to estimate rows (each call
--   costs; A already gives the estimate).
--
-- The role setting is not shared: before PostgreSQL 15.9 (16.5, 17.1; CVE-2024-10978) a
-- worker reports current_setting('role') as 'none'. So nothing a worker runs reads it:
-- * The standard condition decided "under role tenantry_platform" inside policy_org_ids,
--   from that setting. The condition now says it itself, `current_user <>
--   'tenantry_platform'` (current_user is the querying role, in workers too), and calls
--   the rule, caller_org_ids_for, directly: one call instead of two.
-- * caller_org_ids_for asked is_operator, which reads the setting, for a session without
--   claims. It now answers nobody there; the operator's SQL session is the RPCs' concern,
--   and caller_org_ids (what they call) asks is_operator first. A policy is evaluated only
--   under a role subject to RLS, where is_operator is false anyway.
-- * What still reads the setting, is_operator, caller_org_ids and
--   caller_platform_permissions, is PARALLEL RESTRICTED: the leader runs it. The
--   companion policy calls caller_platform_permissions once, in an InitPlan, which the
--   leader evaluates and hands to the workers.
--
-- Workers pay off for long scans, not for a page: a LIMIT that walks an ordered index in
-- parallel (Gather Merge) starts workers that each compile the policy functions before
-- the first row, and lost 10-20 ms against 2-5 ms serially in the benchmark. The
-- pre-request therefore turns Gather Merge off for signed-in requests; counts and other
-- unordered scans keep their workers (Gather).
-- ════════════════════════════════════════════════════════════════════════════

-- ── what workers run: parallel-safe ──────────────────────────────────────────
alter function private.caller_id() parallel safe;
alter function private.user_platform_permissions(uuid) parallel safe;
alter function private.token_scopes() parallel safe;
alter function private.token_allows(text) parallel safe;

-- ── what reads the role setting: the leader's ────────────────────────────────
alter function private.is_operator() parallel restricted;
alter function private.caller_platform_permissions() parallel restricted;

-- ── the caller's organizations ───────────────────────────────────────────────
-- COST 1 (the default is 100): the planner charges a filter's cost on every row it
-- scans, but in the standard condition B rejects other tenants' rows first, so A runs
-- only for rows B let through (and once as an index condition). At 100 every walk of
-- another index looked dear enough to split across workers (see the pre-request below).
create or replace function private.caller_org_ids_for(permission text, platform_wide boolean)
returns uuid[]
language plpgsql
stable
security definer
parallel safe
cost 1
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  token_subject text := claims ->> 'sub';
  token_issuer text := claims ->> 'iss';
  grant_row record;
begin
  -- No claims: nobody (the operator's SQL session is caller_org_ids's to recognise).
  if claims is null then
    return '{}';
  end if;
  if claims ->> 'role' = 'service_role' then
    return array(select o.id from public.organizations o);
  end if;
  -- Only a request made with a personal access token carries scopes (token_scopes).
  if claims ? 'pat_scopes' and not private.token_allows(permission) then
    return '{}';
  end if;
  -- The caller's key as private.caller_id() finds it (the same two reads, in the same
  -- order), with the permission: a provider's user, else a Supabase Auth user.
  select g.organization_ids, g.platform_roles into grant_row from private.caller_grants g
  where not g.supabase and g.issuer = token_issuer and g.subject = token_subject and g.permission = caller_org_ids_for.permission;
  if not found and token_subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select g.organization_ids, g.platform_roles into grant_row from private.caller_grants g
    where g.supabase and g.issuer = pg_catalog.rtrim(token_issuer, '/') and g.subject = pg_catalog.lower(token_subject)
      and g.permission = caller_org_ids_for.permission
      and not exists (select 1 from private.identity_providers i where i.issuer = token_issuer and i.enabled);
  end if;
  if platform_wide and grant_row.platform_roles > 0 then
    return array(select o.id from public.organizations o);
  end if;
  return coalesce(grant_row.organization_ids, '{}');
end;
$$;
comment on function private.caller_org_ids_for(text, boolean) is
  'The rule behind the standard policy condition and caller_org_ids, from the request''s claims: every organization for the secret key; none without claims or for a token without the permission; every organization for a platform role that grants it (when platform_wide; false only narrows); else those where a membership grants it. One read of caller_grants. The API roles may call it (policy_org_id_set runs as the caller). Definer: reads caller_grants. Parallel-safe: reads tables and claims only.';
grant execute on function private.caller_org_ids_for(text, boolean) to authenticated, service_role;

create or replace function private.caller_org_ids(permission text)
returns uuid[]
language plpgsql
stable
security definer
parallel restricted
set search_path = ''
as $$
begin
  -- The operator's own SQL session (no claims, no SET ROLE) acts for every organization;
  -- anyone else gets the rule (which answers nobody without claims).
  if private.is_operator() then
    return array(select o.id from public.organizations o);
  end if;
  return private.caller_org_ids_for(permission, true);
end;
$$;
comment on function private.caller_org_ids(text) is
  'Organizations in which the caller holds the permission (all of them for a platform role that grants it, the secret key and the operator), none when the token used lacks it: what RPCs check. See caller_org_ids_for. Definer: calls it. Parallel restricted: is_operator reads the role setting.';

-- For policies an application writes by hand: the organizations the standard condition
-- admits (platform-wide except under tenantry_platform, whose companion policy admits that).
create or replace function private.policy_org_ids(permission text)
returns uuid[]
language plpgsql
stable
security invoker
parallel safe
cost 1
set search_path = ''
as $$
begin
  return private.caller_org_ids_for(permission, current_user <> 'tenantry_platform');
end;
$$;
comment on function private.policy_org_ids(text) is
  'The organizations the standard policy condition admits: caller_org_ids_for, platform-wide except under role tenantry_platform (its companion policy admits platform-wide access, so no statement enumerates every organization). Invoker and parallel-safe: current_user is the querying role, in workers too.';

-- PL/pgSQL, not SQL: a SQL function would be inlined back into unnest(…),
-- whose support function the planner calls to estimate rows. ROWS 100 only sizes the
-- hash table before it is built.
create function private.policy_org_id_set(permission text)
returns setof uuid
language plpgsql
stable
security invoker
parallel safe
rows 100
set search_path = ''
as $$
declare
  organization_id uuid;
begin
  foreach organization_id in array private.caller_org_ids_for(permission, current_user <> 'tenantry_platform') loop
    return next organization_id;
  end loop;
end;
$$;
comment on function private.policy_org_id_set(text) is
  'The standard condition''s organizations as rows, for its hashed subplan: a FROM item a parallel plan may carry, which the planner does not call to estimate (no support function). Invoker: current_user is the querying role.';
revoke execute on function private.policy_org_id_set(text) from public;
grant execute on function private.policy_org_id_set(text) to authenticated, service_role;

create or replace function private.org_policy_condition(column_ref text, permission text)
returns text
language sql
immutable
set search_path = ''
as $$
  -- A: platform-wide unless the request runs as tenantry_platform, whose companion
  -- policy admits that (so no statement under it enumerates every organization).
  select format('%1$s = any (private.caller_org_ids_for(%2$L, current_user <> %3$L)) and %1$s in (select o from private.policy_org_id_set(%2$L) as o)',
                column_ref, permission, 'tenantry_platform')
$$;
comment on function private.org_policy_condition(text, text) is
  'The text of the standard organization-scoped policy condition on a quoted tenant column: an estimable, index-usable call (A, caller_org_ids_for) and a hashed subplan built once per scan (B, policy_org_id_set); both allow parallel plans. See migrations 20261203000100 and 20261203001000. Pure text; reads nothing.';

-- ── the policies that use it ─────────────────────────────────────────────────
-- Tenantry's own, and every registered table's members' policy still exactly as
-- migration 20261203000500 wrote it (ALTER POLICY keeps its name, roles and comment); one
-- the application changed is left alone, with a notice.
do $$
declare
  entry record;
  target regclass;
  policy record;
  old_shape text;
  new_shape text;
begin
  for entry in
    select t.schema_name, t.table_name, t.column_name, t.read_permission, t.write_permission
    from private.protected_tables t where t.scope = 'org'
    union all values ('public', 'organizations', 'id', 'org:read', null),
                     ('public', 'organization_feature_flags', 'organization_id', 'org:read', null)
  loop
    target := pg_catalog.to_regclass(format('%I.%I', entry.schema_name, entry.table_name));
    continue when target is null;
    for policy in
      select p.polname, p.polcmd, pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using_expr,
             pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check_expr,
             case when p.polcmd = 'r' then entry.read_permission else entry.write_permission end as permission
      from pg_catalog.pg_policy p
      where p.polrelid = target and p.polname like '%\_members'
        and (p.polname = any (private.protect_table_policy_names(target, 'org'))
             or entry.table_name in ('organizations', 'organization_feature_flags'))
    loop
      -- The previous condition as PostgreSQL prints it back.
      old_shape := format('((%1$s = ANY (private.policy_org_ids(%2$L::text))) AND (%1$s IN ( SELECT unnest(( SELECT private.policy_org_ids(%2$L::text) AS policy_org_ids)) AS unnest)))',
                          pg_catalog.quote_ident(entry.column_name), policy.permission);
      new_shape := private.org_policy_condition(pg_catalog.quote_ident(entry.column_name), policy.permission);
      if coalesce(policy.using_expr, old_shape) <> old_shape or coalesce(policy.check_expr, old_shape) <> old_shape then
        raise notice 'protect_table: % on % is not as migration 20261203000500 wrote it (changed by the application, or protected with other permissions since); left as it is', policy.polname, target;
        continue;
      end if;
      execute case policy.polcmd
        when 'a' then format('alter policy %I on %s with check (%s)', policy.polname, target, new_shape)
        when 'w' then format('alter policy %I on %s using (%s) with check (%s)', policy.polname, target, new_shape, new_shape)
        else format('alter policy %I on %s using (%s)', policy.polname, target, new_shape)
      end;
    end loop;
  end loop;
end $$;

-- ── the pre-request: no parallel walks for a page ────────────────────────────
create or replace function tenantry_request.pre_request()
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- The claimed role, not the current one: after this function switched a request, a
  -- second call (a project's own pre-request calling this one) must not refuse it.
  if auth.jwt() ->> 'role' = 'tenantry_platform' then
    raise exception using errcode = '42501', message = 'a token may not name the role tenantry_platform';
  end if;
  -- Anonymous requests and the secret key plan as they are.
  if pg_catalog.current_setting('role') = 'authenticated' then
    -- A planner choice for this request only (see the banner): a page is read serially.
    perform pg_catalog.set_config('enable_gathermerge', 'off', true);
    perform private.pre_request();
  end if;
end;
$$;
comment on function tenantry_request.pre_request() is
  'PostgREST''s db-pre-request and the edge functions'' first call: refuses a token that names tenantry_platform; for a signed-in caller, turns off parallel ordered plans (Gather Merge) for the request and runs a caller who holds a platform role as tenantry_platform (private.pre_request). Invoker: SET ROLE is refused inside a definer function.';
