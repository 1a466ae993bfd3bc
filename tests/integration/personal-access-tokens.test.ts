// Personal access tokens (SPEC F10) through /functions/v1/me/tokens and as bearer
// credentials for the edge functions.
import { beforeAll, describe, expect, it } from "vitest";
import { checksumMatches } from "../../functions/_shared/personal-access-tokens.ts";
import { authService, connect, functionUrl, uniqueEmail } from "../helpers/stack.ts";

const sql = connect();
const auth = authService();
let jwt: string;
let userId: string;

beforeAll(async () => {
  const issued = await auth.tokenFor(uniqueEmail("pat-owner"));
  jwt = issued.accessToken;
  userId = issued.user.id;
});

const call = (method: string, path: string, bearer: string, body?: unknown) =>
  fetch(functionUrl(path), {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function createToken(bearer: string, scopes: string[], name = `t-${Math.random().toString(36).slice(2, 8)}`, days = 30) {
  return call("POST", "me/tokens", bearer, { name, scopes, expires_in_days: days });
}

describe("creating and listing", () => {
  it("returns a recognisable token once; the list never shows it", async () => {
    const res = await createToken(jwt, ["org:read", "data:read"], "ci");
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.token).toMatch(/^tnt_pat_[0-9a-f]{48}$/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    expect(created).toMatchObject({ name: "ci", scopes: ["data:read", "org:read"] });
    const list = await (await call("GET", "me/tokens", jwt)).json();
    const listed = list.tokens.find((t: { id: string }) => t.id === created.id);
    expect(listed).toMatchObject({ name: "ci", prefix: created.prefix, last_used_at: null });
    expect(JSON.stringify(list)).not.toContain(created.token.slice(8));
  });

  it("stores no secret anywhere: every table of every schema is searched for it", async () => {
    const { token } = await (await createToken(jwt, ["org:read"])).json();
    const secret = token.slice(8); // the part after the public prefix
    const tables = await sql`
      select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'r' and n.nspname in ('public', 'private', 'auth', 'supabase_migrations')`;
    for (const { name } of tables) {
      const [{ hits }] = await sql.unsafe(`select count(*)::int as hits from ${name} t where t::text like '%' || $1 || '%'`, [secret]);
      expect(hits, name).toBe(0);
    }
  });

  it("requires an expiry, capped by the configured maximum, and names the field", async () => {
    const missing = await call("POST", "me/tokens", jwt, { name: "x", scopes: ["org:read"] });
    expect(missing.status).toBe(422);
    expect((await missing.json()).error.field).toBe("expires_in_days");
    const tooLong = await createToken(jwt, ["org:read"], "long", 400);
    expect(tooLong.status).toBe(422);
    expect((await tooLong.json()).error.message).toContain("expires_in");
  });

  it("refuses scopes the creator does not hold", async () => {
    const res = await createToken(jwt, ["users:admin"]);
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toContain("users:admin");
  });

  it("is audited with the creator as actor", async () => {
    const created = await (await createToken(jwt, ["org:read"])).json();
    const [event] = await sql`select actor_id, actor_type from public.audit_events where action = 'token.create' and target_id = ${created.id}`;
    expect(event).toEqual({ actor_id: userId, actor_type: "user" });
  });
});

describe("authenticating with a token", () => {
  it("acts as its user and records the use", async () => {
    const created = await (await createToken(jwt, ["org:read"])).json();
    const res = await call("GET", "me", created.token);
    expect(res.status).toBe(200);
    expect((await res.json()).profile.id).toBe(userId);
    const [row] = await sql`select last_used_at from public.personal_access_tokens where id = ${created.id}`;
    expect(row.last_used_at).toBeInstanceOf(Date);
  });

  it("a one-character typo is refused as malformed, before any lookup", async () => {
    const { token } = await (await createToken(jwt, ["org:read"])).json();
    for (let i = 8; i < token.length; i++) {
      const typo = token.slice(0, i) + (token[i] === "a" ? "b" : "a") + token.slice(i + 1);
      expect(await checksumMatches(typo), `position ${i}`).toBe(false);
    }
    const typo = token.slice(0, 20) + (token[20] === "0" ? "1" : "0") + token.slice(21);
    const res = await call("GET", "me", typo);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe("malformed token");
  });

  it("a revoked token fails at once", async () => {
    const created = await (await createToken(jwt, ["org:read"])).json();
    expect((await call("DELETE", `me/tokens/${created.id}`, jwt)).status).toBe(200);
    const res = await call("GET", "me", created.token);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe("token revoked");
    const list = await (await call("GET", "me/tokens", jwt)).json();
    expect(list.tokens.map((t: { id: string }) => t.id)).not.toContain(created.id);
  });

  it("an expired token fails at once", async () => {
    const created = await (await createToken(jwt, ["org:read"])).json();
    await sql`update public.personal_access_tokens set expires_at = now() - interval '1 second' where id = ${created.id}`;
    const res = await call("GET", "me", created.token);
    expect((await res.json()).error.message).toBe("token expired");
  });

  it("a disabled user's token fails at once", async () => {
    const other = await auth.tokenFor(uniqueEmail("pat-disabled"));
    const created = await (await createToken(other.accessToken, ["org:read"])).json();
    await sql`update public.profiles set disabled_at = now() where id = ${other.user.id}`;
    const res = await call("GET", "me", created.token);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe("account disabled");
  });
});

describe("scopes", () => {
  let adminJwt: string;
  let targetId: string;

  beforeAll(async () => {
    const admin = await auth.signUp({ email: uniqueEmail("pat-admin") });
    await sql`insert into public.platform_role_assignments (user_id, role, source) values (${admin.id}, 'admin', 'admin')`;
    adminJwt = (await auth.signIn(admin.id)).accessToken;
    targetId = (await auth.signUp({ email: uniqueEmail("pat-target") })).id;
  });

  it("limit what a token can do through the functions, whatever its user may do", async () => {
    const narrow = await (await createToken(adminJwt, ["org:read"])).json();
    const wide = await (await createToken(adminJwt, ["users:admin"])).json();
    expect((await call("GET", `admin/users/${targetId}/role-overrides`, narrow.token)).status).toBe(403);
    expect((await call("GET", `admin/users/${targetId}/role-overrides`, wide.token)).status).toBe(200);
  });

  it("a token cannot mint a token with wider scopes", async () => {
    const minter = await (await createToken(adminJwt, ["tokens:manage", "org:read"])).json();
    expect((await createToken(minter.token, ["users:admin"])).status).toBe(403);
    expect((await createToken(minter.token, ["org:read"])).status).toBe(201);
  });

  it("a token without tokens:manage cannot manage tokens", async () => {
    const plain = await (await createToken(adminJwt, ["org:read"])).json();
    expect((await createToken(plain.token, ["org:read"])).status).toBe(403);
  });

  it("actions taken with a token are audited as the token", async () => {
    const wide = await (await createToken(adminJwt, ["users:admin"])).json();
    await call("PUT", `admin/users/${targetId}/role-overrides`, wide.token, { paused: true });
    const [event] = await sql`
      select actor_type, details ->> 'token_id' as token_id from public.audit_events
      where action = 'role_overrides.set' and target_id = ${targetId} order by id desc limit 1`;
    expect(event).toEqual({ actor_type: "token", token_id: wide.id });
  });
});
