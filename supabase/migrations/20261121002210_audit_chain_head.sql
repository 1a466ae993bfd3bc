-- The audit chain head (SPEC F13) stays on one page. Every audited change rewrites the
-- single row of private.audit_chain; with room left on its page each rewrite is a HOT
-- update pruned in place, instead of the table growing page by page between vacuums and
-- every append (and every signup) scanning all of those pages for the one live row.
alter table private.audit_chain set (fillfactor = 10);
