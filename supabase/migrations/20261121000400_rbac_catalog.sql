-- Roles and permissions as data (SPEC F5): a permission catalog, roles with a rank in
-- two scopes (org roles come from memberships, platform roles from assignments), and
-- the role → permission matrix. New roles need no code change.

-- ── permissions ──────────────────────────────────────────────────────────────
create table public.permissions (
  name text primary key check (name ~ '^[a-z_]+:[a-z_]+$'),
  description text not null
);
comment on table public.permissions is 'Permission catalog. Checked by has_permission() and the RLS helpers.';

-- ── roles ────────────────────────────────────────────────────────────────────
create table public.roles (
  scope text not null check (scope in ('org', 'platform')),
  name text not null check (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
  rank integer not null check (rank > 0),
  description text not null,
  primary key (scope, name)
);
comment on table public.roles is 'Org roles (held through memberships) and platform roles (held through platform_role_assignments).';
comment on column public.roles.rank is 'Higher outranks lower. Nobody grants a role ranked above their own.';

create table public.role_permissions (
  scope text not null,
  role text not null,
  permission text not null references public.permissions (name) on delete cascade,
  primary key (scope, role, permission),
  foreign key (scope, role) references public.roles (scope, name) on delete cascade
);
comment on table public.role_permissions is 'The role → permission matrix.';
create index role_permissions_permission_idx on public.role_permissions (permission);

-- ── seed: the catalog every deployment starts with ───────────────────────────
insert into public.permissions (name, description) values
  ('org:read', 'See the organization'),
  ('org:update', 'Rename the organization, change its slug and description'),
  ('org:delete', 'Delete the organization (never the default one)'),
  ('members:read', 'See who belongs to the organization'),
  ('members:manage', 'Add, remove and change roles of members; manage invitations'),
  ('data:read', 'Read the organization''s application data (tables protected per organization)'),
  ('data:write', 'Create and change the organization''s application data'),
  ('audit:read', 'Read audit events'),
  ('tokens:manage', 'Manage personal access tokens'),
  ('users:admin', 'Administer user accounts, platform roles and role overrides'),
  ('flags:manage', 'Change feature flags'),
  ('rls:manage', 'Apply row-level security to tables');

insert into public.roles (scope, name, rank, description) values
  ('org', 'owner', 40, 'Full control of the organization, including deleting it'),
  ('org', 'admin', 30, 'Manages the organization and its members'),
  ('org', 'member', 20, 'Works with the organization''s data'),
  ('org', 'viewer', 10, 'Reads the organization''s data'),
  ('platform', 'admin', 30, 'Every permission, everywhere'),
  ('platform', 'auditor', 20, 'Reads audit events and organizations everywhere'),
  ('platform', 'reader', 10, 'Reads organizations, members and data everywhere');

insert into public.role_permissions (scope, role, permission)
select 'org', r.role, p.permission
from (values
  ('owner', array['org:read', 'org:update', 'org:delete', 'members:read', 'members:manage', 'data:read', 'data:write', 'audit:read']),
  ('admin', array['org:read', 'org:update', 'members:read', 'members:manage', 'data:read', 'data:write', 'audit:read']),
  ('member', array['org:read', 'members:read', 'data:read', 'data:write']),
  ('viewer', array['org:read', 'members:read', 'data:read'])
) as r(role, permissions), unnest(r.permissions) as p(permission);

insert into public.role_permissions (scope, role, permission)
select 'platform', 'admin', name from public.permissions
union all
select 'platform', r.role, p.permission
from (values
  ('auditor', array['audit:read', 'org:read', 'members:read']),
  ('reader', array['org:read', 'members:read', 'data:read'])
) as r(role, permissions), unnest(r.permissions) as p(permission);

-- ── access: a readable catalog; changes go through migrations ────────────────
alter table public.permissions enable row level security;
alter table public.roles enable row level security;
alter table public.role_permissions enable row level security;
revoke all on public.permissions, public.roles, public.role_permissions from anon, authenticated, service_role;
grant select on public.permissions, public.roles, public.role_permissions to authenticated, service_role;

create policy permissions_select_authenticated on public.permissions
  for select to authenticated using (true);
create policy roles_select_authenticated on public.roles
  for select to authenticated using (true);
create policy role_permissions_select_authenticated on public.role_permissions
  for select to authenticated using (true);
comment on policy permissions_select_authenticated on public.permissions is 'The catalog is not secret: any signed-in user may read it.';
comment on policy roles_select_authenticated on public.roles is 'The catalog is not secret: any signed-in user may read it.';
comment on policy role_permissions_select_authenticated on public.role_permissions is 'The matrix is not secret: any signed-in user may read it.';
