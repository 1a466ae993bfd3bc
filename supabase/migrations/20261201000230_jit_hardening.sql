-- JIT provisioning hardening (issue 10, items 3, 13, 15, 16, 27):
--   * email_verified comes from the token's email_verified claim (true only for JSON true).
--   * Token values are sanitised like signup metadata (URL, bidi/zero-width characters).
--   * Role sync holds the organization rules: the last owner of an organization is never
--     demoted or removed by a token; the skipped change is audited.
--   * A mirrored tenant organization is owned by nobody unless the IdP says so: a token
--     role that role_map maps to owner makes that user owner, and a platform admin may
--     appoint one. Tenantry does not make "whoever signed in first" the owner: that would
--     give an arbitrary member powers (delete the organization, transfer it) the IdP never
--     granted. Member management works without an owner (IdP admins map to admin).
--   * Tenant organization names and slugs are bounded and, on a conflict (a name squatted
--     by another user), another is chosen: provisioning cannot fail forever.
--   * An oidc provider must name the audience its tokens carry.

-- ── providers: an oidc provider needs an audience ────────────────────────────
create or replace function private.provider_defaults()
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
  -- A generic OIDC issuer signs tokens for every application registered with it: without
  -- an audience, a token minted for another application would be accepted here.
  if new.kind = 'oidc' and nullif(btrim(new.audience), '') is null then
    raise exception using errcode = '22023',
      message = format('audience: oidc provider "%s" must set the audience (client id) its tokens carry', new.issuer),
      hint = 'Without it, a token the same issuer minted for any other application would be accepted.';
  end if;
  return new;
end;
$$;
comment on function private.provider_defaults() is
  'BEFORE INSERT/UPDATE on identity_providers: fills claim names by kind, refuses Supabase issuers and oidc providers without an audience.';

do $$
declare
  provider record;
begin
  for provider in select i.issuer from private.identity_providers i where i.kind = 'oidc' and nullif(btrim(i.audience), '') is null loop
    raise warning 'oidc provider "%" has no audience: it accepts tokens minted for any application of that issuer; set private.identity_providers.audience', provider.issuer;
  end loop;
end;
$$;

-- ── organizations that mirror a tenant ───────────────────────────────────────
create or replace function private.linked_organization(provider private.identity_providers, tenant text, tenant_name text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  org uuid;
  -- Bounded so the suffixes below always fit the slug (48) and name (100) limits.
  base_name text := left(coalesce(private.clean_display_text(tenant_name), private.clean_display_text(tenant), 'Organization'), 80);
  base_slug text := pg_catalog.rtrim(left(coalesce(nullif(private.normalize_slug(tenant_name), ''), 'idp-' || left(md5(provider.issuer || '|' || tenant), 10)), 36), '-');
  suffix text;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('tenantry.tenant:' || provider.issuer || '|' || tenant, 0));
  select l.organization_id into org from private.organization_links l where l.issuer = provider.issuer and l.external_id = tenant;
  if org is not null then
    return org;
  end if;
  if base_slug = '' then
    base_slug := 'idp-' || left(md5(provider.issuer || '|' || tenant), 10);
  end if;
  base_name := pg_catalog.btrim(base_name);
  -- A new tenant: an organization named after it. If the name or slug is taken, the
  -- tenant's own hash, then random suffixes (which nobody can squat in advance).
  for attempt in 0..12 loop
    suffix := case when attempt = 1 then left(md5(provider.issuer || '|' || tenant), 8)
                   when attempt > 1 then substr(md5(pg_catalog.gen_random_uuid()::text), 1, 8) end;
    insert into public.organizations (slug, name)
    values (case when suffix is null then base_slug else base_slug || '-' || suffix end,
            case when suffix is null then base_name else base_name || ' (' || suffix || ')' end)
    on conflict do nothing
    returning id into org;
    exit when org is not null;
  end loop;
  if org is null then
    raise exception using errcode = '23505', message = format('no free organization name found for tenant "%s"', left(tenant, 100));
  end if;
  insert into private.organization_links (issuer, external_id, organization_id) values (provider.issuer, tenant, org);
  perform private.audit('organization.create', org, 'organization', org::text,
    jsonb_build_object('source', 'jit', 'issuer', provider.issuer, 'tenant', tenant));
  return org;
end;
$$;
comment on function private.linked_organization(private.identity_providers, text, text) is
  'The organization mirroring a tenant, created on first sight under a bounded, free name and slug (serialised per tenant). Definer: writes organizations and links.';

