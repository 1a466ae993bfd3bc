-- get_profile (issue 10, item 4) and list_provisioning_failures (item 15) behind the RPC
-- gate, like every other public RPC.

insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('get_profile', 'user.read_profile', null, 'profile', true, false);

create or replace function public.get_profile(user_id uuid)
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('get_profile'), private.get_profile(user_id)) $$;

-- list_provisioning_failures (issue 10, item 15) likewise.
insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('list_provisioning_failures', 'user.list_provisioning_failures', 'users:admin', 'profile', true, false);

create or replace function public.list_provisioning_failures()
returns jsonb language sql set search_path = ''
as $$ select coalesce(private.gate('list_provisioning_failures'), private.list_provisioning_failures()) $$;
