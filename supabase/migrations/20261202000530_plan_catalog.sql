-- ════════════════════════════════════════════════════════════════════════════
-- The plan catalog (issue 11: GET /functions/v1/plans, a public route; SPEC F11, F12).
--
-- Plans are the names plan_limits and plan_feature_flags use. Their limits and flag
-- values are not secret, but anon holds no privilege on any public table (and reaches
-- no RPC), so the plans function reads this as its own role: a fixed, read-only answer
-- with no input, the same for every caller.
-- ════════════════════════════════════════════════════════════════════════════

create function private.plan_catalog()
returns jsonb
language sql
stable
set search_path = ''
as $$
  with plans as (
    select l.plan from public.plan_limits l
    union
    select f.plan from public.plan_feature_flags f
  ), described as (
    select p.plan,
           coalesce((select jsonb_object_agg(l.limit_name, l.max_value order by l.limit_name)
                     from public.plan_limits l where l.plan = p.plan), '{}'::jsonb) as limits,
           coalesce((select jsonb_object_agg(f.key, f.value order by f.key)
                     from public.plan_feature_flags f where f.plan = p.plan), '{}'::jsonb) as flags,
           -- Smallest first: more limits set (no row or null: unlimited), then lower limits (a pricing page's order).
           (select count(*) from public.plan_limits l where l.plan = p.plan and l.max_value is not null) as limited,
           (select coalesce(sum(l.max_value), 0) from public.plan_limits l where l.plan = p.plan) as total
    from plans p
  )
  select coalesce(jsonb_agg(jsonb_build_object('plan', d.plan, 'limits', d.limits, 'flags', d.flags)
                            order by d.limited desc, d.total, d.plan), '[]'::jsonb)
  from described d
$$;
comment on function private.plan_catalog() is
  'Every plan with its limits (limit name → maximum, null = unlimited) and its plan-level flag values, smallest plan first. Public information, read by the plans function as its own role; not executable by the API roles.';

revoke execute on all functions in schema private from public;
