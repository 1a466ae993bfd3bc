// A stand-in third-party identity provider on localhost: per-provider RS256 keys
// served as JWKS, a UserInfo endpoint, token signing, and registration of the
// provider in private.identity_providers the way an operator registers a real one.
import http from "node:http";
import { randomUUID } from "node:crypto";
import { SignJWT, exportJWK, generateKeyPair, jwtVerify, createLocalJWKSet, type JWK } from "jose";
import type postgres from "postgres";

export interface ProviderOptions {
  kind: "clerk" | "frontegg" | "oidc";
  tenantClaim?: string;
  tenantSwitch?: "move" | "add";
  withUserInfo?: boolean;
  audience?: string;
  /** false: serve keys and sign tokens, but leave the issuer out of private.identity_providers. */
  register?: boolean;
}

/**
 * How an endpoint of a test provider answers: normally, after a delay, never (the
 * connection stays open until the IdP closes), with a 500, with a 200 that is not JSON, or
 * with JSON of the wrong shape.
 */
export type EndpointBehaviour = "normal" | "hang" | "error" | "not-json" | "wrong-shape" | { delayMs: number };

export interface TestProvider {
  name: string;
  issuer: string;
  /** Changes how its JWKS or UserInfo endpoint answers from the next request on. */
  serve(endpoint: "jwks" | "userinfo", behaviour: EndpointBehaviour): void;
  /** Requests its JWKS endpoint has received, whatever it answered. */
  jwksCalls: number;
  sign(claims: Record<string, unknown>, options?: { expiresIn?: string | number; omitExp?: boolean; kid?: string }): Promise<string>;
  /** What UserInfo answers for a subject. */
  setUserInfo(sub: string, claims: Record<string, unknown>): void;
  userInfoCalls: number;
}

export interface TestIdp {
  url: string;
  provider(name: string, options: ProviderOptions): Promise<TestProvider>;
  close(): Promise<void>;
}

export async function startTestIdp(sql: postgres.Sql): Promise<TestIdp> {
  const keys = new Map<string, {
    privateKey: CryptoKey;
    publicJwk: JWK;
    userInfo: Map<string, Record<string, unknown>>;
    behaviour: Record<"jwks" | "userinfo", EndpointBehaviour>;
    provider?: TestProvider;
  }>();
  const registered: string[] = [];

  const server = http.createServer(async (req, res) => {
    const [, name, resource] = (req.url ?? "").split("/");
    const entry = keys.get(name);
    if (!entry) return void res.writeHead(404).end();
    const endpoint = resource === "jwks.json" ? "jwks" : resource === "userinfo" ? "userinfo" : undefined;
    if (endpoint === "jwks") entry.provider!.jwksCalls++;
    const behaviour = endpoint ? entry.behaviour[endpoint] : "normal";
    if (behaviour === "hang") return; // closed by close(), never answered
    if (behaviour === "error") return void res.writeHead(500, { "content-type": "text/plain" }).end("upstream exploded");
    if (behaviour === "not-json") return void res.writeHead(200, { "content-type": "application/json" }).end("<html>Service Unavailable</html>");
    if (behaviour === "wrong-shape") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: "none", sub: 42 }));
    if (typeof behaviour === "object") await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (resource === "jwks.json") {
      res.writeHead(200, { "content-type": "application/json" });
      return void res.end(JSON.stringify({ keys: [entry.publicJwk] }));
    }
    if (resource === "userinfo") {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      try {
        const { payload } = await jwtVerify(token ?? "", createLocalJWKSet({ keys: [entry.publicJwk] }));
        entry.provider!.userInfoCalls++;
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify({ sub: payload.sub, ...(entry.userInfo.get(String(payload.sub)) ?? {}) }));
      } catch {
        return void res.writeHead(401).end();
      }
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    async provider(name, options) {
      const { privateKey, publicKey } = await generateKeyPair("RS256");
      const kid = randomUUID();
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" };
      const userInfo = new Map<string, Record<string, unknown>>();
      const issuer = `${url}/${name}`;
      const behaviour: Record<"jwks" | "userinfo", EndpointBehaviour> = { jwks: "normal", userinfo: "normal" };
      const provider: TestProvider = {
        name,
        issuer,
        serve: (endpoint, how) => void (behaviour[endpoint] = how),
        jwksCalls: 0,
        userInfoCalls: 0,
        setUserInfo: (sub, claims) => void userInfo.set(sub, claims),
        async sign(claims, signOptions = {}) {
          const jwt = new SignJWT({ ...claims })
            .setProtectedHeader({ alg: "RS256", kid: signOptions.kid ?? kid, typ: "JWT" })
            .setIssuer(String(claims.iss ?? issuer))
            .setIssuedAt();
          if (!signOptions.omitExp) jwt.setExpirationTime(signOptions.expiresIn ?? "1h");
          return jwt.sign(privateKey);
        },
      };
      keys.set(name, { privateKey, publicJwk, userInfo, behaviour, provider });
      if (options.register === false) return provider;
      await sql`
        insert into private.identity_providers (issuer, name, kind, jwks_url, audience, userinfo_endpoint, tenant_claim, tenant_switch)
        values (${issuer}, ${name}, ${options.kind}, ${`${issuer}/jwks.json`}, ${options.audience ?? null},
                ${options.withUserInfo ? `${issuer}/userinfo` : null}, ${options.tenantClaim ?? null}, ${options.tenantSwitch ?? "move"})`;
      registered.push(issuer);
      return provider;
    },
    async close() {
      if (registered.length) await sql`delete from private.identity_providers where issuer in ${sql(registered)}`;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
