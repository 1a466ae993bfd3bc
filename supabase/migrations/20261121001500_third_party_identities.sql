-- Just-in-time provisioning for third-party identity providers (SPEC F2): Clerk,
-- Frontegg and generic OIDC tokens (Supabase third-party auth: no auth.users row,
-- `sub` not a UUID). The first verified request provisions the profile, the
-- organization named by the token's tenant claim, the membership with the mapped
-- role, and platform roles from groups; later requests refresh and re-sync.

-- ── registered providers ─────────────────────────────────────────────────────
alter table private.identity_providers
  add column kind text not null default 'oidc' check (kind in ('clerk', 'frontegg', 'oidc')),
  add column jwks_url text check (jwks_url ~ '^https?://'),
  add column audience text,
  add column userinfo_endpoint text check (userinfo_endpoint ~ '^https?://'),
  add column tenant_claim text,
  add column tenant_name_claim text,
  add column role_claim text,
  add column groups_claim text not null default 'groups',
  add column role_map jsonb not null default '{"owner": "owner", "admin": "admin", "member": "member", "viewer": "viewer", "org:admin": "admin", "org:member": "member", "basic_member": "member"}'::jsonb
    check (jsonb_typeof(role_map) = 'object'),
  add column default_org_role text not null default 'member',
  add column tenant_switch text not null default 'move' check (tenant_switch in ('move', 'add')),
  add column enabled boolean not null default true;
comment on column private.identity_providers.kind is 'clerk, frontegg or oidc: decides the default claim names (see README).';
comment on column private.identity_providers.jwks_url is 'Where the provider publishes its signing keys. Only asymmetric keys are accepted.';
comment on column private.identity_providers.audience is 'When set, tokens must carry this aud.';
comment on column private.identity_providers.userinfo_endpoint is 'UserInfo URL used to enrich sparse tokens (else OIDC_USERINFO_ENDPOINT for oidc providers).';
comment on column private.identity_providers.tenant_claim is 'Claim naming the tenant (organization); null means no organization from the token.';
comment on column private.identity_providers.role_claim is 'Claim carrying the user''s role in that tenant (a string or an array).';
comment on column private.identity_providers.role_map is 'Token role (case-insensitive) → organization role; the highest-ranked match wins.';
comment on column private.identity_providers.tenant_switch is 'move: a new tenant claim moves the user out of the organizations linked to their previous tenants; add: memberships accumulate.';

create function private.provider_defaults()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- Claim names each kind of provider uses unless configured otherwise.
  new.tenant_claim := coalesce(new.tenant_claim, case new.kind when 'clerk' then 'org_id' when 'frontegg' then 'tenantId' end);
  new.tenant_name_claim := coalesce(new.tenant_name_claim, case new.kind when 'clerk' then 'org_slug' when 'frontegg' then 'tenantName' end);
  new.role_claim := coalesce(new.role_claim, case new.kind when 'clerk' then 'org_role' else 'roles' end);
  if new.issuer ~ '/auth/v1/?$' then
    raise exception using errcode = '22023', message = format('issuer "%s" looks like a Supabase Auth issuer; register third-party issuers only', new.issuer);
  end if;
  return new;
end;
$$;
comment on function private.provider_defaults() is 'BEFORE INSERT/UPDATE on identity_providers: fills claim names by kind and refuses Supabase issuers.';
create trigger identity_providers_defaults before insert or update on private.identity_providers
  for each row execute function private.provider_defaults();

