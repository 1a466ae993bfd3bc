-- Platform (global) role assignments (SPEC F5). Each records where it came from, so
-- IdP sync can revoke what the IdP granted and never what an admin granted.

create table public.platform_role_assignments (
  user_id uuid not null references public.profiles (id) on delete cascade,
  role_scope text not null default 'platform' check (role_scope = 'platform'),
  role text not null,
  source text not null check (source in ('idp', 'default', 'admin', 'jit')),
  granted_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (user_id, role),
  foreign key (role_scope, role) references public.roles (scope, name)
);
comment on table public.platform_role_assignments is 'Platform roles held by users, with provenance.';
comment on column public.platform_role_assignments.source is 'idp (group mapping), default (granted to every account), admin (granted by a users:admin holder), jit (third-party first login).';

create index platform_role_assignments_role_idx on public.platform_role_assignments (role_scope, role);
create index platform_role_assignments_granted_by_idx on public.platform_role_assignments (granted_by);

alter table public.platform_role_assignments enable row level security;
revoke all on public.platform_role_assignments from anon, authenticated, service_role;
grant select on public.platform_role_assignments to authenticated;
grant select, insert, update, delete on public.platform_role_assignments to service_role;
