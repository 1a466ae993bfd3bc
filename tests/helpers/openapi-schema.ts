// A documented schema of the committed OpenAPI documents (client/openapi/*.json) as a zod
// schema, so a browser test's stubbed answer is checked against what the API promises and
// cannot drift from it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { projectRoot } from "../../stack/settings.ts";

type Schema = Record<string, unknown>;

/** The schema with every $ref to #/components/schemas/… replaced by what it names. */
function inline(value: unknown, components: Record<string, Schema>): unknown {
  if (Array.isArray(value)) return value.map((v) => inline(v, components));
  if (typeof value !== "object" || value === null) return value;
  const ref = (value as { $ref?: string }).$ref;
  if (ref) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1];
    if (!name || !components[name]) throw new Error(`unresolvable $ref ${ref}`);
    return inline(components[name], components);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v, components)]));
}

/** The JSON body schema of one documented response, e.g. ("admin", "get", "/admin/audit/verify", 200). */
export function documentedResponse(document: string, method: string, route: string, status: number): z.ZodType {
  const doc = JSON.parse(readFileSync(path.join(projectRoot, "client", "openapi", `${document}.json`), "utf8"));
  const schema = doc.paths?.[route]?.[method]?.responses?.[String(status)]?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`${document}.json documents no JSON ${status} for ${method.toUpperCase()} ${route}`);
  return z.fromJSONSchema(inline(schema, doc.components?.schemas ?? {}) as z.core.JSONSchema.JSONSchema);
}
