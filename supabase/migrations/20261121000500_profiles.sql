-- Profiles (SPEC F3): one row per user, whoever authenticated them. Supabase Auth users
-- share their auth.users id and cascade from it; third-party IdP users (Clerk,
-- Frontegg, OIDC) have no auth.users row and are keyed by (identity_provider, identity_sub).

-- ── updated_at, for every table that has one ────────────────────────────────
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;
comment on function private.set_updated_at() is 'BEFORE UPDATE trigger: keeps updated_at current.';

-- ── table ────────────────────────────────────────────────────────────────────
create table public.profiles (
  id uuid primary key default gen_random_uuid(),
  auth_user_id uuid unique references auth.users (id) on delete cascade,
  identity_provider text not null check (char_length(identity_provider) between 1 and 512),
  identity_sub text not null check (char_length(identity_sub) between 1 and 512),
  email text check (char_length(email) <= 320),
  display_name text check (char_length(display_name) <= 200),
  avatar_url text check (char_length(avatar_url) <= 2048),
  company_name text check (char_length(company_name) <= 200),
  timezone text check (char_length(timezone) <= 64),
  onboarding_completed boolean not null default false,
  beta_features jsonb not null default '{}'::jsonb check (jsonb_typeof(beta_features) = 'object'),
  plan text not null default 'free' check (plan ~ '^[a-z][a-z0-9_-]{0,31}$'),
  last_login_at timestamptz,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint profiles_auth_user_is_id check (auth_user_id is null or auth_user_id = id),
  constraint profiles_supabase_identity check (
    (auth_user_id is not null) = (identity_provider = 'supabase')
    and (identity_provider <> 'supabase' or identity_sub = id::text)
  )
);
comment on table public.profiles is
  'One row per user. Supabase Auth users: id = auth.users.id, identity_provider = ''supabase''. Third-party IdP users: identity_provider = token issuer, identity_sub = token subject.';
comment on column public.profiles.identity_provider is 'supabase for Supabase Auth users; the issuer URL for third-party IdPs. Protected.';
comment on column public.profiles.identity_sub is 'The subject at that provider (any string for third-party IdPs). Protected.';
comment on column public.profiles.beta_features is 'Per-user feature flag overrides. Protected: changed by flag managers only.';
comment on column public.profiles.plan is 'Billing plan, drives quotas. Protected.';
comment on column public.profiles.disabled_at is 'Set when an admin disables the account: a disabled user is nobody to RLS. Protected.';

-- Third-party identities resolve by (issuer, subject) on every request; Supabase Auth
-- users resolve by auth_user_id (unique above).
create unique index profiles_identity_key on public.profiles (identity_provider, identity_sub) where auth_user_id is null;
create index profiles_email_idx on public.profiles (lower(email));

create trigger profiles_set_updated_at before update on public.profiles
  for each row execute function private.set_updated_at();

alter table public.profiles enable row level security;
revoke all on public.profiles from anon, authenticated, service_role;
grant select on public.profiles to authenticated;
-- Users change only their editable fields; protected columns are simply not granted.
grant update (display_name, avatar_url, company_name, timezone, onboarding_completed) on public.profiles to authenticated;
grant select, insert, update, delete on public.profiles to service_role;

-- New functions are executable by PUBLIC until revoked; private ones are granted explicitly above.
revoke execute on all functions in schema private from public;
