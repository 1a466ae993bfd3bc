// The edge-function path for the fuzzer: the local stack (real Deno functions behind the
// gateway), and a bearer for each caller the way a client holds one — a Supabase Auth
// access token minted by the Auth stand-in (issued before any later disabling, as a
// client keeps it), a personal access token's secret, a well-signed token of a subject
// with no profile, and a token from an issuer nobody registered.
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { SignJWT, generateKeyPair } from "jose";
import { AuthService } from "../../stack/auth.ts";
import type { Database } from "../../stack/database.ts";
import { privateSigningKey } from "../../stack/keys.ts";
import { stateDir } from "../../stack/settings.ts";
import { startStack, type Stack } from "../../stack/stack.ts";
import type { Caller, User } from "./model.ts";

export interface HttpPath {
  url: string;
  /** The Authorization bearer this caller sends, or undefined (anonymous, or not a caller this path can make). */
  bearer(caller: Caller): Promise<string | undefined>;
  stop(): Promise<void>;
}

export async function startHttpPath(db: Database): Promise<HttpPath> {
  mkdirSync(stateDir, { recursive: true });
  const log = createWriteStream(path.join(stateDir, "functions-fuzz.log"), { flags: "w" });
  const stack: Stack = await startStack({ db, port: 0, output: (line) => log.write(`${line}\n`) });
  const auth = new AuthService({ authAdminUrl: db.authAdminUrl, supabaseUrl: stack.url });
  const issuer = `${stack.url}/auth/v1`;
  const signing = await privateSigningKey();
  const stranger = await generateKeyPair("ES256");
  const jwts = new Map<string, Promise<string>>();
  const sign = (key: CryptoKey | Awaited<ReturnType<typeof privateSigningKey>>, iss: string, sub: string) =>
    new SignJWT({ role: "authenticated", aal: "aal1", session_id: randomUUID(), is_anonymous: false, email: "", phone: "" })
      .setProtectedHeader({ alg: "ES256", kid: iss === issuer ? undefined : "stranger" })
      .setIssuer(iss)
      .setSubject(sub)
      .setAudience("authenticated")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);
  const jwtFor = (user: User) => {
    let jwt = jwts.get(user.id);
    if (!jwt) {
      jwt = auth.signIn(user.id).then((t) => t.accessToken);
      jwts.set(user.id, jwt);
    }
    return jwt;
  };
  return {
    url: stack.url,
    async bearer(caller) {
      switch (caller.kind) {
        case "anon":
          return undefined;
        case "no_profile":
          return sign(signing, issuer, caller.sub);
        case "foreign_issuer":
          return sign(stranger.privateKey, "https://unregistered-issuer.example", caller.user.id);
        case "user":
          return jwtFor(caller.user);
        case "token":
          return caller.token.secret;
      }
    },
    async stop() {
      await auth.close();
      await stack.stop();
      log.end();
    },
  };
}

/** Signs the world's Supabase Auth users in while all are active: later disabling must make their tokens useless. */
export async function signInAll(http: HttpPath, users: User[]): Promise<void> {
  for (const user of users) if (user.kind === "supabase") await http.bearer({ kind: "user", user });
}
