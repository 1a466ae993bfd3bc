-- ════════════════════════════════════════════════════════════════════════════
-- Removals and demotions of an organization's owners queue per organization (issue 14,
-- concurrency suite; SPEC F4: an organization always keeps an owner).
--
-- The RPCs lock the owner rows first (would_orphan), but other paths remove owners with
-- no such lock: an account deleted through Supabase Auth (the cascade), the admin API's
-- delete_user for a third-party user, a direct statement. For them the only guard was
-- memberships_keep_last_owner, checked at commit with READ COMMITTED's fresh snapshot.
-- Two transactions each removing one of two owners both passed it when their commits
-- overlapped (each saw the other's owner still there, uncommitted): an organization
-- with no owner (tests/integration/concurrency-owners.test.ts forces the overlap).
--
-- Now the statement that removes or demotes an owner takes a transaction-level lock on
-- that organization's owners at once (not at commit: audited transactions hold the audit
-- chain head from their seal to the end of the commit, and taking another lock there
-- could deadlock with it). A second such transaction waits until the first ends, so its
-- commit-time check sees what the first left. REPEATABLE READ could not see it (its
-- snapshot predates the wait): such a transaction is refused, as identity changes are
-- (20261203000700). SERIALIZABLE is left to its own conflict detection.
-- ════════════════════════════════════════════════════════════════════════════

create function private.queue_owner_removal()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.owners:' || old.organization_id::text, 0));
  if pg_catalog.current_setting('transaction_isolation') = 'repeatable read'
     and exists (select 1 from public.organizations o where o.id = old.organization_id) then
    raise exception using errcode = '25000',
      message = 'remove or demote an organization''s owner in a READ COMMITTED transaction (a REPEATABLE READ snapshot cannot see a concurrent removal)';
  end if;
  return null;
end;
$$;
comment on function private.queue_owner_removal() is
  'When an owner''s membership is deleted, demoted or moved: takes the organization''s owner lock until the transaction ends, so concurrent removals of its owners are checked (memberships_keep_last_owner) one after the other; refused under REPEATABLE READ. Definer: reads whether the organization still exists whatever the caller may see.';

create trigger memberships_queue_owner_removal
after delete or update of role, organization_id on public.memberships
for each row
when (old.role = 'owner')
execute function private.queue_owner_removal();
comment on trigger memberships_queue_owner_removal on public.memberships is
  'SPEC F4: owner removals of one organization queue, so the commit-time owner check (memberships_keep_last_owner) of the second sees the first.';

revoke execute on function private.queue_owner_removal() from public;
