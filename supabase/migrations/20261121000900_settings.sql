-- Deployment settings that SQL needs (provisioning, invitations, token claims), as one
-- typed row in the private schema. Operators change them with plain UPDATEs.

create table private.settings (
  id boolean primary key default true check (id),
  default_organization_id uuid references public.organizations (id) on delete set null,
  create_personal_organization boolean not null default true,
  starter_project_name text check (char_length(starter_project_name) between 1 and 200),
  invitation_ttl interval not null default interval '7 days' check (invitation_ttl > interval '0'),
  max_orgs_in_token integer not null default 20 check (max_orgs_in_token between 0 and 100),
  default_platform_roles text[] not null default '{}',
  updated_at timestamptz not null default now()
);
comment on table private.settings is 'Single-row deployment settings read by provisioning, invitations and the access token hook.';
comment on column private.settings.default_organization_id is 'Every new user joins this organization (as member) when set.';
comment on column private.settings.create_personal_organization is 'Every new user gets an organization of their own (as owner).';
comment on column private.settings.starter_project_name is 'When set, provisioning creates a project with this name in the user''s personal organization.';
comment on column private.settings.default_platform_roles is 'OIDC_GROUP_ROLE_DEFAULTS: platform roles every provisioned account receives (source default).';
comment on column private.settings.max_orgs_in_token is 'At most this many organizations are listed in access token claims; the rest is flagged as truncated.';
create index settings_default_organization_idx on private.settings (default_organization_id);

insert into private.settings (id, starter_project_name) values (true, 'My first project');

create trigger settings_set_updated_at before update on private.settings
  for each row execute function private.set_updated_at();
