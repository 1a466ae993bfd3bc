// /me/tokens (SPEC F10, F14): list, create and revoke the caller's personal access
// tokens. The secret appears once, in the answer to POST.
import { z } from "zod";
import { json, type Context } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { readJson, uuidParam } from "../_shared/validation.ts";

type Json = Record<string, unknown>;

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.string().max(63)).min(1).max(50),
  expires_in_days: z.int().min(1).max(3650),
});

export async function listTokens(req: Request, ctx: Context): Promise<Response> {
  const tokens = await callAsCaller<Json[]>(req, ctx, (tx) => tx`select public.list_personal_access_tokens() as result`);
  return json({ tokens });
}

export async function createToken(req: Request, ctx: Context): Promise<Response> {
  const body = await readJson(req, createBody);
  const created = await callAsCaller<Json>(req, ctx, (tx) => tx`
    select public.create_personal_access_token(${body.name}, ${body.scopes}::text[], ${body.expires_in_days}::integer) as result`);
  return json(created, { status: 201 });
}

export async function revokeToken(req: Request, ctx: Context, id: string | undefined): Promise<Response> {
  const tokenId = uuidParam(id, "id");
  return json(await callAsCaller<Json>(req, ctx, (tx) => tx`select public.revoke_personal_access_token(${tokenId}::uuid) as result`));
}
