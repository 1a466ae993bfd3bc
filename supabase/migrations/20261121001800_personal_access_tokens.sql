-- Personal access tokens (SPEC F10). Format: tnt_pat_ + 40 hex characters of
-- randomness (160 bits) + 8 hex characters of checksum (the first 4 bytes of the
-- sha256 of the random part), so scanners and the verifier reject typos without a
-- database lookup. Only sha256(token) is stored; the secret is returned once.

alter table private.settings
  add column token_max_lifetime interval not null default interval '365 days' check (token_max_lifetime > interval '0');
comment on column private.settings.token_max_lifetime is 'Longest expiry a personal access token may be given.';

create table public.personal_access_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  prefix text not null check (prefix ~ '^tnt_pat_[0-9a-f]{8}$'),
  token_hash bytea not null unique,
  scopes text[] not null check (cardinality(scopes) between 1 and 50),
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at timestamptz not null,
  revoked_at timestamptz
);
comment on table public.personal_access_tokens is 'Personal access tokens: only a hash of the secret is kept. Created and revoked through RPCs.';
comment on column public.personal_access_tokens.prefix is 'The visible start of the token (tnt_pat_ + 8 characters), to recognise it in lists.';
comment on column public.personal_access_tokens.token_hash is 'sha256 of the whole token. Never readable by clients.';
comment on column public.personal_access_tokens.scopes is 'Permissions the token is limited to; a subset of its owner''s when created.';
comment on column public.personal_access_tokens.last_used_at is 'Updated at most once a minute.';

create index personal_access_tokens_user_idx on public.personal_access_tokens (user_id, created_at desc);
create unique index personal_access_tokens_active_name_key on public.personal_access_tokens (user_id, lower(name)) where revoked_at is null;

alter table public.personal_access_tokens enable row level security;
revoke all on public.personal_access_tokens from anon, authenticated, service_role;
grant select (id, user_id, name, prefix, scopes, created_at, last_used_at, expires_at, revoked_at)
  on public.personal_access_tokens to authenticated, service_role;

create policy personal_access_tokens_select_owner_admins on public.personal_access_tokens
  for select to authenticated
  using (user_id = (select private.caller_id()) or (select private.has_platform_permission('users:admin')));
comment on policy personal_access_tokens_select_owner_admins on public.personal_access_tokens is
  'Your own tokens (never their secrets); everyone''s with users:admin.';

-- ── format ───────────────────────────────────────────────────────────────────
create function private.token_checksum(random_part text)
returns text
language sql
immutable
set search_path = ''
as $$ select left(encode(extensions.digest(random_part, 'sha256'), 'hex'), 8) $$;
comment on function private.token_checksum(text) is 'The 8-character checksum of a token''s random part.';

create function private.token_well_formed(token text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select token ~ '^tnt_pat_[0-9a-f]{48}$'
     and private.token_checksum(substr(token, 9, 40)) = substr(token, 49, 8)
$$;
comment on function private.token_well_formed(text) is 'Prefix, length and checksum check: rejects typos before any lookup.';

-- ── creating, verifying, revoking ────────────────────────────────────────────
create function private.create_token(name text, scopes text[], expires_in interval)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
  token_scopes text[] := private.token_scopes();
  clean_scopes text[] := array(select distinct lower(btrim(s)) from unnest(coalesce(scopes, '{}')) as s where btrim(s) <> '' order by 1);
  max_lifetime interval := (select s.token_max_lifetime from private.settings s);
  outside text;
  random_part text := encode(extensions.gen_random_bytes(20), 'hex');
  token text;
  created public.personal_access_tokens;
begin
  if token_scopes is not null and not 'tokens:manage' = any (token_scopes) then
    return private.deny('token.create', 'this token may not manage tokens (it lacks tokens:manage)');
  end if;
  if cardinality(clean_scopes) = 0 then
    raise exception using errcode = '22023', message = 'scopes: give at least one permission';
  end if;
  select s into outside from unnest(clean_scopes) as s where not exists (select 1 from public.permissions p where p.name = s) limit 1;
  if outside is not null then
    raise exception using errcode = '22023', message = format('scopes: "%s" is not a permission', outside);
  end if;
  -- Within the creator's own permissions (and, for a token minting a token, within its scopes).
  select s into outside from unnest(clean_scopes) as s
  where not (s = any (private.caller_platform_permissions()) or cardinality(private.caller_org_ids(s)) > 0)
  limit 1;
  if outside is not null then
    return private.deny('token.create', format('scopes: you do not hold "%s"', outside));
  end if;
  if expires_in is null then
    raise exception using errcode = '22023', message = 'expires_in: an expiry is required';
  end if;
  if expires_in <= interval '0' or expires_in > max_lifetime then
    raise exception using errcode = '22023', message = format('expires_in: must be positive and at most %s', max_lifetime);
  end if;
  token := 'tnt_pat_' || random_part || private.token_checksum(random_part);
  begin
    insert into public.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at)
    values (caller, btrim(name), 'tnt_pat_' || left(random_part, 8), extensions.digest(token, 'sha256'), clean_scopes,
            pg_catalog.now() + expires_in)
    returning * into created;
  exception when unique_violation then
    raise exception using errcode = '23505', message = format('name: you already have an active token named "%s"', btrim(name));
  end;
  perform private.audit('token.create', null, 'token', created.id::text,
    jsonb_build_object('after', to_jsonb(created) - 'token_hash'));
  -- The secret is returned here, once; only its hash is kept.
  return (to_jsonb(created) - 'token_hash') || jsonb_build_object('token', token);
