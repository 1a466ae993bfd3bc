// How many rows a console table asks the API for per page, one place for the screens and
// the browser tests that count rows. The API caps page_size (its default is 50).
/** Users and organizations: a page the operator reads without scrolling far, one row per entry. */
export const PAGE_SIZE = 20;
/** Audit events: more to a page, since they are scanned by time rather than read one by one. */
export const AUDIT_PAGE_SIZE = 25;
