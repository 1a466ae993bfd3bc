// What integration tests use to reach the stack started in tests/setup/stack.ts.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { afterAll, inject } from "vitest";
import { AuthService } from "../../stack/auth.ts";

export const stack = inject("stack");

/** A direct connection as `postgres`, the role migrations and edge functions use. */
export function connect(): postgres.Sql {
  const sql = postgres(stack.dbUrl, { max: 5, onnotice: () => {} });
  afterAll(() => sql.end());
  return sql;
}

/** Supabase Auth's stand-in, for signing users up and minting their tokens. */
export function authService(): AuthService {
  const auth = new AuthService({ authAdminUrl: stack.authAdminUrl, supabaseUrl: stack.url });
  afterAll(() => auth.close());
  return auth;
}

/** An address no other test (or earlier run against the same database) has used. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

export function functionUrl(path: string): string {
  return `${stack.url}/functions/v1/${path.replace(/^\//, "")}`;
}
