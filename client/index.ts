// The typed client of Tenantry's HTTP API, generated from the functions' OpenAPI
// documents (client/openapi/*.json → client/types/*.ts): what the tests and the admin
// console call the API with, so they can only send what the API documents.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths as AdminPaths } from "./types/admin.ts";
import type { paths as HealthPaths } from "./types/health.ts";
import type { paths as MePaths } from "./types/me.ts";
import type { paths as PlansPaths } from "./types/plans.ts";

export type { AdminPaths, HealthPaths, MePaths, PlansPaths };

export interface ClientOptions {
  /** The project URL: http://127.0.0.1:54321 locally, https://<ref>.supabase.co hosted. */
  url: string;
  /** An access token or a personal access token; called per request so it may refresh. (The secret key goes in `apikey`.) */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** An API key, sent as `apikey`: the publishable key (the platform's gateway wants one), or the secret key for server-side operators. */
  apikey?: string;
  fetch?: typeof fetch;
}

function credentials(options: ClientOptions): Middleware {
  return {
    async onRequest({ request }) {
      const token = typeof options.token === "function" ? await options.token() : options.token;
      if (token) request.headers.set("authorization", `Bearer ${token}`);
      if (options.apikey) request.headers.set("apikey", options.apikey);
      return request;
    },
  };
}

function client<Paths extends object>(options: ClientOptions) {
  const api = createClient<Paths>({ baseUrl: `${options.url.replace(/\/+$/, "")}/functions/v1`, fetch: options.fetch });
  api.use(credentials(options));
  return api;
}

export const createAdminClient = (options: ClientOptions) => client<AdminPaths>(options);
export const createMeClient = (options: ClientOptions) => client<MePaths>(options);
export const createHealthClient = (options: ClientOptions) => client<HealthPaths>(options);
/** The public plan catalog: no token needed (pass the publishable key as apikey, or nothing). */
export const createPlansClient = (options: ClientOptions) => client<PlansPaths>(options);
