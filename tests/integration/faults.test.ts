// Fault injection (issue 14): what the API answers when something it depends on fails
// under a request — its database connection killed, the access token hook running past
// Supabase Auth's 2 s, a third-party issuer's JWKS or UserInfo endpoint hanging, slow or
// answering garbage — and that it recovers on the next request with nothing half-written.
// Every fault here is confined to this file's own requests, users and issuers, so it runs
// beside the other files (the database restart is tests/alone/database-restart.test.ts).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService } from "../../stack/auth.ts";
import { startGateway, type Gateway } from "../../stack/gateway.ts";
import { auditedFor, call, expectError, signedInUser, sql } from "../helpers/callers.ts";
import { startExtraFunction, type ExtraFunction } from "../helpers/function-process.ts";
import { startTestIdp, type EndpointBehaviour, type TestIdp, type TestProvider } from "../helpers/identity-provider.ts";
import { stack, uniqueEmail } from "../helpers/stack.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` gives a value; fails after `ms` (a fault that never arrives is a broken test, not a pass). */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("the database connection killed mid-request", () => {
  const organizationsCreated: string[] = [];
  afterAll(async () => {
    await sql`delete from public.organizations where id = any (${organizationsCreated}::uuid[])`;
  });

  /**
   * Runs `request` while this test holds the caller's derived grants (private.member_grants)
   * FOR UPDATE: the request's new owner membership refreshes them in a trigger and waits
   * there, after the organization and membership rows are written. That waiting backend is
   * this request's and no one else's; it is terminated, and the lock released only once the
   * response is in.
   */
  async function killedMidWrite(userId: string, request: () => Promise<Response>) {
    return sql.begin(async (tx) => {
      const held = await tx`select 1 from private.member_grants where user_id = ${userId} for update`;
      expect(held.length).toBeGreaterThan(0);
      const [{ pid: holder }] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const response = request();
      const victim = await eventually("the request's backend to wait on the held rows", async () => {
        const [row] = await sql<{ pid: number; wrote: boolean }[]>`
          select pid, backend_xid is not null as wrote from pg_stat_activity where ${holder}::int = any (pg_blocking_pids(pid))`;
        return row;
      });
      const [{ terminated }] = await sql<{ terminated: boolean }[]>`select pg_terminate_backend(${victim.pid}) as terminated`;
      return { response: await response, victim, terminated };
    });
  }

  it("a write whose backend is terminated answers 503 with a debug id, leaves none of its rows or its audit event, and the next request succeeds", async () => {
    const owner = await signedInUser("killed-write");
    const name = `Killed ${randomUUID().slice(0, 8)}`;
    const slug = `killed-${randomUUID().slice(0, 8)}`;
    const create = () => call("me/organizations", owner.token, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, slug }) });

    const { response, victim, terminated } = await killedMidWrite(owner.id, create);
    expect(terminated).toBe(true);
    // It had written (its transaction had an id) when it was killed: there was something to half-write.
    expect(victim.wrote).toBe(true);
    const error = await expectError(response, 503, "unavailable");
    expect(error.message).toBe("the database is unavailable; try again");
    expect(await sql`select id from public.organizations where slug = ${slug} or name = ${name}`).toEqual([]);
    expect(await sql`select 1 from public.memberships m join public.organizations o on o.id = m.organization_id where o.slug = ${slug}`).toEqual([]);
    expect(await auditedFor(response)).toEqual([]);

    // The function lived through it, and its next request, on the same function, succeeds.
    const retried = await create();
    expect(retried.status).toBe(201);
    const organization = await retried.json();
    organizationsCreated.push(organization.id);
    expect(organization).toMatchObject({ name, slug });
    const [membership] = await sql`select role from public.memberships where organization_id = ${organization.id} and user_id = ${owner.id}`;
    expect(membership.role).toBe("owner");
    expect((await auditedFor(retried)).map((event) => event.action)).toContain("organization.create");
  });

  it("after two killed requests in a row, every request of the next burst succeeds", async () => {
    const owner = await signedInUser("killed-twice");
    for (let i = 0; i < 2; i++) {
      const slug = `killed-${randomUUID().slice(0, 8)}`;
      const { response } = await killedMidWrite(owner.id, () =>
        call("me/organizations", owner.token, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: slug, slug }) }));
      await expectError(response, 503, "unavailable");
    }
    // More requests at once than the function's pool has connections: none may meet a dead one.
    const statuses = await Promise.all(Array.from({ length: 8 }, () => call("me", owner.token).then((r) => r.status)));
    expect(statuses).toEqual(Array(8).fill(200));
  });
});

