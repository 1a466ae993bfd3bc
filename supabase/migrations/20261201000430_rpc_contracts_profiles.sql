-- get_profile (issue 10, item 4) and list_provisioning_failures (item 15): their RPCs,
-- behind the RPC gate like every other public one (the gate is defined after the
-- migrations that wrote their private implementations).

insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('get_profile', 'user.read_profile', null, 'profile', true, false),
  ('list_provisioning_failures', 'user.list_provisioning_failures', 'users:admin', 'profile', true, false);

create function public.get_profile(user_id uuid)
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('get_profile'), private.get_profile(user_id)) $$;
comment on function public.get_profile(uuid) is
  'RPC: a user''s profile: all of it for yourself or with users:admin, id/display_name/avatar_url/email for a co-member; not found (P0002) for anyone else.';

create function public.list_provisioning_failures()
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('list_provisioning_failures'), private.list_provisioning_failures()) $$;
comment on function public.list_provisioning_failures() is 'RPC: users whose signup provisioning failed and is not repaired yet (users:admin).';

call private.grant_rpc('public.get_profile(uuid)', 'public.list_provisioning_failures()');
