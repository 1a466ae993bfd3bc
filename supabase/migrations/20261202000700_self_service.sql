-- Self-service RPCs behind /functions/v1/me (issue 11, SPEC F3, F4, F14): what a
-- signed-in user does to their own account, with the same rules whether supabase-js
-- calls the RPC or the edge function does.
--
--   update_my_profile(changes)  edits the caller's editable profile fields only
--                               (display_name, avatar_url, company_name, timezone,
--                               onboarding_completed); naming any other column is 22023
--                               naming every one of them; each value is checked as the
--                               stored-row guard checks it, with the field in the error
--                               (column). Audited as user.update_self, before and after.
--   list_my_invitations()       the pending invitations sent to the caller's verified
--                               email (private.caller_email() is null for an unverified
--                               one): organization, role, inviter, expiry; never a token
--                               or its hash; only those whose inviter may still invite
--                               with their role (accepting re-checks it).
--   (Leaving as the last owner is a conflict, 55000: see the last_owner_conflict migration.)
--
-- Token scopes: profile:write, orgs:join (account permissions every user holds; the gate
-- checks a personal access token carries them).

-- ── the profile fields a user edits ──────────────────────────────────────────
create function private.editable_profile_fields()
returns text[]
language sql
immutable
set search_path = ''
as $$
  -- The same columns the authenticated role holds UPDATE on (profiles migration).
  select array['display_name', 'avatar_url', 'company_name', 'timezone', 'onboarding_completed']
$$;
comment on function private.editable_profile_fields() is
  'The profile columns a user edits themselves (the column grant of profiles UPDATE to authenticated); every other column is protected.';

create function private.profile_text_change(changes jsonb, field text, max_length integer)
returns text
language plpgsql
immutable
set search_path = ''
as $$
declare
  value jsonb := changes -> field;
  clean text;
