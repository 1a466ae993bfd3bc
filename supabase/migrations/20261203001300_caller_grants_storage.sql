-- ════════════════════════════════════════════════════════════════════════════
-- caller_grants keeps its organization arrays uncompressed (issue 13).
--
-- The standard policy condition reads the caller's array once per statement where it is
-- an index condition, but once per row that passes its hashed subplan where it is a
-- filter (an ordered walk lists 50 rows, 50 reads). A caller in 1,000 organizations has a
-- 16 KB array, stored out of line; compressed, every read also decompresses it, which
-- was about a fifth of the walk's authorization time at 1,000 organizations. Random ids
-- do not compress anyway, so only the reads change. Existing out-of-line arrays are
-- written again so they are stored the new way.
-- ════════════════════════════════════════════════════════════════════════════

alter table private.caller_grants alter column organization_ids set storage external;
comment on column private.caller_grants.organization_ids is
  'The organizations where the permission is granted. Storage external (out of line, uncompressed): policy filters read it once per row they check.';

-- A new array value (not the stored one) is toasted under the column's new storage.
update private.caller_grants set organization_ids = organization_ids || '{}'::uuid[]
where pg_catalog.pg_column_size(organization_ids) > 2000;