-- ── organizations that mirror an IdP tenant ──────────────────────────────────
create table private.organization_links (
  issuer text not null references private.identity_providers (issuer) on delete cascade,
  external_id text not null check (char_length(external_id) between 1 and 512),
  organization_id uuid not null unique references public.organizations (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (issuer, external_id)
);
comment on table private.organization_links is 'Which organization mirrors which tenant (Clerk org_id, Frontegg tenantId, ...) of which issuer.';

-- ── provisioning ─────────────────────────────────────────────────────────────
create function private.claim_text(claims jsonb, name text, max_length integer)
returns text
language sql
immutable
set search_path = ''
as $$
  select private.metadata_text(claims, array[name], max_length) where name is not null
$$;
comment on function private.claim_text(jsonb, text, integer) is 'A claim as safe, bounded text (see metadata_text).';

create function private.org_role_from_claims(provider private.identity_providers, claims jsonb)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  -- The claim may be a string ("org:admin") or an array (["Admin", "Viewer"]): the best-ranked mapped role wins.
  select coalesce(
    (select provider.role_map ->> lower(btrim(v))
     from jsonb_array_elements_text(case jsonb_typeof(claims -> provider.role_claim)
                                      when 'array' then claims -> provider.role_claim
                                      when 'string' then jsonb_build_array(claims -> provider.role_claim)
                                      else '[]'::jsonb end) as v
     join public.roles r on r.scope = 'org' and r.name = provider.role_map ->> lower(btrim(v))
     order by r.rank desc
     limit 1),
    provider.default_org_role)
$$;
comment on function private.org_role_from_claims(private.identity_providers, jsonb) is 'Maps the token''s tenant role to an organization role. Definer: reads roles.';

create function private.linked_organization(provider private.identity_providers, tenant text, tenant_name text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid;
  base_slug text := left(coalesce(nullif(private.normalize_slug(tenant_name), ''), 'idp-' || left(md5(provider.issuer || '|' || tenant), 10)), 40);
  attempt integer := 0;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.tenant:' || provider.issuer || '|' || tenant, 0));
  select l.organization_id into org from private.organization_links l where l.issuer = provider.issuer and l.external_id = tenant;
  if org is not null then
    return org;
  end if;
  -- A new tenant: an organization named after it, made unique if the name or slug is taken.
  loop
    begin
      insert into public.organizations (slug, name)
      values (case when attempt = 0 then base_slug else base_slug || '-' || attempt end,
              case when attempt = 0 then coalesce(tenant_name, tenant) else coalesce(tenant_name, tenant) || ' (' || attempt || ')' end)
      returning id into org;
      exit;
    exception when unique_violation then
      attempt := attempt + 1;
      if attempt > 20 then
        raise;
      end if;
    end;
  end loop;
  insert into private.organization_links (issuer, external_id, organization_id) values (provider.issuer, tenant, org);
  perform private.audit('organization.create', org, 'organization', org::text,
    jsonb_build_object('source', 'jit', 'issuer', provider.issuer, 'tenant', tenant));
  return org;
end;
$$;
comment on function private.linked_organization(private.identity_providers, text, text) is
  'The organization mirroring a tenant, created on first sight (serialised per tenant). Definer: writes organizations and links.';

create function private.jit_provision(claims jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  provider private.identity_providers;
  subject text := claims ->> 'sub';
  profile public.profiles;
  created boolean := false;
  tenant text;
  org uuid;
  org_role text;
  current_role_name text;
  groups text[];
  removed record;
begin
  select * into provider from private.identity_providers i where i.issuer = claims ->> 'iss' and i.enabled;
  if provider is null then
    raise exception using errcode = '42501', message = format('issuer "%s" is not a registered identity provider', claims ->> 'iss');
  end if;
  if subject is null or char_length(subject) not between 1 and 512 then
    raise exception using errcode = '22023', message = 'the token has no usable sub claim';
  end if;
  -- Concurrent first requests for one identity queue here; the first creates, the rest find.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.identity:' || provider.issuer || '|' || subject, 0));

  select * into profile from public.profiles p
  where p.identity_provider = provider.issuer and p.identity_sub = subject and p.auth_user_id is null;
  if profile is null then
    insert into public.profiles (identity_provider, identity_sub, email, display_name, avatar_url, last_login_at)
    values (provider.issuer, subject,
            lower(private.claim_text(claims, 'email', 320)),
            private.metadata_text(claims, array['name', 'full_name', 'display_name', 'preferred_username', 'nickname'], 200),
            private.metadata_text(claims, array['picture', 'avatar_url', 'profilePictureUrl'], 2048),
            pg_catalog.now())
    returning * into profile;
    created := true;
    perform private.audit('user.provision', null, 'user', profile.id::text,
      jsonb_build_object('identity_provider', provider.issuer, 'source', 'jit'));
  else
    -- Refresh what the token says; last_login_at at most once a minute (a hot path: every request).
    update public.profiles p
    set last_login_at = pg_catalog.now(),
        email = coalesce(lower(private.claim_text(claims, 'email', 320)), p.email),
        display_name = coalesce(private.metadata_text(claims, array['name', 'full_name', 'display_name', 'preferred_username', 'nickname'], 200), p.display_name),
        avatar_url = coalesce(private.metadata_text(claims, array['picture', 'avatar_url', 'profilePictureUrl'], 2048), p.avatar_url)
    where p.id = profile.id
      and (p.last_login_at is null or p.last_login_at < pg_catalog.now() - interval '1 minute'
           or p.email is distinct from coalesce(lower(private.claim_text(claims, 'email', 320)), p.email)
           or p.display_name is distinct from coalesce(private.metadata_text(claims, array['name', 'full_name', 'display_name', 'preferred_username', 'nickname'], 200), p.display_name)
           or p.avatar_url is distinct from coalesce(private.metadata_text(claims, array['picture', 'avatar_url', 'profilePictureUrl'], 2048), p.avatar_url));
  end if;
  if profile.disabled_at is not null then
    return jsonb_build_object('profile_id', profile.id, 'created', created, 'disabled', true);
  end if;

  tenant := private.claim_text(claims, provider.tenant_claim, 512);
  if tenant is not null then
    org := private.linked_organization(provider, tenant, private.claim_text(claims, provider.tenant_name_claim, 100));
    org_role := private.org_role_from_claims(provider, claims);
    select m.role into current_role_name from public.memberships m where m.organization_id = org and m.user_id = profile.id;
    if current_role_name is null then
      insert into public.memberships (organization_id, user_id, role) values (org, profile.id, org_role);
      perform private.audit('membership.add', org, 'user', profile.id::text, jsonb_build_object('role', org_role, 'source', 'jit'));
    elsif current_role_name <> org_role then
      update public.memberships m set role = org_role where m.organization_id = org and m.user_id = profile.id;
      perform private.audit('membership.change_role', org, 'user', profile.id::text,
        jsonb_build_object('before', current_role_name, 'after', org_role, 'source', 'jit'));
    end if;
    if provider.tenant_switch = 'move' then
      for removed in
        delete from public.memberships m
        using private.organization_links l
        where l.organization_id = m.organization_id and l.issuer = provider.issuer
          and m.user_id = profile.id and m.organization_id <> org
        returning m.organization_id, m.role
      loop
        perform private.audit('membership.remove', removed.organization_id, 'user', profile.id::text,
          jsonb_build_object('role', removed.role, 'source', 'jit', 'why', 'the token names another tenant'));
      end loop;
    end if;
  end if;

  groups := private.groups_value(claims -> provider.groups_claim);
  perform private.sync_platform_roles(profile.id, groups, case when created then 'jit_provisioning' else 'jit_sign_in' end);
  return jsonb_build_object('profile_id', profile.id, 'created', created, 'organization_id', org, 'role', org_role, 'disabled', false);
end;
$$;
comment on function private.jit_provision(jsonb) is
  'Provisions or refreshes a third-party IdP user from verified token claims; idempotent and serialised per identity. Definer: writes profiles, organizations, memberships and roles. Called only through provision_caller(), with the verified claims of the request.';

create function private.provision_caller()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
begin
  -- Only claims set by PostgREST or an edge function after verifying the token reach here.
  if exists (select 1 from private.identity_providers i where i.issuer = claims ->> 'iss' and i.enabled)
     and (private.jit_provision(claims) ->> 'disabled')::boolean then
    raise exception using errcode = '42501', message = 'this account is disabled';
  end if;
end;
$$;
comment on function private.provision_caller() is
  'JIT-provisions the calling third-party user from their verified claims, in the request''s own transaction; 42501 for a disabled account. Definer: writes rows clients cannot.';
grant execute on function private.provision_caller() to authenticated, service_role;

-- ── repair / explicit provisioning for any signed-in user ────────────────────
create function private.ensure_provisioned()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  claims jsonb := auth.jwt();
  profile_id uuid;
begin
  if exists (select 1 from private.identity_providers i where i.issuer = claims ->> 'iss' and i.enabled) then
    perform private.provision_caller();
    profile_id := private.caller_id();
  else
    select u.id into profile_id from auth.users u where u.id::text = claims ->> 'sub';
    if profile_id is null then
      raise exception using errcode = '42501', message = 'ensure_provisioned needs a signed-in user';
    end if;
    perform private.provision_auth_user(profile_id);
  end if;
  return jsonb_build_object(
    'profile', (select to_jsonb(p) from public.profiles p where p.id = profile_id),
    'memberships', (select coalesce(jsonb_agg(to_jsonb(m)), '[]'::jsonb) from public.memberships m where m.user_id = profile_id));
end;
$$;
comment on function private.ensure_provisioned() is
  'Creates whatever is missing for the caller: a Supabase Auth user from auth.users (legacy users), a registered third-party identity from its verified claims. Definer: writes rows clients cannot.';

create function public.ensure_provisioned()
returns jsonb language sql set search_path = '' as $$ select private.ensure_provisioned() $$;
comment on function public.ensure_provisioned() is 'RPC: create or repair your own profile, memberships and starter project.';
grant execute on function private.ensure_provisioned() to authenticated, service_role;
call private.grant_rpc('public.ensure_provisioned()');

revoke execute on all functions in schema private from public;