begin
  if jsonb_typeof(value) = 'null' then
    return null;
  elsif jsonb_typeof(value) <> 'string' then
    raise exception using errcode = '22023', column = field, message = format('%s: must be a string or null', field);
  end if;
  clean := nullif(pg_catalog.btrim(value #>> '{}'), '');
  if char_length(clean) > max_length then
    raise exception using errcode = '22023', column = field, message = format('%s: at most %s characters', field, max_length);
  end if;
  return clean;
end;
$$;
comment on function private.profile_text_change(jsonb, text, integer) is
  'A text field of a profile change: trimmed, empty as null, bounded; 22023 naming the field (column) for a wrong type or length.';

-- ── update_my_profile ────────────────────────────────────────────────────────
create function private.update_my_profile(changes jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
  editable constant text[] := private.editable_profile_fields();
  refused text[];
  unknown text[];
  new_display_name text;
  new_avatar_url text;
  new_company_name text;
  new_timezone text;
  before public.profiles;
  after public.profiles;
begin
  if not private.caller_holds('profile:write') then
    return private.deny('user.update_self', 'you may not edit your profile (profile:write)', null, 'user', caller::text);
  end if;
  if changes is null or jsonb_typeof(changes) <> 'object' then
    raise exception using errcode = '22023', column = 'changes', message = 'changes: must be a JSON object of the fields to change';
  end if;
  -- Every protected column named at once: plan, email, identity, disabled state, flags, timestamps.
  select array_agg(k order by k) into refused
  from jsonb_object_keys(changes) as k
  where not k = any (editable)
    and exists (select 1 from pg_catalog.pg_attribute a
                where a.attrelid = 'public.profiles'::regclass and a.attname = k and a.attnum > 0 and not a.attisdropped);
  if refused is not null then
    raise exception using errcode = '22023', column = refused[1],
      message = format('%s: protected; you may change only %s (plan, email, identity and disabled state are set by an administrator or your identity provider)',
                       array_to_string(refused, ', '), array_to_string(editable, ', '));
  end if;
  select array_agg(k order by k) into unknown from jsonb_object_keys(changes) as k where not k = any (editable);
  if unknown is not null then
    raise exception using errcode = '22023', column = unknown[1],
      message = format('%s: not profile fields (you may change %s)', array_to_string(unknown, ', '), array_to_string(editable, ', '));
  end if;
  if changes = '{}'::jsonb then
    raise exception using errcode = '22023', column = 'changes', message = format('changes: give at least one of %s', array_to_string(editable, ', '));
  end if;

  -- Each value as the stored-row guard (profile_values migration) would check it, naming the field.
  if changes ? 'display_name' then
    new_display_name := private.profile_text_change(changes, 'display_name', 200);
    if new_display_name is distinct from private.clean_display_text(new_display_name) then
      raise exception using errcode = '22023', column = 'display_name',
        message = 'display_name: bidi control, zero-width and other invisible characters are not allowed';
    end if;
  end if;
  if changes ? 'company_name' then
    new_company_name := private.profile_text_change(changes, 'company_name', 200);
    if new_company_name is distinct from private.clean_display_text(new_company_name) then
      raise exception using errcode = '22023', column = 'company_name',
        message = 'company_name: bidi control, zero-width and other invisible characters are not allowed';
    end if;
  end if;
  if changes ? 'avatar_url' then
    new_avatar_url := private.profile_text_change(changes, 'avatar_url', 2048);
    if new_avatar_url is not null and private.safe_url(new_avatar_url) is null then
      raise exception using errcode = '22023', column = 'avatar_url', message = 'avatar_url: must be an absolute http:// or https:// URL';
    end if;
  end if;
  if changes ? 'timezone' then
    new_timezone := private.profile_text_change(changes, 'timezone', 64);
    if new_timezone is not null and not private.is_time_zone(new_timezone) then
      raise exception using errcode = '22023', column = 'timezone',
        message = format('timezone: "%s" is not a known time zone (see pg_timezone_names)', new_timezone);
    end if;
  end if;
  if changes ? 'onboarding_completed' and jsonb_typeof(changes -> 'onboarding_completed') <> 'boolean' then
    raise exception using errcode = '22023', column = 'onboarding_completed', message = 'onboarding_completed: must be true or false';
  end if;

  select * into before from public.profiles p where p.id = caller for update;
  update public.profiles p
  set display_name = case when changes ? 'display_name' then new_display_name else p.display_name end,
      avatar_url = case when changes ? 'avatar_url' then new_avatar_url else p.avatar_url end,
      company_name = case when changes ? 'company_name' then new_company_name else p.company_name end,
      timezone = case when changes ? 'timezone' then new_timezone else p.timezone end,
      onboarding_completed = case when changes ? 'onboarding_completed' then (changes ->> 'onboarding_completed')::boolean
                                  else p.onboarding_completed end
  where p.id = caller
  returning * into after;
  -- Only the fields the change named, before and after.
  perform private.audit('user.update_self', null, 'user', caller::text, jsonb_build_object(
    'before', (select jsonb_object_agg(e.key, e.value) from jsonb_each(to_jsonb(before)) e where changes ? e.key),
    'after', (select jsonb_object_agg(e.key, e.value) from jsonb_each(to_jsonb(after)) e where changes ? e.key)));
  return to_jsonb(after);
end;
$$;
comment on function private.update_my_profile(jsonb) is
  'Changes the caller''s editable profile fields named in changes (a JSON object; null clears a text field); protected or unknown fields and bad values are 22023 naming the field. Audited with before and after. Definer: writes the profile and the audit event in one transaction.';

-- ── list_my_invitations ──────────────────────────────────────────────────────
create function private.list_my_invitations()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_caller();
  verified_email text := private.caller_email();
begin
  if not private.caller_holds('orgs:join') then
    return private.deny('invitation.list_mine', 'you may not see your invitations (orgs:join)', null, 'user', caller::text);
  end if;
  return jsonb_build_object(
    'email', verified_email,
    'invitations', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', i.id,
               'organization', jsonb_build_object('id', o.id, 'slug', o.slug, 'name', o.name),
               'role', i.role,
               'invited_by', case when inviter.id is not null then
                 jsonb_build_object('id', inviter.id, 'display_name', inviter.display_name, 'email', inviter.email) end,
               'created_at', i.created_at,
               'expires_at', i.expires_at)
             order by i.created_at desc, i.id)
      from public.invitations i
      join public.organizations o on o.id = i.organization_id
      left join public.profiles inviter on inviter.id = i.invited_by
      where verified_email is not null
        and lower(i.email) = verified_email
        and i.accepted_at is null and i.revoked_at is null and i.expires_at > pg_catalog.now()
        -- What accept_invitation would refuse (its inviter may no longer invite with it) is not pending.
        and (i.invited_by is null or private.user_may_invite(i.invited_by, i.organization_id, i.role))), '[]'::jsonb));
end;
$$;
comment on function private.list_my_invitations() is
  'The caller''s pending invitations, matched to their verified email only: organization (id, slug, name), role, inviter (id, display name, email), created and expiry; never the token or its hash. Definer: reads invitations, organizations and inviters the caller may not read yet.';

-- ── the RPCs ─────────────────────────────────────────────────────────────────
insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('update_my_profile', 'user.update_self', 'profile:write', 'profile', false, true),
  ('list_my_invitations', 'invitation.list_mine', 'orgs:join', 'profile', false, false);

create function public.update_my_profile(changes jsonb)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('update_my_profile'), private.update_my_profile(changes)) $$;
comment on function public.update_my_profile(jsonb) is
  'RPC: change your own editable profile fields, e.g. {"display_name": "Ada", "timezone": "Europe/Paris"} (null clears a text field); protected fields are refused, naming them. Returns your profile. Audited.';

create function public.list_my_invitations()
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('list_my_invitations'), private.list_my_invitations()) $$;
comment on function public.list_my_invitations() is
  'RPC: {email, invitations}: the pending invitations sent to your verified email (organization, role, inviter, expiry); none while your email is unverified.';

-- The wrappers run as the caller and call the implementations; the helpers only definer code calls.
revoke execute on all functions in schema private from public;
grant execute on function private.update_my_profile(jsonb), private.list_my_invitations() to authenticated, service_role;
call private.grant_rpc('public.update_my_profile(jsonb)', 'public.list_my_invitations()');
