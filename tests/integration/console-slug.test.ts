// The console's slug rule (console/src/screens/organizations/slug.ts) mirrors the SQL one
// (private.normalize_slug and the valid_slug pattern) so the form can say what a slug will
// be saved as. Both run over one corpus here; where they disagree, the hint would lie.
import { describe, expect, it } from "vitest";
import { normalizeSlug, slugHint } from "../../console/src/screens/organizations/slug.ts";
import { sql } from "../helpers/callers.ts";

const corpus = [
  "acme", "Acme Corp", "  Acme Corp_EU ", "acme.corp", "acme__corp", "a  b", "a - b", "a--b", "a---b", "-acme-", "--acme--", "_acme_", ".acme.",
  "ACME", "Ünïcödé Org", "café", "straße", "日本語", "emoji 🚀 team", "a\tb", "a\nb", "a\u00a0b", "a\u2007b", "a\u202fb", "a\u2003b", "a\u3000b", "a\u2028b", "a\u0085b", "a\u000bb", "\ufeffacme", "a\ufeffb", "a\u200bb", "İstanbul", "\u212aelvin",
  "x", "1", "-", "---", "", "   ", "a/b\\c", "a+b=c", "100%", "o'brien", "l'équipe", "a.b_c d", "a._ b", "ab-".repeat(20), "a".repeat(48), "a".repeat(49),
  `${"a".repeat(47)}-`, `${"a".repeat(46)}-b`, "Ǆemo", "ΑΘΗΝΑ", "ﬁnance",
];

describe("the console's slug rule", () => {
  it("normalises every string of the corpus as private.normalize_slug does, and judges validity as the API does", async () => {
    const rows = await sql<{ raw: string; slug: string | null; valid: boolean }[]>`
      select raw, private.normalize_slug(raw) as slug,
             coalesce(private.normalize_slug(raw) ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$', false) as valid
      from unnest(${corpus}::text[]) as raw`;
    const sqlSide = rows.map((r) => ({ raw: r.raw, slug: r.slug, valid: r.valid }));
    const consoleSide = corpus.map((raw) => ({ raw, slug: normalizeSlug(raw), valid: slugHint(raw).valid }));
    expect(consoleSide).toEqual(sqlSide);
  });
});
