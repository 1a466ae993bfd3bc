-- ════════════════════════════════════════════════════════════════════════════
-- The caller in one read (issue 13; SPEC principle 8, F5, F6).
--
-- Every organization-scoped statement resolves its caller three times (the planner's
-- estimate, the hashed subplan, the index condition), and each resolution used to read
-- identity_providers, then settings (a Supabase Auth token) and then profiles: about
-- 8 µs for a third-party caller and 15 µs for a Supabase Auth one, most of what
-- authorization added to a point lookup.
--
-- private.caller_identities holds the answer of that rule for every active profile:
--   (supabase = false, issuer, subject) for a profile of a registered, enabled provider;
--   (supabase = true, issuer without trailing slashes, auth user id) for a Supabase Auth
--   profile, once per issuer in settings.auth_issuers.
-- A disabled profile has no row. The rule itself is the view private.caller_identity_rule;
-- the table is kept equal to it by triggers on profiles, identity_providers and settings
-- (also in replica mode), and private.caller_id() reads it with one primary-key probe.
-- What stays a runtime check: a token whose issuer is a registered, enabled provider is
-- never taken for a Supabase Auth user (the provider's subjects are its own).
--
-- Races: a new profile takes private.member_grants_epoch FOR SHARE before it computes its
-- keys (as every membership and platform role change does before it changes grants);
-- any other identity change (a disabled or changed profile, a provider enabled, disabled,
-- renamed or removed, a change of auth_issuers) writes that row first. So one always
-- recomputes after the other commits (READ COMMITTED takes a new snapshot per statement),
-- and a REPEATABLE READ or SERIALIZABLE grant change or sign-up that overlaps an identity
-- change fails to serialize, because the row it locks was written. Identity changes run
-- only under READ COMMITTED: an older snapshot could miss what a concurrent sign-up or
-- grant change committed meanwhile.
-- ════════════════════════════════════════════════════════════════════════════

create table private.caller_identities (
  supabase boolean not null,
  issuer text not null,
  subject text not null,
  profile_id uuid not null references public.profiles (id) on delete cascade,
  primary key (supabase, issuer, subject)
);
create index caller_identities_profile_idx on private.caller_identities (profile_id);
comment on table private.caller_identities is
  'Which active profile a token''s (issuer, subject) names: the rows of private.caller_identity_rule, kept by triggers on profiles, identity_providers and settings. Derived; read by private.caller_id().';
comment on column private.caller_identities.supabase is
  'true: a Supabase Auth user (issuer = one of settings.auth_issuers without trailing slashes, subject = the auth user id); false: a user of a registered, enabled identity provider (issuer and subject exactly as in the token).';
revoke all on private.caller_identities from public, anon, authenticated, service_role;

comment on table private.member_grants_epoch is
  'One row, share-locked by every statement that changes memberships, platform roles or adds profiles, written by every rebuild of member_grants and every other identity change (profile, provider, Supabase Auth issuer), which run under READ COMMITTED only: changes to who a token names and to what they hold recompute after each other, or fail to serialize.';

-- ── the rule ─────────────────────────────────────────────────────────────────
create view private.supabase_auth_issuers with (security_invoker = true) as
  select distinct pg_catalog.rtrim(x, '/') as issuer
  from private.settings s, unnest(s.auth_issuers) as x
  where x is not null;
comment on view private.supabase_auth_issuers is
  'This project''s Supabase Auth issuers (settings.auth_issuers), without trailing slashes: what a token''s issuer is compared with, the same way, by is_supabase_issuer and caller_identity_rule.';
revoke all on private.supabase_auth_issuers from public, anon, authenticated, service_role;

create or replace function private.is_supabase_issuer(issuer text)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  -- Only the issuers the deployment names: a token of any other issuer is never taken
  -- for a Supabase Auth user, whatever its subject (another project signs /auth/v1 too).
  return exists (select 1 from private.supabase_auth_issuers s where s.issuer = pg_catalog.rtrim(is_supabase_issuer.issuer, '/'));
end;
$$;

create view private.caller_identity_rule with (security_invoker = true) as
  select false as supabase, i.issuer, p.identity_sub as subject, p.id as profile_id
  from private.identity_providers i
  join public.profiles p on p.identity_provider = i.issuer and p.auth_user_id is null
  where i.enabled and p.disabled_at is null
  union all
  -- A Supabase Auth profile: identity_provider 'supabase', auth_user_id = id (the
  -- profiles_supabase_identity and profiles_auth_user_is_id constraints), so a lookup by
  -- profile id reads the primary key.
  select true, s.issuer, p.id::text, p.id
  from private.supabase_auth_issuers s
  cross join public.profiles p
  where p.identity_provider = 'supabase' and p.disabled_at is null;
comment on view private.caller_identity_rule is
  'Who a token names: a registered, enabled provider''s (issuer, subject) its active profile; this project''s Supabase Auth issuer and an auth user id that user''s active profile. private.caller_identities holds these rows.';
revoke all on private.caller_identity_rule from public, anon, authenticated, service_role;

create function private.refresh_caller_identities(profile_ids uuid[], issuers text[], supabase_issuers boolean,
                                                   new_profiles boolean default false)
returns void
language plpgsql
security definer
set search_path = ''
-- A sign-up runs it for one profile: the cached plan serves every array, where a custom
-- plan for each call (chosen because one id looks cheaper than the generic ten) would
-- plan the view again on every sign-up.
set plan_cache_mode = force_generic_plan
as $$
begin
  -- Recompute the keys of these profiles (new ones have none yet), of these providers, or
  -- of every Supabase Auth user (one statement each, so each reads its own index); every
  -- statement takes its own snapshot (READ COMMITTED), after the caller's lock on the epoch.
  if cardinality(profile_ids) > 0 then
    if not new_profiles then
      delete from private.caller_identities k where k.profile_id = any (profile_ids);
    end if;
    insert into private.caller_identities (supabase, issuer, subject, profile_id)
    select r.supabase, r.issuer, r.subject, r.profile_id from private.caller_identity_rule r
    where r.profile_id = any (profile_ids)
    on conflict do nothing;
  end if;
  if cardinality(issuers) > 0 then
    delete from private.caller_identities k where not k.supabase and k.issuer = any (issuers);
    insert into private.caller_identities (supabase, issuer, subject, profile_id)
    select r.supabase, r.issuer, r.subject, r.profile_id from private.caller_identity_rule r
    where not r.supabase and r.issuer = any (issuers)
    on conflict do nothing;
  end if;
  if supabase_issuers then
    delete from private.caller_identities k where k.supabase;
    insert into private.caller_identities (supabase, issuer, subject, profile_id)
    select r.supabase, r.issuer, r.subject, r.profile_id from private.caller_identity_rule r
    where r.supabase
    on conflict do nothing;
  end if;
end;
$$;
comment on function private.refresh_caller_identities(uuid[], text[], boolean, boolean) is
  'Makes caller_identities equal to caller_identity_rule for the given profiles, providers and (when true) every Supabase Auth user. Definer: the table is private.';

create function private.lock_identity_changes(new_profiles boolean)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new_profiles then
    perform 1 from private.member_grants_epoch for share;
    return;
  end if;
  if pg_catalog.current_setting('transaction_isolation') <> 'read committed' then
    raise exception using errcode = '25000',
      message = 'disable users, change their identity, identity providers or auth_issuers in a READ COMMITTED transaction';
  end if;
  -- Written, not only locked: a lock alone would not fail a REPEATABLE READ transaction
  -- that share-locks the row later with a snapshot from before this change.
  update private.member_grants_epoch set rebuilt_at = rebuilt_at;
end;
$$;
comment on function private.lock_identity_changes(boolean) is
  'Orders a change of who tokens name against concurrent grant changes (see the banner of migration 20261203000700): FOR SHARE for new profiles; for everything else a write of the row, under READ COMMITTED only. Definer: the epoch is private.';
revoke execute on function private.lock_identity_changes(boolean) from public;
revoke execute on function private.refresh_caller_identities(uuid[], text[], boolean, boolean) from public;

-- ── kept by profiles ─────────────────────────────────────────────────────────
create function private.caller_identities_follow_profiles()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed uuid[];
begin
  if tg_op = 'INSERT' then
    changed := array(select n.id from new_rows n);
  else
    -- Only rows whose identity or state changed (an UPDATE may list the columns unchanged).
    changed := array(select n.id from new_rows n join old_rows o on o.id = n.id
                     where (n.identity_provider, n.identity_sub, n.auth_user_id, n.disabled_at)
                           is distinct from (o.identity_provider, o.identity_sub, o.auth_user_id, o.disabled_at));
  end if;
  if cardinality(changed) > 0 then
    perform private.lock_identity_changes(tg_op = 'INSERT');
    perform private.refresh_caller_identities(changed, '{}', false, tg_op = 'INSERT');
  end if;
  return null;
end;
$$;
comment on function private.caller_identities_follow_profiles() is
  'Statement trigger on profiles (insert; an update that changes the identity or disabled_at): recomputes those profiles'' caller identities. Deletes cascade. Definer: the table is private.';
revoke execute on function private.caller_identities_follow_profiles() from public;

create trigger profiles_caller_identities_insert after insert on public.profiles
  referencing new table as new_rows for each statement execute function private.caller_identities_follow_profiles();
-- (A trigger with transition tables cannot name columns: it compares them itself.)
create trigger profiles_caller_identities_update after update on public.profiles
  referencing old table as old_rows new table as new_rows for each statement execute function private.caller_identities_follow_profiles();

-- ── kept by providers and settings ───────────────────────────────────────────
create function private.caller_identities_follow_providers()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  issuers text[] := '{}';
begin
  if tg_op = 'TRUNCATE' then
    issuers := array(select k.issuer from private.caller_identities k where not k.supabase);
  else
    -- Only providers whose issuer or enabled state changed (a new audience or claim
    -- mapping names the same users).
    if tg_op in ('UPDATE', 'DELETE') then
      issuers := issuers || array(select o.issuer from old_rows o);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
      issuers := issuers || array(select n.issuer from new_rows n);
    end if;
    if tg_op = 'UPDATE' then
      issuers := array(select i from unnest(issuers) as i
                       where (select n.enabled from new_rows n where n.issuer = i) is distinct from
                             (select o.enabled from old_rows o where o.issuer = i));
    end if;
  end if;
  if cardinality(issuers) > 0 then
    -- Waits for identity and grant changes in flight; later ones wait for this transaction.
    perform private.lock_identity_changes(false);
    perform private.refresh_caller_identities('{}', issuers, false);
  end if;
  return null;
end;
$$;
comment on function private.caller_identities_follow_providers() is
  'Statement trigger on identity_providers (a provider added, removed, renamed, enabled or disabled): recomputes those providers'' caller identities. Definer: the table is private.';
revoke execute on function private.caller_identities_follow_providers() from public;

create function private.caller_identities_follow_settings()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- An insert or delete that changed no row changes no issuer (an update that leaves
  -- auth_issuers as it was does not get here: see the trigger's condition).
  if tg_op = 'INSERT' then
    perform 1 from new_rows limit 1;
    if not found then
      return null;
    end if;
  elsif tg_op = 'DELETE' then
    perform 1 from old_rows limit 1;
    if not found then
      return null;
    end if;
  end if;
  perform private.lock_identity_changes(false);
  perform private.refresh_caller_identities('{}', '{}', true);
  return null;
end;
$$;
comment on function private.caller_identities_follow_settings() is
  'Trigger on settings (auth_issuers changed, the row added, removed or truncated): recomputes every Supabase Auth user''s caller identities. Definer: the table is private.';
revoke execute on function private.caller_identities_follow_settings() from public;

create trigger identity_providers_caller_identities_insert after insert on private.identity_providers
  referencing new table as new_rows for each statement execute function private.caller_identities_follow_providers();
create trigger identity_providers_caller_identities_update after update on private.identity_providers
  referencing old table as old_rows new table as new_rows for each statement execute function private.caller_identities_follow_providers();
create trigger identity_providers_caller_identities_delete after delete on private.identity_providers
  referencing old table as old_rows for each statement execute function private.caller_identities_follow_providers();
create trigger identity_providers_caller_identities_truncate after truncate on private.identity_providers
  for each statement execute function private.caller_identities_follow_providers();
create trigger settings_caller_identities after update of auth_issuers on private.settings
  for each row when (old.auth_issuers is distinct from new.auth_issuers)
  execute function private.caller_identities_follow_settings();
create trigger settings_caller_identities_insert after insert on private.settings
  referencing new table as new_rows for each statement execute function private.caller_identities_follow_settings();
create trigger settings_caller_identities_delete after delete on private.settings
  referencing old table as old_rows for each statement execute function private.caller_identities_follow_settings();
create trigger settings_caller_identities_truncate after truncate on private.settings
  for each statement execute function private.caller_identities_follow_settings();

alter table public.profiles enable always trigger profiles_caller_identities_insert;
alter table public.profiles enable always trigger profiles_caller_identities_update;
alter table private.identity_providers enable always trigger identity_providers_caller_identities_insert;
alter table private.identity_providers enable always trigger identity_providers_caller_identities_update;
alter table private.identity_providers enable always trigger identity_providers_caller_identities_delete;
alter table private.identity_providers enable always trigger identity_providers_caller_identities_truncate;
alter table private.settings enable always trigger settings_caller_identities;
alter table private.settings enable always trigger settings_caller_identities_insert;
alter table private.settings enable always trigger settings_caller_identities_delete;
alter table private.settings enable always trigger settings_caller_identities_truncate;

insert into private.caller_identities (supabase, issuer, subject, profile_id)
select r.supabase, r.issuer, r.subject, r.profile_id from private.caller_identity_rule r
on conflict do nothing;
-- Statistics now, so the triggers' first plans read the indexes.
analyze private.caller_identities;

-- ── the caller ───────────────────────────────────────────────────────────────
create or replace function private.caller_id()
returns uuid
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  token_subject text := claims ->> 'sub';
  token_issuer text := claims ->> 'iss';
  result uuid;
begin
  if token_subject is null or token_issuer is null then
    return null;
  end if;
  -- A registered, enabled provider's user: issuer and subject exactly as signed.
  select k.profile_id into result from private.caller_identities k
  where not k.supabase and k.issuer = token_issuer and k.subject = token_subject;
  if found then
    return result;
  end if;
  -- A Supabase Auth user, unless the issuer is a registered, enabled provider: its
  -- subjects are its own even when they look like an auth user id. The subject is
  -- compared as text, so a non-UUID subject never raises.
  if token_subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    select k.profile_id into result from private.caller_identities k
    where k.supabase and k.issuer = pg_catalog.rtrim(token_issuer, '/') and k.subject = pg_catalog.lower(token_subject)
      and not exists (select 1 from private.identity_providers i where i.issuer = token_issuer and i.enabled);
  end if;
  return result;
end;
$$;
comment on function private.caller_id() is
  'The profile id of the current caller, or null (anonymous, unknown, disabled, or a token of an issuer that is neither this project''s Supabase Auth nor a registered, enabled provider): a provider''s user in one read of private.caller_identities, a Supabase Auth user in a second (which also checks the issuer is no provider''s). Definer: reads it, and profiles'' own policies call this.';

