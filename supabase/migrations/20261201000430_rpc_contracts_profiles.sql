-- get_profile (issue 10, item 4) behind the RPC gate like every other public RPC.

insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('get_profile', 'user.read_profile', null, 'profile', true, false);

create or replace function public.get_profile(user_id uuid)
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('get_profile'), private.get_profile(user_id)) $$;
