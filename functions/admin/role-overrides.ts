// /admin/users/{id}/role-overrides (SPEC F8): read, replace and clear a user's role
// overrides. users:admin is checked by the SQL functions, which also audit.
import { z } from "zod";
import { json, type Context } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { readJson, uuidParam } from "../_shared/validation.ts";

type Overrides = Record<string, unknown>;

const roleList = z.array(z.string().max(63)).max(50);
const overridesBody = z.strictObject({
  paused: z.boolean().optional(),
  preserved: roleList.optional(),
  suppressed: roleList.optional(),
});

export async function getRoleOverrides(req: Request, ctx: Context, id: string | undefined): Promise<Response> {
  const userId = uuidParam(id, "id");
  return json(await callAsCaller<Overrides>(req, ctx, (tx) => tx`select public.get_role_overrides(${userId}::uuid) as result`));
}

export async function putRoleOverrides(req: Request, ctx: Context, id: string | undefined): Promise<Response> {
  const userId = uuidParam(id, "id");
  const body = await readJson(req, overridesBody);
  return json(
    await callAsCaller<Overrides>(req, ctx, (tx) => tx`
      select public.set_role_overrides(${userId}::uuid, ${body.paused ?? false}, ${body.preserved ?? []}::text[], ${body.suppressed ?? []}::text[]) as result`),
  );
}

export async function deleteRoleOverrides(req: Request, ctx: Context, id: string | undefined): Promise<Response> {
  const userId = uuidParam(id, "id");
  return json(await callAsCaller<Overrides>(req, ctx, (tx) => tx`select public.clear_role_overrides(${userId}::uuid) as result`));
}
