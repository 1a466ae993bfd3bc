-- Organizations, memberships and invitations (SPEC F4). Clients read them under RLS;
-- every change goes through the RPC functions in the organization_rules migration,
-- which check permissions and audit in the same transaction.

-- ── organizations ────────────────────────────────────────────────────────────
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  slug text not null check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  name text not null check (char_length(name) between 1 and 100 and name = btrim(name)),
  description text check (char_length(description) <= 1000),
  is_default boolean not null default false,
  is_personal boolean not null default false,
  plan text not null default 'free' check (plan ~ '^[a-z][a-z0-9_-]{0,31}$'),
  created_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is 'Tenants. Slug and name are unique (name case-insensitively).';
comment on column public.organizations.slug is 'Lower-case letters, digits and inner hyphens, 1–48 characters.';
comment on column public.organizations.is_default is 'The organization every new user joins when provisioning says so. Cannot be deleted; at most one.';
comment on column public.organizations.is_personal is 'Created for one user at signup.';

create unique index organizations_slug_key on public.organizations (slug);
create unique index organizations_name_key on public.organizations (lower(name));
create unique index organizations_single_default on public.organizations (is_default) where is_default;
create index organizations_created_by_idx on public.organizations (created_by);

create trigger organizations_set_updated_at before update on public.organizations
  for each row execute function private.set_updated_at();

-- ── memberships ──────────────────────────────────────────────────────────────
create table public.memberships (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role_scope text not null default 'org' check (role_scope = 'org'),
  role text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (organization_id, user_id),
  foreign key (role_scope, role) references public.roles (scope, name)
);
comment on table public.memberships is 'Who belongs to which organization, with which org role.';
comment on column public.memberships.role_scope is 'Always org: lets the role reference the roles table.';

-- Serves "my organizations" for every RLS check; includes role for permission lookups.
create index memberships_user_idx on public.memberships (user_id, organization_id) include (role);
create index memberships_role_idx on public.memberships (role_scope, role);

create trigger memberships_set_updated_at before update on public.memberships
  for each row execute function private.set_updated_at();

-- ── invitations ──────────────────────────────────────────────────────────────
create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  email text not null check (email ~ '^[^@\s]+@[^@\s]+$' and char_length(email) <= 320),
  role_scope text not null default 'org' check (role_scope = 'org'),
  role text not null,
  token_hash bytea not null unique,
  invited_by uuid references public.profiles (id) on delete set null,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references public.profiles (id) on delete set null,
  revoked_at timestamptz,
  created_at timestamptz not null default now(),
  foreign key (role_scope, role) references public.roles (scope, name)
);
comment on table public.invitations is 'Email-bound, expiring, single-use invitations. Only the SHA-256 of the token is stored.';
comment on column public.invitations.token_hash is 'sha256 of the secret handed to the invitee once. Never readable by clients.';

create unique index invitations_pending_key on public.invitations (organization_id, lower(email))
  where accepted_at is null and revoked_at is null;
create index invitations_email_idx on public.invitations (lower(email));
create index invitations_role_idx on public.invitations (role_scope, role);
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_accepted_by_idx on public.invitations (accepted_by);

-- ── grants: read under RLS, write through RPC ────────────────────────────────
alter table public.organizations enable row level security;
alter table public.memberships enable row level security;
alter table public.invitations enable row level security;
revoke all on public.organizations, public.memberships, public.invitations from anon, authenticated, service_role;
grant select on public.organizations, public.memberships to authenticated;
grant select (id, organization_id, email, role, invited_by, expires_at, accepted_at, accepted_by, revoked_at, created_at)
  on public.invitations to authenticated;
grant select, insert, update, delete on public.organizations, public.memberships, public.invitations to service_role;
