// GoTrue's user model as its API returns it (internal/models/user.go, identity.go: the JSON
// tags, `omitempty` included) and the small rules its admin handlers apply to input.
import postgres from "postgres";

export type Metadata = Record<string, unknown>;

/** Where GoTrue keeps what it may write: instance_id is always the nil UUID. */
export const NIL_INSTANCE = "00000000-0000-0000-0000-000000000000";
export const EMAIL_PROVIDER: Metadata = { provider: "email", providers: ["email"] };
export const DUPLICATE_EMAIL = "A user with this email address has already been registered";

/** GoTrue's internal/api errors.go: an HTTP status, a `code` (error_code) and a message. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export const validationFailed = (message: string) => new AuthError(400, message, "validation_failed");

// badoux/checkmail's format check, which GoTrue's validateEmail uses.
const EMAIL_FORMAT =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** GoTrue's validateEmail: required, at most 255 bytes, checkmail's format; lower-cased. */
export function validEmail(email: string): string {
  if (email === "") throw validationFailed("An email address is required");
  if (Buffer.byteLength(email) > 255) throw validationFailed("An email address is too long");
  if (!EMAIL_FORMAT.test(email)) throw validationFailed("Unable to validate email address: invalid format");
  return email.toLowerCase();
}

/** uuid.FromString's canonical and unhyphenated forms, which GoTrue's loadUser accepts. */
export const isUuid = (text: string) => /^[0-9a-f]{8}(-?)[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{4}\1[0-9a-f]{12}$/i.test(text);

/**
 * UpdateUserMetaData / UpdateAppMetaData / UpdateIdentityData: each key set, a null value
 * removes it; with nothing stored yet, the updates are taken as they are.
 */
export function merged(current: Metadata | null, updates: Metadata): Metadata {
  if (current == null) return updates;
  const next = { ...current };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next;
}

/** An auth.users row as the admin API reads it. */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  reauthentication_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Metadata | null;
  raw_user_meta_data: Metadata | null;
  created_at: Date | null;
  updated_at: Date | null;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Metadata;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date | null;
  updated_at: Date | null;
  email: string | null;
}

export function userRows(sql: postgres.Sql | postgres.TransactionSql) {
  return sql`
    select id, aud, role, email, email_confirmed_at, invited_at, phone, phone_confirmed_at,
           confirmation_sent_at, confirmed_at, recovery_sent_at, email_change, email_change_sent_at,
           phone_change, phone_change_sent_at, reauthentication_sent_at, last_sign_in_at,
           raw_app_meta_data, raw_user_meta_data, created_at, updated_at, banned_until, deleted_at, is_anonymous
    from users`;
}

export function identityRows(sql: postgres.Sql | postgres.TransactionSql, userId: string) {
  return sql<IdentityRow[]>`
    select id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at, email
    from identities where user_id = ${userId} order by created_at, id`;
}

// Go marshals a *time.Time that is nil as nothing (omitempty) and a zero time.Time as year 1.
const optional = (at: Date | null) => at?.toISOString();
const required = (at: Date | null) => at?.toISOString() ?? "0001-01-01T00:00:00Z";
// storage.NullString: NULL reads as "".
const text = (value: string | null) => value ?? "";

export type GoTrueIdentity = ReturnType<typeof goTrueIdentity>;

export function goTrueIdentity(row: IdentityRow) {
  return {
    // Named the other way round in JSON, for the client libraries (see identity.go).
    identity_id: row.id,
    id: row.provider_id,
    user_id: row.user_id,
    identity_data: Object.keys(row.identity_data).length ? row.identity_data : undefined,
    provider: row.provider,
    last_sign_in_at: optional(row.last_sign_in_at),
    created_at: required(row.created_at),
    updated_at: required(row.updated_at),
    email: row.email || undefined,
  };
}

export type GoTrueUser = ReturnType<typeof goTrueUser>;

/** The user as GoTrue sends it; `identities` is null where GoTrue did not load them (lists). */
export function goTrueUser(row: UserRow, identities: IdentityRow[] | null) {
  return {
    id: row.id,
    aud: text(row.aud),
    role: text(row.role),
    email: text(row.email),
    email_confirmed_at: optional(row.email_confirmed_at),
    invited_at: optional(row.invited_at),
    phone: text(row.phone),
    phone_confirmed_at: optional(row.phone_confirmed_at),
    confirmation_sent_at: optional(row.confirmation_sent_at),
    confirmed_at: optional(row.confirmed_at),
    recovery_sent_at: optional(row.recovery_sent_at),
    new_email: row.email_change || undefined,
    email_change_sent_at: optional(row.email_change_sent_at),
    new_phone: row.phone_change || undefined,
    phone_change_sent_at: optional(row.phone_change_sent_at),
    reauthentication_sent_at: optional(row.reauthentication_sent_at),
    last_sign_in_at: optional(row.last_sign_in_at),
    app_metadata: row.raw_app_meta_data,
    user_metadata: row.raw_user_meta_data,
    identities: identities && identities.map(goTrueIdentity),
    created_at: required(row.created_at),
    updated_at: required(row.updated_at),
    banned_until: optional(row.banned_until),
    deleted_at: optional(row.deleted_at),
    is_anonymous: row.is_anonymous,
  };
}
