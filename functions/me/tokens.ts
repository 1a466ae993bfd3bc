// /me/tokens (SPEC F10, F14): list, create and revoke the caller's personal access
// tokens. The secret appears once, in the answer to POST.
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { IdParams, Name, NullableTimestamp, Timestamp, Uuid } from "../_shared/schemas.ts";

export const TokenMetadata = z
  .object({
    id: Uuid,
    name: z.string(),
    prefix: z.string().meta({ description: "the first characters of the secret, to recognise it" }),
    scopes: z.array(z.string()),
    created_at: Timestamp,
    last_used_at: NullableTimestamp,
    expires_at: Timestamp,
  })
  .meta({ id: "TokenMetadata" });

const CreatedToken = TokenMetadata.extend({ token: z.string().meta({ description: "the secret, shown this once" }) }).loose().meta({ id: "CreatedToken" });

const CreateTokenBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(Name).min(1).max(50).meta({ description: "permissions the token may use; each must be one you hold" }),
    expires_in_days: z.int().min(1).max(3650),
  })
  .meta({ id: "CreateTokenInput" });

const tags = ["my tokens"];

export const tokenEndpoints = [
  endpoint({
    method: "get", path: "/me/tokens", tags, summary: "My personal access tokens", description: "Active tokens, metadata only (tokens:read).",
    response: { description: "the caller's active tokens, newest first", schema: z.object({ tokens: z.array(TokenMetadata) }) },
    handler: async (_input, ctx, req) => ({ tokens: await callAsCaller(req, ctx, (tx) => tx`select public.list_personal_access_tokens() as result`) }),
  }),
  endpoint({
    method: "post", path: "/me/tokens", tags, summary: "Create a personal access token", description: "tokens:manage; the scopes are limited to what the caller holds. Audited.",
    body: CreateTokenBody, errors: [400, 413], example: { name: "ci", scopes: ["org:read"], expires_in_days: 30 },
    response: { status: 201, description: "the token, with its secret (never shown again)", schema: CreatedToken },
    handler: ({ body }, ctx, req) =>
      callAsCaller(req, ctx, (tx) => tx`
        select public.create_personal_access_token(${body.name}, ${body.scopes}::text[], ${body.expires_in_days}::integer) as result`),
  }),
  endpoint({
    method: "delete", path: "/me/tokens/{id}", tags, summary: "Revoke a personal access token",
    description: "tokens:manage. Audited. Another user's token is refused exactly like an unknown id (403); with users:admin, any token may be revoked and an unknown id is 404.",
    params: IdParams, errors: [404, 409],
    response: { description: "the revoked token", schema: z.object({ id: Uuid }).loose() },
    handler: ({ params }, ctx, req) => callAsCaller(req, ctx, (tx) => tx`select public.revoke_personal_access_token(${params.id}::uuid) as result`),
  }),
];
