// A third-party issuer's signing keys, fetched from its JWKS endpoint and kept per isolate.
// The endpoint is someone else's server: every fetch is bounded (IDP_TIMEOUT_MS), one at a
// time per issuer, and a failed or garbled answer never throws away keys already known, so
// tokens signed with them keep verifying while the issuer is down. jose's createRemoteJWKSet
// does neither: once its cache is older than its max age it refetches before every use and
// fails the request when that fetch fails, and it retries a failing endpoint on every request.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import type { IdentityProviderHttp } from "./config.ts";
import { ApiError } from "./errors.ts";

const unavailable = (cause: unknown) =>
  new ApiError(503, "identity_provider_unavailable", "the identity provider's keys could not be fetched", { cause });

export class IssuerKeys {
  private keys?: ReturnType<typeof createLocalJWKSet>;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private lastFailure?: unknown;
  private pending?: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly http: IdentityProviderHttp,
  ) {}

  /** The key for a token's header, as jwtVerify asks for it. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (!this.keys) {
      // Nothing to fall back on; an endpoint that just failed is not asked again yet.
      if (this.pending || this.mayAttempt()) await this.refresh();
      else throw unavailable(this.lastFailure);
    } else if (this.stale() && (this.pending || this.mayAttempt())) {
      await this.refresh().catch(() => {}); // on failure the known keys still serve
    }
    try {
      return await this.keys!(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown kid: the issuer may have rotated its keys. Ask again, but not on every
      // such token (anyone can send one): at most once per retry interval.
      if (this.pending || this.mayAttempt()) await this.refresh().catch(() => {});
      // The endpoint is failing: say so rather than call the token invalid.
      if (this.lastFailure) throw unavailable(this.lastFailure);
      return this.keys!(header, token);
    }
  };

  private stale(): boolean {
    return Date.now() - this.fetchedAt >= this.http.jwksMaxAgeMs;
  }

  private mayAttempt(): boolean {
    return Date.now() - this.attemptedAt >= Math.min(this.http.retryMs, this.http.jwksMaxAgeMs);
  }

  /** One fetch at a time; everyone asking meanwhile waits for that one. */
  private refresh(): Promise<void> {
    this.pending ??= this.fetchKeys().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchKeys(): Promise<void> {
    this.attemptedAt = Date.now();
    try {
      const res = await fetch(this.url, {
        headers: { accept: "application/json, application/jwk-set+json" },
        redirect: "manual",
        // Bounds the body as well as the headers: a server may send headers and then stall.
        signal: AbortSignal.timeout(this.http.timeoutMs),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`the JWKS endpoint answered ${res.status}`);
      }
      // createLocalJWKSet refuses anything that is not {"keys": [...]}.
      const keys = createLocalJWKSet((await res.json()) as JSONWebKeySet);
      this.keys = keys;
      this.fetchedAt = Date.now();
      this.lastFailure = undefined;
    } catch (cause) {
      this.lastFailure = cause;
      console.warn(JSON.stringify({ level: "warn", message: "JWKS fetch failed", url: this.url, cause: String(cause), keeping_known_keys: Boolean(this.keys) }));
      throw unavailable(cause);
    }
  }
}
