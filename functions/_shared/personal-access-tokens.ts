// Personal access tokens as credentials (SPEC F10): tnt_pat_<40 hex><8 hex checksum>.
// The checksum is checked here first, so a mistyped token is refused without a
// database round trip; then private.verify_token() does one indexed lookup.
import type { Sql } from "./db.ts";
import { unauthorized } from "./errors.ts";

const FORMAT = /^tnt_pat_([0-9a-f]{40})([0-9a-f]{8})$/;

export function looksLikePersonalAccessToken(token: string): boolean {
  return token.startsWith("tnt_pat_");
}

/** Same rule as private.token_checksum(): the first 8 hex characters of sha256(random part). */
export async function checksumMatches(token: string): Promise<boolean> {
  const match = FORMAT.exec(token);
  if (!match) return false;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(match[1])));
  const hex = Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
  return hex === match[2];
}

export interface VerifiedToken {
  token_id: string;
  user_id: string;
  scopes: string[];
  identity_provider: string;
  identity_sub: string;
}

export async function verifyPersonalAccessToken(token: string, sql: Sql): Promise<VerifiedToken> {
  if (!(await checksumMatches(token))) throw unauthorized("malformed token");
  const [row] = await sql<{ result: ({ valid: true } & VerifiedToken) | { valid: false; reason: string } }[]>`
    select private.verify_token(${token}) as result`;
  if (!row.result.valid) throw unauthorized(row.result.reason);
  return row.result;
}