describe("the access token hook running past Supabase Auth's 2 s statement timeout", () => {
  // The real hook behind a wrapper that first sleeps 2.5 s for the users in slow_users: the
  // stand-in's own gateway runs it (the shared stack's Auth keeps config.toml's hook).
  const schema = `faults_hook_${randomUUID().slice(0, 8)}`;
  const uri = `pg-functions://postgres/${schema}/slow_hook`;
  let auth: AuthService;
  let gateway: Gateway;

  beforeAll(async () => {
    await sql.begin(async (tx) => {
      await tx.unsafe(`create schema ${schema}`);
      await tx.unsafe(`create table ${schema}.slow_users (user_id uuid primary key)`);
      await tx.unsafe(`
        create function ${schema}.slow_hook(event jsonb) returns jsonb language plpgsql set search_path = '' as $$
        begin
          if exists (select 1 from ${schema}.slow_users s where s.user_id = (event ->> 'user_id')::uuid) then
            perform pg_catalog.pg_sleep(2.5);
          end if;
          return private.custom_access_token_hook(event);
        end $$`);
      await tx.unsafe(`grant usage on schema ${schema} to supabase_auth_admin`);
      await tx.unsafe(`grant select on ${schema}.slow_users to supabase_auth_admin`);
      await tx.unsafe(`grant execute on function ${schema}.slow_hook(jsonb) to supabase_auth_admin`);
    });
    auth = new AuthService({ authAdminUrl: stack.authAdminUrl, supabaseUrl: stack.url, accessTokenHook: { uri, schema, name: "slow_hook" } });
    gateway = await startGateway([], auth, 0);
  });

  afterAll(async () => {
    await gateway?.close();
    await auth?.close();
    await sql.unsafe(`drop schema if exists ${schema} cascade`);
  });

  const passwordSignIn = (email: string, password: string) =>
    fetch(`${gateway.url}/auth/v1/token?grant_type=password`, {
      method: "POST",
      headers: { apikey: stack.publishableKey, "content-type": "application/json", "x-supabase-api-version": "2024-01-01" },
      body: JSON.stringify({ email, password }),
    });

  const sessionState = async (userId: string) =>
    (await sql`
      select (select count(*)::int from auth.sessions where user_id = ${userId}) as sessions,
             (select count(*)::int from auth.refresh_tokens where user_id = ${userId}::text) as refresh_tokens,
             (select last_sign_in_at from auth.users where id = ${userId}) as last_sign_in_at`)[0];

  it("sign-in answers GoTrue's hook error (500 unexpected_failure, 'Error running hook URI'), keeps nothing of the sign-in, and the next sign-in works", async () => {
    const email = uniqueEmail("slow-hook");
    const password = `pw-${randomUUID()}`;
    const user = await auth.createUser({ email, password, email_confirm: true });
    await sql.unsafe(`insert into ${schema}.slow_users values ($1)`, [user.id]);
    const before = await sessionState(user.id);

    const failed = await passwordSignIn(email, password);
    expect(failed.status).toBe(500);
    expect(failed.headers.get("x-sb-error-code")).toBe("unexpected_failure");
    expect(await failed.json()).toEqual({ code: "unexpected_failure", message: `Error running hook URI: ${uri}` });
    // The timeout aborted the token transaction: no session, no refresh token, no sign-in recorded.
    expect(await sessionState(user.id)).toEqual(before);

    await sql.unsafe(`delete from ${schema}.slow_users where user_id = $1`, [user.id]);
    const signedIn = await passwordSignIn(email, password);
    expect(signedIn.status).toBe(200);
    const session = await signedIn.json();
    expect((await sessionState(user.id)).sessions).toBe(before.sessions + 1);
    // The real hook ran this time (its claim is there) and the token works against the API.
    const claims = JSON.parse(Buffer.from(session.access_token.split(".")[1], "base64url").toString());
    expect(claims.tenantry).toMatchObject({ orgs_truncated: false });
    expect((await call("me", session.access_token)).status).toBe(200);
  });
});

