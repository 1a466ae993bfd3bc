// What integration tests use to reach the stack started in tests/setup/stack.ts.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { createClient, type SupabaseClientOptions } from "@supabase/supabase-js";
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

type Transport = NonNullable<NonNullable<SupabaseClientOptions<"public">["realtime"]>["transport"]>;

/** Node 20 has no WebSocket; supabase-js builds its realtime client anyway, and no test subscribes. */
class NoWebSocket {
  constructor() {
    throw new Error("realtime is not part of the local stack");
  }
}

/** supabase-js as an application's server uses it: this key, no stored session. */
export function serverClient(key: string) {
  return createClient(stack.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: NoWebSocket as unknown as Transport },
  });
}
