-- Role sync rules (SPEC F7, F8), table-driven: every combination of source, desired or
-- not, preserved, suppressed, paused, and groups claim absent vs empty, with the
-- assignments and audit rows each leaves.
begin;
\ir _helpers.psql

select plan(24);

select private.replace_group_role_mapping('{"Engineering": ["reader"], "security": ["auditor"], "admins": ["admin"]}', '{}');

create function pg_temp.sync_case(held text[], paused boolean, preserved text[], suppressed text[], groups text[])
returns text
language plpgsql
as $$
declare
  id uuid := gen_random_uuid();
  audits_before bigint := (select count(*) from public.audit_events where action like 'platform_role.%');
  result text;
begin
  insert into public.profiles (id, identity_provider, identity_sub) values (id, 'https://idp.test', id::text);
  insert into public.platform_role_assignments (user_id, role, source)
  select id, split_part(h, ':', 1), split_part(h, ':', 2) from unnest(held) as h;
  if paused or cardinality(preserved) > 0 or cardinality(suppressed) > 0 then
    insert into public.role_overrides (user_id, paused, preserved, suppressed) values (id, paused, preserved, suppressed);
  end if;
  perform private.sync_platform_roles(id, groups, 'test');
  select coalesce(string_agg(role || ':' || source, ' ' order by role), '-') || ' | audits ' ||
         ((select count(*) from public.audit_events where action like 'platform_role.%') - audits_before)
  into result
  from public.platform_role_assignments where user_id = id;
  return result;
end;
$$;

select is(pg_temp.sync_case(held, paused, preserved, suppressed, groups), expected, description)
from (values
  ('{reader:idp}'::text[], false, '{}'::text[], '{}'::text[], '{engineering}'::text[], 'reader:idp | audits 0', 'a mapped role still desired stays, nothing audited'),
  ('{}', false, '{}', '{}', '{engineering,security}', 'auditor:idp reader:idp | audits 2', 'mapped roles are granted with source idp, each audited'),
  ('{auditor:idp}', false, '{}', '{}', '{engineering}', 'reader:idp | audits 2', 'an IdP role no longer desired is revoked, the new one granted'),
  ('{reader:idp}', false, '{}', '{}', '{}', '- | audits 1', 'an empty groups claim revokes IdP roles'),
  ('{reader:idp,auditor:idp}', false, '{}', '{}', null, 'auditor:idp reader:idp | audits 0', 'an absent groups claim never revokes'),
  ('{admin:admin}', false, '{}', '{}', '{}', 'admin:admin | audits 0', 'admin-granted roles are never revoked by sync'),
  ('{reader:admin}', false, '{}', '{}', '{engineering}', 'reader:admin | audits 0', 'an admin grant of a desired role keeps its admin source'),
  ('{auditor:default}', false, '{}', '{}', '{}', '- | audits 1', 'a default-sourced role no longer a default is revoked'),
  ('{reader:jit}', false, '{}', '{}', '{}', '- | audits 1', 'a JIT-sourced role is revoked like an IdP one'),
  ('{auditor:idp}', false, '{auditor}', '{}', '{}', 'auditor:idp | audits 0', 'a preserved role is not revoked'),
  ('{}', false, '{auditor}', '{}', '{}', '- | audits 0', 'a preserved role the user lacks is not granted (preserving keeps, never grants)'),
  ('{auditor:idp}', true, '{}', '{}', '{engineering}', 'auditor:idp reader:idp | audits 1', 'paused: grants continue, revocation does not'),
  ('{}', false, '{}', '{auditor}', '{engineering,security}', 'reader:idp | audits 1', 'a suppressed role is never granted'),
  ('{auditor:idp}', false, '{}', '{auditor}', '{security}', '- | audits 1', 'a suppressed role is removed from IdP grants'),
  ('{auditor:idp}', true, '{}', '{auditor}', '{security}', 'auditor:idp | audits 0', 'suppressed but paused: not revoked automatically'),
  ('{auditor:idp}', false, '{}', '{auditor}', null, 'auditor:idp | audits 0', 'suppressed but groups absent: not revoked'),
  ('{auditor:admin}', false, '{}', '{auditor}', '{}', 'auditor:admin | audits 0', 'suppression never touches an admin grant'),
  ('{}', false, '{}', '{}', '{"  Engineering ", SECURITY}', 'auditor:idp reader:idp | audits 2', 'groups are trimmed and compared case-insensitively'),
  ('{}', false, '{}', '{}', '{unmapped}', '- | audits 0', 'unmapped groups grant nothing')
) as cases(held, paused, preserved, suppressed, groups, expected, description);

-- ── defaults ─────────────────────────────────────────────────────────────────
select private.replace_group_role_mapping('{"ops": ["auditor", "reader"], "OPS": ["auditor"]}', '{reader}');
select is(public.resolve_roles_for_groups('{Ops}'), '{auditor,reader}', 'resolve_roles_for_groups: repeats append, duplicates collapse, defaults included');
select is(public.resolve_roles_for_groups('{}'), '{reader}', 'resolve_roles_for_groups: defaults for users in no mapped group');
select is(pg_temp.sync_case('{}', false, '{}', '{}', '{}'), 'reader:default | audits 1', 'defaults are granted with source default');
select is(pg_temp.sync_case('{}', false, '{}', '{}', null), 'reader:default | audits 1', 'defaults are granted even when the groups claim is absent');
select throws_ok($$select private.replace_group_role_mapping('{"ops": ["superuser"]}', '{}')$$, '22023', '"superuser" is not a platform role',
  'storing a mapping to an unknown role fails and names it');

select * from finish();
rollback;
