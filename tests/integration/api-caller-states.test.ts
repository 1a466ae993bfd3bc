// Every documented endpoint against every caller state that must be refused (SPEC
// principle 8, issue 11): no credentials, a token of an unregistered issuer, a personal
// access token without the scope, a signed-in user without the permission, a disabled
// user, a user whose account is gone. Driven by the committed OpenAPI documents, so a
// new endpoint is covered the day it is documented; the lists of exceptions below say
// why each one is one.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { SignJWT, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../stack/settings.ts";
import { auditedFor, personalAccessToken, platformUser, signedInUser, sql, type TestCaller } from "../helpers/callers.ts";
import { stack } from "../helpers/stack.ts";

interface Operation {
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown }> };
}
const operations = readdirSync(path.join(projectRoot, "client", "openapi"))
  .filter((file) => file.endsWith(".json"))
  .flatMap((file) => {
    const document = JSON.parse(readFileSync(path.join(projectRoot, "client", "openapi", file), "utf8")) as { paths: Record<string, Record<string, Operation>> };
    return Object.entries(document.paths).flatMap(([route, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${route}`, method: method.toUpperCase(), route, operation })));
  })
  // Those for signed-in callers: not the public ones (health takes any API key, plans none).
  .filter(({ operation }) => JSON.stringify(operation.security ?? []).includes("bearer"));

/** Needs no token scope: it shows what the token may use. */
const NO_SCOPE = new Set(["GET /me"]);
/**
 * Every signed-in user may: their own account, creating organizations (orgs:create), listing the organizations they read,
 * reading and exporting the audit events of organizations where they hold audit:read (every user owns a personal one).
 */
const ANY_USER = (name: string) =>
  / \/me(\/|$)/.test(name) || ["POST /admin/orgs", "GET /admin/orgs", "GET /admin/audit", "GET /admin/audit/export"].includes(name);

/** Path parameters name real rows (an organization of the admin's, its invitation), so refusals are about permissions, not absence. */
const sample: Record<string, string> = { role: "reader" };
const url = (route: string) => `${stack.url}/functions/v1${route.replace(/\{(\w+)\}/g, (_, name: string) => sample[name] ?? sample.id)}`;

function send(op: (typeof operations)[number], bearer?: string): Promise<Response> {
  const example = op.operation.requestBody?.content["application/json"]?.example;
  return fetch(url(op.route), {
    method: op.method,
    headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), "content-type": "application/json" },
    body: example === undefined ? undefined : JSON.stringify(example),
  });
}

let disabled: TestCaller;
let gone: TestCaller;
let foreignToken: string;

beforeAll(async () => {
  const admin = await platformUser("admin", "states-admin");
  const [org] = await sql`select id from public.organizations where created_by = ${admin.id} and is_personal`;
  sample.id = org.id;
  const invite = await fetch(url("/admin/orgs/{id}/invitations"), {
    method: "POST",
    headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ email: "states-invitee@example.test" }),
  });
  sample.invitation_id = (await invite.json()).id;
  sample.user_id = admin.id;
  disabled = await signedInUser("states-disabled");
  await sql`update public.profiles set disabled_at = now() where id = ${disabled.id}`;
  gone = await signedInUser("states-gone");
  await sql`delete from auth.users where id = ${gone.id}`;
  const { privateKey } = await generateKeyPair("ES256");
  foreignToken = await new SignJWT({ sub: admin.id, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "ES256", kid: "foreign" }).setIssuer("https://unregistered.example.test").setExpirationTime("5m").sign(privateKey);
});

describe("every endpoint refuses every caller who may not", () => {
  it("the documents list the endpoints, each body with an example to send", () => {
    expect(operations.length).toBeGreaterThan(20);
    for (const op of operations) {
      if (op.operation.requestBody) expect(op.operation.requestBody.content["application/json"].example, op.name).toBeDefined();
    }
  });

  it.each(operations.map((op) => [op.name, op]))("%s", async (_name, op) => {
    expect((await send(op)).status, "no credentials").toBe(401);
    expect((await send(op, foreignToken)).status, "a token of an unregistered issuer").toBe(401);

    for (const [state, caller, message] of [["a disabled user", disabled, "this account is disabled"], ["a deleted user", gone, "no account for this user"]] as const) {
      const res = await send(op, caller.token);
      expect(res.status, state).toBe(403);
      expect((await res.json()).error.message, state).toMatch(message);
    }

    // Fresh callers for each endpoint: one actor's denials beyond audit_denials_per_minute are counted, not logged.
    if (!NO_SCOPE.has(op.name)) {
      const res = await send(op, await personalAccessToken(await platformUser("admin", "states-narrow"), ["data:read"]));
      expect(res.status, "a personal access token without the scope").toBe(403);
      expect((await res.json()).error.message).toMatch(/lacks the [\w:]+ scope/);
      expect((await auditedFor(res)).map((e) => e.outcome), "the refusal is audited").toEqual(["denied"]);
    }

    if (!ANY_USER(op.name)) {
      const plain = await signedInUser("states-plain");
      const res = await send(op, plain.token);
      expect(res.status, "a signed-in user without the permission").toBe(403);
      expect(await auditedFor(res), "the refusal is audited as theirs").toEqual([expect.objectContaining({ outcome: "denied", actor_id: plain.id })]);
    }
  });
});
