// The API's slug rule, mirrored so the form can say what a slug will be saved as before
// it is sent (private.normalize_slug and private.valid_slug in the organization rules
// migration). The API stays the judge: its 422 names the field if this ever drifts.

/**
 * A separator: a dot, an underscore, or the white space PostgreSQL's \s matches in a UTF-8
 * database (glibc's iswspace), which is JavaScript's \s without the no-break spaces and
 * the byte-order mark: those are dropped like any other character (tests/integration/console-slug.test.ts).
 */
const SEPARATORS = /(?:[_.]|(?![\u00a0\u2007\u202f\ufeff])\s)+/g;

/** "  Acme Corp_EU " → "acme-corp-eu": lower case, spaces/dots/underscores to hyphens, the rest dropped. */
export function normalizeSlug(raw: string): string {
  const separated = raw.trim().toLowerCase().replace(SEPARATORS, "-");
  return separated.replace(/[^a-z0-9-]+|-{2,}/g, "").replace(/^-+|-+$/g, "");
}

const VALID = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

const SLUG_RULE = "1–48 lower-case letters, digits and inner hyphens";

/** What the form tells the user about a slug as typed: the slug it becomes, or why none. */
export function slugHint(raw: string): { valid: boolean; text: string } {
  const slug = normalizeSlug(raw);
  if (!VALID.test(slug)) return { valid: false, text: `The API will refuse this slug: it needs ${SLUG_RULE}.` };
  return { valid: true, text: slug === raw ? `Slug: ${SLUG_RULE}.` : `Saved as “${slug}” (${SLUG_RULE}).` };
}
