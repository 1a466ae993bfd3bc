// Reads supabase/config.toml, the same file the Supabase CLI deploys from, so the
// local stack serves exactly the functions and hooks a hosted project would.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { z } from "zod";
import { projectRoot } from "./settings.ts";

const supabaseDir = path.join(projectRoot, "supabase");

const functionSchema = z.object({
  enabled: z.boolean().default(true),
  verify_jwt: z.boolean().default(true),
  entrypoint: z.string().optional(),
  import_map: z.string().optional(),
});

const configSchema = z.object({
  auth: z
    .object({
      jwt_expiry: z.number().int().positive().default(3600),
      hook: z
        .object({
          custom_access_token: z
            .object({ enabled: z.boolean().default(false), uri: z.string().default("") })
            .optional(),
        })
        .optional(),
    })
    .default({ jwt_expiry: 3600 }),
  functions: z.record(z.string(), functionSchema).default({}),
});

export interface FunctionConfig {
  name: string;
  verifyJwt: boolean;
  entrypoint: string;
  importMap?: string;
}

export interface HookFunction {
  /** As configured (`pg-functions://postgres/<schema>/<function>`): GoTrue's hook errors quote it. */
  uri: string;
  schema: string;
  name: string;
}

export interface ProjectConfig {
  jwtExpiry: number;
  accessTokenHook?: HookFunction;
  functions: FunctionConfig[];
}

/** `pg-functions://<database>/<schema>/<function>` → schema and function name. */
export function parseHookUri(uri: string): HookFunction {
  const match = /^pg-functions:\/\/[^/]+\/([A-Za-z_][\w$]*)\/([A-Za-z_][\w$]*)$/.exec(uri);
  if (!match) throw new Error(`invalid hook uri "${uri}": expected pg-functions://<database>/<schema>/<function>`);
  return { uri, schema: match[1], name: match[2] };
}

export function loadProjectConfig(file = path.join(supabaseDir, "config.toml")): ProjectConfig {
  const raw = configSchema.parse(parse(readFileSync(file, "utf8")));
  const hook = raw.auth.hook?.custom_access_token;
  const functions = Object.entries(raw.functions)
    .filter(([, fn]) => fn.enabled)
    .map(([name, fn]) => ({
      name,
      verifyJwt: fn.verify_jwt,
      // Paths in config.toml are relative to the supabase/ folder.
      entrypoint: path.resolve(supabaseDir, fn.entrypoint ?? `functions/${name}/index.ts`),
      importMap: fn.import_map ? path.resolve(supabaseDir, fn.import_map) : undefined,
    }));
  return {
    jwtExpiry: raw.auth.jwt_expiry,
    accessTokenHook: hook?.enabled ? parseHookUri(hook.uri) : undefined,
    functions,
  };
}
