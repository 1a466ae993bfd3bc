// Opaque pagination cursors. A cursor names the position after the last row of a page
// (SQL does keyset pagination on it) and is signed with the project's secret key, bound
// to the endpoint, the caller and the page's filters: a forged cursor, or one issued to
// another caller or for other filters, is a 400 — never a way to another tenant's rows
// (SQL applies the caller's own rules to every page anyway).
import { badRequest } from "./errors.ts";
import type { Context } from "./http.ts";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(`tenantry-cursor:${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    keys.set(secret, key);
  }
  return key;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** What a cursor is bound to: the endpoint, who asked, and every filter but the page controls. */
function binding(ctx: Context, endpoint: string, filters: Record<string, unknown>): Uint8Array<ArrayBuffer> {
  const kept = Object.entries(filters)
    .filter(([name, value]) => name !== "cursor" && name !== "page_size" && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return encoder.encode(JSON.stringify([endpoint, ctx.caller.userId ?? ctx.caller.mode, kept]));
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + 1 + b.length);
  out.set(a);
  out.set(b, a.length + 1);
  return out;
}

/** Where a page ends: an id, or the (created_at, id) pair of a keyset. */
export type Position = string | number | (string | number)[];

export async function encodeCursor(ctx: Context, endpoint: string, filters: Record<string, unknown>, position: Position): Promise<string> {
  const payload = encoder.encode(JSON.stringify(position));
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(ctx.config.secretKey), joined(binding(ctx, endpoint, filters), payload)));
  return `${base64url(payload)}.${base64url(signature.slice(0, 16))}`;
}

/** The position a cursor names, or null for the first page; anything not issued here is a 400. */
export async function decodeCursor<T extends Position>(
  ctx: Context,
  endpoint: string,
  filters: Record<string, unknown>,
  cursor: string | undefined,
): Promise<T | null> {
  if (cursor === undefined || cursor === "") return null;
  const invalid = badRequest("invalid_cursor", "cursor is not one this endpoint issued for this caller and these filters: start again without it");
  const match = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{22})$/.exec(cursor);
  if (!match) throw invalid;
  let payload: Uint8Array;
  let signature: Uint8Array;
  try {
    payload = fromBase64url(match[1]);
    signature = fromBase64url(match[2]);
  } catch {
    throw invalid;
  }
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(ctx.config.secretKey), joined(binding(ctx, endpoint, filters), payload)));
  let difference = signature.length ^ 16;
  for (let i = 0; i < 16; i++) difference |= (signature[i] ?? 0) ^ expected[i];
  if (difference !== 0) throw invalid;
  try {
    return JSON.parse(new TextDecoder().decode(payload)) as T;
  } catch {
    throw invalid;
  }
}
