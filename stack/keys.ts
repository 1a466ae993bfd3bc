// The local project's secrets, generated on first use and kept out of git:
// an ES256 signing key (like a Supabase project's asymmetric JWT key) and the
// publishable/secret API keys.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { local } from "./settings.ts";

export interface ProjectKeys {
  signingKey: JWK & { kid: string };
  publicKey: JWK & { kid: string };
  publishableKey: string;
  secretKey: string;
}

let cached: ProjectKeys | undefined;

function apiKey(kind: "publishable" | "secret"): string {
  return `sb_${kind}_${randomBytes(24).toString("base64url")}`;
}

async function generate(): Promise<ProjectKeys> {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const meta = { kid, alg: "ES256", use: "sig" };
  return {
    signingKey: { ...(await exportJWK(privateKey)), ...meta },
    publicKey: { ...(await exportJWK(publicKey)), ...meta, key_ops: ["verify"] },
    publishableKey: apiKey("publishable"),
    secretKey: apiKey("secret"),
  };
}

/** Loads the local keys, creating them on first use (0600, git-ignored). */
export async function projectKeys(): Promise<ProjectKeys> {
  if (cached) return cached;
  if (existsSync(local.keysFile)) {
    cached = JSON.parse(readFileSync(local.keysFile, "utf8")) as ProjectKeys;
  } else {
    cached = await generate();
    mkdirSync(path.dirname(local.keysFile), { recursive: true });
    writeFileSync(local.keysFile, JSON.stringify(cached, null, 2), { mode: 0o600 });
  }
  return cached;
}

export async function privateSigningKey() {
  const keys = await projectKeys();
  return importJWK(keys.signingKey, "ES256");
}

/** The document served at /auth/v1/.well-known/jwks.json. */
export async function jwks(): Promise<{ keys: JWK[] }> {
  return { keys: [(await projectKeys()).publicKey] };
}