describe("a third-party issuer's JWKS and UserInfo endpoints failing", () => {
  // One more `me` function with short bounds, so each fault costs a second, not the defaults.
  const TIMEOUT_MS = 1000;
  const MAX_AGE_S = 1;
  const RETRY_S = 1;
  /** Longer than IDP_JWKS_MAX_AGE_S and IDP_RETRY_S: the keys are stale and may be asked for again. */
  const PAST_RETRY_MS = 1300;
  /** The generous bound on an answer while an endpoint hangs forever (the timeout is what is under test). */
  const ANSWER_BOUND_MS = 8000;
  let idp: TestIdp;
  let fn: ExtraFunction;
  const subjects: string[] = [];

  beforeAll(async () => {
    idp = await startTestIdp(sql);
    fn = await startExtraFunction("me", {
      IDP_TIMEOUT_MS: String(TIMEOUT_MS),
      IDP_JWKS_MAX_AGE_S: String(MAX_AGE_S),
      IDP_RETRY_S: String(RETRY_S),
    });
  });

  afterAll(async () => {
    await fn?.stop();
    const issuers = [...new Set(subjects.map((s) => s.split(" ")[0]))];
    if (issuers.length) await sql`delete from public.profiles where identity_provider = any (${issuers})`;
    await idp?.close();
  });

  const provider = (options: { withUserInfo?: boolean } = {}) => idp.provider(`faults-${randomUUID().slice(0, 8)}`, { kind: "clerk", ...options });

  function userOf(p: TestProvider, extra: Record<string, unknown> = {}) {
    const sub = `user_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
    subjects.push(`${p.issuer} ${sub}`);
    return { sub, token: (claims: Record<string, unknown> = {}, kid?: string) => p.sign({ sub, email: `${sub}@faults.test`, name: sub, groups: [], ...extra, ...claims }, { kid }) };
  }

  /** GET /me straight to the extra function; the test's own abort turns a hang into a failure. */
  async function me(token: string): Promise<{ response: Response; ms: number }> {
    const started = Date.now();
    const response = await fetch(fn.url("me"), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
    return { response, ms: Date.now() - started };
  }

  describe("JWKS", () => {
    it("keys already fetched keep verifying tokens when the refresh of stale keys hangs", async () => {
      const p = await provider();
      const user = userOf(p);
      expect((await me(await user.token())).response.status).toBe(200);
      const fetched = p.jwksCalls;

      p.serve("jwks", "hang");
      await sleep(PAST_RETRY_MS);
      const { response, ms } = await me(await user.token());
      expect(response.status).toBe(200);
      expect(p.jwksCalls).toBe(fetched + 1); // the stale keys were asked for again, and that failed
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
    });

    for (const behaviour of ["error", "not-json", "wrong-shape"] as const) {
      it(`keys already fetched keep verifying tokens when the refresh answers ${behaviour}`, async () => {
        const p = await provider();
        const user = userOf(p);
        expect((await me(await user.token())).response.status).toBe(200);
        const fetched = p.jwksCalls;

        p.serve("jwks", behaviour);
        await sleep(PAST_RETRY_MS);
        expect((await me(await user.token())).response.status).toBe(200);
        expect(p.jwksCalls).toBe(fetched + 1);
      });
    }

    const failures: EndpointBehaviour[] = ["hang", "error", "not-json", "wrong-shape"];
    for (const behaviour of failures) {
      it(`with no keys known yet, an endpoint that answers ${behaviour} is a 503 identity_provider_unavailable within the timeout, and the first request after it recovers succeeds`, async () => {
        const p = await provider();
        const user = userOf(p);
        p.serve("jwks", behaviour);
        const { response, ms } = await me(await user.token());
        const error = await expectError(response, 503, "identity_provider_unavailable");
        expect(error.message).toBe("the identity provider's keys could not be fetched");
        expect(ms).toBeLessThan(ANSWER_BOUND_MS);

        p.serve("jwks", "normal");
        await sleep(PAST_RETRY_MS);
        expect((await me(await user.token())).response.status).toBe(200);
      });
    }

    it("a token with a key id the issuer never published is a 503 while the endpoint hangs, a 401 once it answers again", async () => {
      const p = await provider();
      const user = userOf(p);
      expect((await me(await user.token())).response.status).toBe(200);

      p.serve("jwks", "hang");
      await sleep(PAST_RETRY_MS);
      const unknownKid = `rotated-${randomUUID()}`;
      const { response, ms } = await me(await user.token({}, unknownKid));
      await expectError(response, 503, "identity_provider_unavailable");
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);
      // Meanwhile the known key still works.
      expect((await me(await user.token())).response.status).toBe(200);

      p.serve("jwks", "normal");
      await sleep(PAST_RETRY_MS);
      const refused = await expectError((await me(await user.token({}, unknownKid))).response, 401, "unauthorized");
      expect(refused.message).toBe("token could not be verified");
    });

    it("a slow endpoint that answers within the timeout is waited for", async () => {
      const p = await provider();
      p.serve("jwks", { delayMs: TIMEOUT_MS / 4 });
      expect((await me(await userOf(p).token())).response.status).toBe(200);
    });
  });

  describe("UserInfo", () => {
    // A sparse token (no email, name or groups) is completed from UserInfo; enrichment is
    // best effort, so a failing UserInfo leaves the verified token alone, never a 5xx.
    const sparseUser = (p: TestProvider) => {
      const user = userOf(p);
      p.setUserInfo(user.sub, { email: `${user.sub}@userinfo.test`, name: "From UserInfo" });
      return { ...user, token: () => p.sign({ sub: user.sub }) };
    };

    const failures: EndpointBehaviour[] = ["hang", "error", "not-json", "wrong-shape"];
    for (const behaviour of failures) {
      it(`an endpoint that answers ${behaviour}: the request succeeds from the token alone within the timeout, and UserInfo is asked again later`, async () => {
        const p = await provider({ withUserInfo: true });
        const user = sparseUser(p);
        const token = await user.token();
        p.serve("userinfo", behaviour);
        const { response, ms } = await me(token);
        expect(response.status).toBe(200);
        expect((await response.json()).profile.email).toBeNull();
        expect(ms).toBeLessThan(ANSWER_BOUND_MS);

        // The failure is not the token's answer for its lifetime: once UserInfo is back, the same token is enriched.
        p.serve("userinfo", "normal");
        await sleep(PAST_RETRY_MS);
        const calls = p.userInfoCalls;
        expect((await me(token)).response.status).toBe(200);
        expect(p.userInfoCalls).toBe(calls + 1);
      });
    }

    it("a slow endpoint that answers within the timeout fills in the missing claims", async () => {
      const p = await provider({ withUserInfo: true });
      const user = sparseUser(p);
      p.serve("userinfo", { delayMs: TIMEOUT_MS / 4 });
      const { response } = await me(await user.token());
      expect(response.status).toBe(200);
      expect((await response.json()).profile).toMatchObject({ email: `${user.sub}@userinfo.test`, display_name: "From UserInfo" });
    });
  });
});
