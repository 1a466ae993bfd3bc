// Schemas several endpoints share: identifiers, pages, timestamps. Each is what both the
// validation and the OpenAPI document use.
import { z } from "zod";

export const Uuid = z.uuid().meta({ example: "0192f7a0-1c2b-7d3e-8f40-5a6b7c8d9e0f" });
export const Timestamp = z.string().meta({ description: "ISO 8601 timestamp", example: "2026-12-01T09:00:00Z" });
export const NullableTimestamp = Timestamp.nullable();
/** A JSON object whose shape SQL owns (audit before/after, quota usage, flags). */
export const JsonObject = z.record(z.string(), z.unknown());

export const IdParams = z.object({ id: Uuid });

/** Role names, permission names, scope names. */
export const Name = z.string().min(1).max(63);

export const PageQuery = {
  cursor: z.string().max(500).optional().meta({ description: "opaque: the next_cursor of the previous page" }),
  page_size: z.coerce.number().int().min(1).max(200).default(50).meta({ description: "rows per page (1–200)" }),
};

export const NextCursor = z.string().nullable().meta({ description: "pass as cursor for the next page; null on the last page" });

const NO_CONTROL = /^[^\p{Cc}]*$/u;

/** Text up to max characters with no control characters (filters matched as given). */
export const plainText = (max: number) => z.string().min(1).max(max).regex(NO_CONTROL, "must not contain control characters");

/** A free-text search term: trimmed, bounded, and no control characters. */
export const SearchTerm = z.string().trim().min(1).max(100).regex(NO_CONTROL, "must not contain control characters");
