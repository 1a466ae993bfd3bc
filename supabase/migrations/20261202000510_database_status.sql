-- ════════════════════════════════════════════════════════════════════════════
-- Database status (issue 11: GET /admin/status/db, GET /health/ready; SPEC F14).
--
-- * private.applied_migrations(): the versions `supabase db push` recorded in
--   supabase_migrations.schema_migrations (empty when the schema is not there, e.g. a
--   database migrated by other means). The health function's readiness check reads it
--   as its own role; the edge functions compare it with the versions they were
--   deployed with (functions/_shared/migrations.ts, generated from supabase/migrations:
--   a deployed function has no access to that folder).
-- * public.database_status() (rls:manage): server version, applied migrations,
--   extensions and the RLS summary.
-- ════════════════════════════════════════════════════════════════════════════

create function private.applied_migrations()
returns text[]
language plpgsql
stable
set search_path = ''
as $$
declare
  versions text[];
begin
  if pg_catalog.to_regclass('supabase_migrations.schema_migrations') is null then
    return '{}';
  end if;
  -- Dynamic: the table belongs to the Supabase CLI and exists only once it has pushed.
  execute 'select coalesce(array_agg(m.version::text order by m.version), ''{}'') from supabase_migrations.schema_migrations m'
  into versions;
  return versions;
end;
$$;
comment on function private.applied_migrations() is
  'Migration versions recorded by supabase db push (supabase_migrations.schema_migrations), oldest first; empty when that table does not exist. Not executable by the API roles.';

create function private.database_status()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not private.has_platform_permission('rls:manage') then
    return private.deny('status.read', 'you may not read the database status (rls:manage)');
  end if;
  return jsonb_build_object(
    'server_version', pg_catalog.current_setting('server_version'),
    'server_version_num', pg_catalog.current_setting('server_version_num')::integer,
    'version', pg_catalog.version(),
    'database', pg_catalog.current_database(),
    'time', pg_catalog.now(),
    'migrations_applied', to_jsonb(private.applied_migrations()),
    'extensions', coalesce((
      select jsonb_agg(jsonb_build_object('name', e.extname, 'version', e.extversion, 'schema', n.nspname,
                                          'default_version', a.default_version) order by e.extname)
      from pg_catalog.pg_extension e
      join pg_catalog.pg_namespace n on n.oid = e.extnamespace
      left join pg_catalog.pg_available_extensions a on a.name = e.extname), '[]'::jsonb),
    'rls', private.rls_summary());
end;
$$;
comment on function private.database_status() is
  'Backend information for operators (rls:manage): server version, applied migrations, extensions, RLS summary. Definer: reads supabase_migrations and the protect_table registry, refuses through private.deny.';

insert into private.rpc_contracts (rpc, action, scope, caller, operator, mutating) values
  ('database_status', 'status.read', 'rls:manage', 'profile', true, false);

create function public.database_status()
returns jsonb language sql volatile set search_path = ''
as $$ select coalesce(private.gate('database_status'), private.database_status()) $$;
comment on function public.database_status() is
  'RPC: server version, applied migrations, extensions and the row-level security summary (rls:manage).';

grant execute on function private.database_status() to authenticated, service_role;
call private.grant_rpc('public.database_status()');
revoke execute on all functions in schema private from public;
