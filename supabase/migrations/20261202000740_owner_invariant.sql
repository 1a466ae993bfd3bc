-- ════════════════════════════════════════════════════════════════════════════
-- An organization keeps its last owner (SPEC F4), whatever removes the membership
-- (issue 11 review). The RPCs refuse it (55000), but a membership also goes when its
-- user is deleted — by Supabase Auth's admin API, the dashboard, a cascade — after the
-- admin API checked, and another owner may leave in between. A constraint trigger checks
-- at commit: a transaction that leaves an existing organization which had an owner with
-- none fails. Deferred, so a transfer of ownership may demote before it promotes, and an
-- organization deleted in the same transaction (a personal one, with its user) is fine.
-- Organizations that never had an owner (mirrored tenants, the default one) are untouched.
-- ════════════════════════════════════════════════════════════════════════════

create function private.keep_last_owner()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  org public.organizations;
begin
  select * into org from public.organizations o where o.id = old.organization_id;
  if org.id is not null and not exists (
       select 1 from public.memberships m where m.organization_id = old.organization_id and m.role = 'owner') then
    raise exception using errcode = '55000',
      message = format('organization "%s" would be left without an owner; transfer ownership first', org.slug),
      hint = 'transfer_ownership to another member, or delete the organization';
  end if;
  return null;
end;
$$;
comment on function private.keep_last_owner() is
  'At commit: an organization that lost its last owner in this transaction (a membership deleted or demoted) and still exists fails the transaction. Definer: reads every membership of the organization.';

create constraint trigger memberships_keep_last_owner
after delete or update of role, organization_id on public.memberships
deferrable initially deferred
for each row
when (old.role = 'owner')
execute function private.keep_last_owner();
comment on trigger memberships_keep_last_owner on public.memberships is
  'SPEC F4: no transaction leaves an existing organization without an owner it had, whatever path removed or demoted them.';

revoke execute on function private.keep_last_owner() from public;
