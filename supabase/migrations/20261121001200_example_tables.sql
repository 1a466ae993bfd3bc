-- Example application tables, protected with protect_table() exactly as an app would
-- protect its own: projects per organization (provisioning creates a starter one),
-- research sessions and their draft files per user.

-- ── projects (organization-scoped) ───────────────────────────────────────────
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 200),
  description text check (char_length(description) <= 5000),
  is_starter boolean not null default false,
  created_by uuid default private.caller_id() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.projects is 'Example organization-scoped table: members read (data:read), members and above write (data:write).';
comment on column public.projects.is_starter is 'The project provisioning created; at most one per organization.';

-- Newest-first lists per organization, the shape RLS-filtered listings take.
create index projects_organization_created_idx on public.projects (organization_id, created_at desc);
create index projects_created_by_idx on public.projects (created_by);
create unique index projects_single_starter on public.projects (organization_id) where is_starter;
create trigger projects_set_updated_at before update on public.projects
  for each row execute function private.set_updated_at();

select public.protect_table('public.projects', 'org');

-- ── research sessions and draft files (owner-scoped) ─────────────────────────
create table public.research_sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default private.caller_id() references public.profiles (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 500),
  status text not null default 'in_progress' check (status in ('in_progress', 'completed', 'archived')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Lets draft_files require that a draft and its session have the same owner.
  unique (id, user_id)
);
comment on table public.research_sessions is 'Example user-owned table: each user sees and changes only their own sessions.';
create index research_sessions_user_created_idx on public.research_sessions (user_id, created_at desc);
create trigger research_sessions_set_updated_at before update on public.research_sessions
  for each row execute function private.set_updated_at();

create table public.draft_files (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null,
  user_id uuid not null default private.caller_id() references public.profiles (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 255),
  content text not null default '' check (char_length(content) <= 1000000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (session_id, user_id) references public.research_sessions (id, user_id) on delete cascade
);
comment on table public.draft_files is 'Example user-owned table; drafts cascade from their session and share its owner.';
create index draft_files_session_idx on public.draft_files (session_id, user_id);
create index draft_files_user_idx on public.draft_files (user_id);
create trigger draft_files_set_updated_at before update on public.draft_files
  for each row execute function private.set_updated_at();

select public.protect_table('public.research_sessions', 'owner');
select public.protect_table('public.draft_files', 'owner');