-- ── provisioning ─────────────────────────────────────────────────────────────
create or replace function private.jit_provision(claims jsonb)
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
  refreshed boolean := false;
  tenant text;
  org uuid;
  org_role text;
  current_role_name text;
  groups text[];
  removed record;
  name_keys constant text[] := array['name', 'full_name', 'display_name', 'preferred_username', 'nickname'];
  avatar_keys constant text[] := array['picture', 'avatar_url', 'profilePictureUrl'];
  token_email text := lower(private.claim_text(claims, 'email', 320));
  token_email_verified boolean := coalesce(claims -> 'email_verified' = 'true'::jsonb, false);
  token_name text := private.clean_display_text(private.metadata_text(claims, name_keys, 200));
  token_avatar text := private.safe_url(private.metadata_text(claims, avatar_keys, 2049));
  n integer;
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
    insert into public.profiles (identity_provider, identity_sub, email, email_verified, display_name, avatar_url, last_login_at, provisioned_at)
    values (provider.issuer, subject, token_email, token_email is not null and token_email_verified,
            token_name, token_avatar, pg_catalog.now(), pg_catalog.now())
    returning * into profile;
    created := true;
    perform private.audit('user.provision', null, 'user', profile.id::text,
      jsonb_build_object('identity_provider', provider.issuer, 'source', 'jit'));
  else
    -- Refresh what the token says; last_login_at at most once a minute (a hot path: every
    -- request). A token with an email says whether it is verified; without one, both stay.
    update public.profiles p
    set last_login_at = pg_catalog.now(),
        email = coalesce(token_email, p.email),
        email_verified = case when token_email is not null then token_email_verified else p.email_verified end,
        display_name = coalesce(token_name, p.display_name),
        avatar_url = coalesce(token_avatar, p.avatar_url)
    where p.id = profile.id
      and (p.last_login_at is null or p.last_login_at < pg_catalog.now() - interval '1 minute'
           or p.email is distinct from coalesce(token_email, p.email)
           or (token_email is not null and p.email_verified is distinct from token_email_verified)
           or p.display_name is distinct from coalesce(token_name, p.display_name)
           or p.avatar_url is distinct from coalesce(token_avatar, p.avatar_url));
    get diagnostics n = row_count;
    refreshed := n > 0;
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
      -- The same rule (and owner locks) as change_member_role: an organization keeps an owner.
      if current_role_name = 'owner' and private.would_orphan(org, profile.id) then
        -- Audited when the profile is refreshed (at most once a minute), not on every request.
        if refreshed then
          perform private.audit('membership.sync_skipped', org, 'user', profile.id::text,
            jsonb_build_object('role', current_role_name, 'token_role', org_role, 'source', 'jit',
                               'why', 'the last owner of an organization is never demoted by sync'));
        end if;
        org_role := current_role_name;
      else
        update public.memberships m set role = org_role where m.organization_id = org and m.user_id = profile.id;
        perform private.audit('membership.change_role', org, 'user', profile.id::text,
          jsonb_build_object('before', current_role_name, 'after', org_role, 'source', 'jit'));
      end if;
    end if;
    if provider.tenant_switch = 'move' then
      for removed in
        select m.organization_id, m.role
        from public.memberships m
        join private.organization_links l on l.organization_id = m.organization_id and l.issuer = provider.issuer
        where m.user_id = profile.id and m.organization_id <> org
        order by m.organization_id
        for update of m
      loop
        if removed.role = 'owner' and private.would_orphan(removed.organization_id, profile.id) then
          if refreshed or created then
            perform private.audit('membership.sync_skipped', removed.organization_id, 'user', profile.id::text,
              jsonb_build_object('role', removed.role, 'source', 'jit', 'why', 'the last owner of an organization is never removed by sync'));
          end if;
        else
          delete from public.memberships m where m.organization_id = removed.organization_id and m.user_id = profile.id;
          perform private.audit('membership.remove', removed.organization_id, 'user', profile.id::text,
            jsonb_build_object('role', removed.role, 'source', 'jit', 'why', 'the token names another tenant'));
        end if;
      end loop;
    end if;
  end if;

  groups := private.groups_value(claims -> provider.groups_claim);
  perform private.sync_platform_roles(profile.id, groups, case when created then 'jit_provisioning' else 'jit_sign_in' end);
  return jsonb_build_object('profile_id', profile.id, 'created', created, 'organization_id', org, 'role', org_role, 'disabled', false);
end;
$$;
comment on function private.jit_provision(jsonb) is
  'Provisions or refreshes a third-party IdP user from verified token claims (email_verified from the claim; the last owner of an organization is never demoted or removed); idempotent and serialised per identity. Definer: writes profiles, organizations, memberships and roles. Called only through provision_caller(), with the verified claims of the request.';

revoke execute on all functions in schema private from public;
