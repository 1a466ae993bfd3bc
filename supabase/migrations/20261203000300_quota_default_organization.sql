-- ════════════════════════════════════════════════════════════════════════════
-- Signups no longer queue on the default organization (issue 13; SPEC F11, F4).
--
-- enforce_quota locked the organization a membership joins (FOR NO KEY UPDATE) before
-- counting, so that racing writers queue for the last slot. The default organization
-- has no member limit, yet every signup joins it: each signup held that one row until
-- it committed. It is now exempt before the lock; every limited organization still
-- serialises its racers.
-- ════════════════════════════════════════════════════════════════════════════

create or replace function private.enforce_quota(limit_name text, subject uuid)
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
    -- The default organization has no member limit, and every signup joins it: locking
    -- it here would make all signups queue behind each other for nothing.
    if limit_name = 'members_per_org' and exists (select 1 from public.organizations o where o.id = subject and o.is_default) then
      return;
    end if;
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