end;
$$;
comment on function private.create_token(text, text[], interval) is
  'Creates a personal access token for the caller, scopes within their permissions, expiry required and capped. Definer: writes tokens and audit.';

create function private.revoke_token(token_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  target public.personal_access_tokens;
  token_scopes text[] := private.token_scopes();
begin
  select * into target from public.personal_access_tokens t where t.id = token_id for update;
  if target is null then
    raise exception using errcode = 'P0002', message = 'no such token';
  end if;
  if token_scopes is not null and not 'tokens:manage' = any (token_scopes) then
    return private.deny('token.revoke', 'this token may not manage tokens (it lacks tokens:manage)', null, 'token', token_id::text);
  end if;
  if target.user_id is distinct from private.caller_id() and not private.has_platform_permission('users:admin') then
    return private.deny('token.revoke', 'you may revoke only your own tokens', null, 'token', token_id::text);
  end if;
  if target.revoked_at is not null then
    raise exception using errcode = '22023', message = 'the token is already revoked';
  end if;
  update public.personal_access_tokens t set revoked_at = pg_catalog.now() where t.id = token_id returning * into target;
  perform private.audit('token.revoke', null, 'token', token_id::text, jsonb_build_object('user_id', target.user_id));
  return to_jsonb(target) - 'token_hash';
end;
$$;
comment on function private.revoke_token(uuid) is 'Revokes one of your tokens (any, with users:admin). Definer: clients have no UPDATE on tokens.';

create function private.verify_token(token text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  found_token public.personal_access_tokens;
  owner public.profiles;
begin
  if not private.token_well_formed(token) then
    return jsonb_build_object('valid', false, 'reason', 'malformed token');
  end if;
  select * into found_token from public.personal_access_tokens t where t.token_hash = extensions.digest(token, 'sha256');
  if found_token is null then
    return jsonb_build_object('valid', false, 'reason', 'unknown token');
  end if;
  if found_token.revoked_at is not null then
    return jsonb_build_object('valid', false, 'reason', 'token revoked');
  end if;
  if found_token.expires_at <= pg_catalog.now() then
    return jsonb_build_object('valid', false, 'reason', 'token expired');
  end if;
  select * into owner from public.profiles p where p.id = found_token.user_id;
  if owner.disabled_at is not null then
    return jsonb_build_object('valid', false, 'reason', 'account disabled');
  end if;
  -- Recording use at most once a minute keeps verification a read on the hot path.
  if found_token.last_used_at is null or found_token.last_used_at < pg_catalog.now() - interval '1 minute' then
    update public.personal_access_tokens t set last_used_at = pg_catalog.now() where t.id = found_token.id;
  end if;
  return jsonb_build_object('valid', true, 'token_id', found_token.id, 'user_id', owner.id, 'scopes', to_jsonb(found_token.scopes),
                            'identity_provider', owner.identity_provider, 'identity_sub', owner.identity_sub);
end;
$$;
comment on function private.verify_token(text) is
  'Checks a personal access token: format and checksum, then one indexed lookup by hash, expiry, revocation and the owner''s state. Definer: reads hashes no client may read. Called by the edge functions only.';

create function public.create_personal_access_token(name text, scopes text[], expires_in_days integer)
returns jsonb language sql set search_path = ''
as $$ select private.create_token(name, scopes, make_interval(days => expires_in_days)) $$;
create function public.revoke_personal_access_token(token_id uuid)
returns jsonb language sql set search_path = '' as $$ select private.revoke_token(token_id) $$;
comment on function public.create_personal_access_token(text, text[], integer) is
  'RPC: create a token limited to scopes you hold, expiring in the given days (at most settings.token_max_lifetime). The secret is in the answer, once.';
comment on function public.revoke_personal_access_token(uuid) is 'RPC: revoke one of your tokens (any, with users:admin).';

grant execute on function private.create_token(text, text[], interval), private.revoke_token(uuid),
  private.token_checksum(text), private.token_well_formed(text) to authenticated, service_role;
call private.grant_rpc('public.create_personal_access_token(text, text[], integer)', 'public.revoke_personal_access_token(uuid)');

revoke execute on all functions in schema private from public;
