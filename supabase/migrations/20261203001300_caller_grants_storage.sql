-- ════════════════════════════════════════════════════════════════════════════
-- Grant arrays are stored uncompressed (issue 13).
--
-- The standard policy condition reads the caller's array once per statement where it is
-- an index condition, but once per row that passes its hashed subplan where it is a
-- filter (an ordered walk listing 50 rows reads it 50 times). Past about 125
-- organizations the array is stored out of line, and a compressed one is decompressed on
-- every read. Real organization ids (private.uuid_v7) hardly compress, so PostgreSQL
-- tries, gives up and stores them uncompressed anyway; ids that do compress (the
-- benchmark's are sequential) cost a decompression per read instead, about a fifth of
-- the walk's authorization time at 1,000 organizations. External storage makes every
-- deployment read the array the same way and spares each write the compression attempt.
-- Both tables change: caller_grants copies member_grants' values as they are stored, and
-- a copied compressed value stays compressed. Values already compressed are written
-- again. (SET STORAGE locks each table until this migration commits.)
-- ════════════════════════════════════════════════════════════════════════════

alter table private.member_grants alter column organization_ids set storage external;
alter table private.caller_grants alter column organization_ids set storage external;
comment on column private.caller_grants.organization_ids is
  'The organizations where the permission is granted. Storage external (out of line when large, never compressed): policy filters read it once per row they check.';

-- A new array value (not the stored one) is toasted under the column's new storage.
update private.member_grants set organization_ids = organization_ids || '{}'::uuid[]
where pg_catalog.pg_column_compression(organization_ids) is not null;
update private.caller_grants set organization_ids = organization_ids || '{}'::uuid[]
where pg_catalog.pg_column_compression(organization_ids) is not null;
