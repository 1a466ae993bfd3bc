-- The public plan catalog behind GET /functions/v1/plans (issue 11; SPEC F11, F12).
begin;
\ir _helpers.psql
\ir _fixture.psql
\set QUIET on
-- A plan that exists only through a flag value.
insert into public.plan_feature_flags (plan, key, value) values ('startup', 'fixture-flag', 'false');
\set QUIET off

select plan(7);

-- Computed from the tables, not listed: a shared database may hold plans of its own.
select is((select array_agg(p ->> 'plan' order by p ->> 'plan') from jsonb_array_elements(private.plan_catalog()) p),
  (select array_agg(plan order by plan) from (select plan from public.plan_limits union select plan from public.plan_feature_flags) x),
  'every plan of plan_limits and plan_feature_flags, once');
select is((select jsonb_agg(p -> 'plan' order by n) from jsonb_array_elements(private.plan_catalog()) with ordinality as c(p, n)
           where p ->> 'plan' in ('free', 'pro', 'enterprise', 'startup')),
  '["free", "pro", "enterprise", "startup"]'::jsonb,
  '... smallest first (no limit row means unlimited)');
select is((select p -> 'limits' from jsonb_array_elements(private.plan_catalog()) p where p ->> 'plan' = 'free'),
  (select jsonb_object_agg(limit_name, max_value) from public.plan_limits where plan = 'free'),
  'a plan''s limits, by limit name');
select is((select p -> 'limits' from jsonb_array_elements(private.plan_catalog()) p where p ->> 'plan' = 'enterprise'),
  '{"members_per_org": null, "orgs_per_user": null, "projects_per_org": null, "tokens_per_user": null}'::jsonb,
  'unlimited is null');
select is((select p -> 'flags' from jsonb_array_elements(private.plan_catalog()) p where p ->> 'plan' = 'free'),
  '{"fixture-flag": true}'::jsonb, 'a plan''s own flag values');
select is((select p -> 'limits' from jsonb_array_elements(private.plan_catalog()) p where p ->> 'plan' = 'startup'), '{}'::jsonb,
  'a plan with flags only has no limits (unlimited)');
select ok(not has_function_privilege('anon', 'private.plan_catalog()', 'execute')
          and not has_function_privilege('authenticated', 'private.plan_catalog()', 'execute'),
  'the API roles cannot call it (the plans function reads it as its own role)');

select * from finish();
rollback;
