// What the admin and self-service APIs share about organizations: their shape, the
// input that creates one, and the call. Slugs and names are checked in SQL (normalised
// there, 422 naming the field; a taken one is a 409 naming it), for RPC callers too.
import { z } from "zod";
import type { Context } from "./http.ts";
import { callAsCaller } from "./rpc.ts";
import { Timestamp, Uuid } from "./schemas.ts";

export const Organization = z
  .object({
    id: Uuid,
    slug: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    plan: z.string(),
    is_default: z.boolean(),
    is_personal: z.boolean(),
    created_by: Uuid.nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Organization" });

export const OrganizationName = z.string().trim().min(1).max(100).meta({ description: "unique, case-insensitively" });
export const OrganizationSlug = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .meta({ description: "unique; normalised (lower case, spaces, dots and underscores to hyphens) to 1–48 letters, digits and inner hyphens", example: "acme" });

export const CreateOrganizationBody = z
  .strictObject({
    name: OrganizationName,
    slug: OrganizationSlug.optional().meta({ description: "derived from the name when left out" }),
    description: z.string().max(1000).nullable().optional(),
  })
  .meta({ id: "CreateOrganizationInput" });

/** The caller creates it and becomes its owner (orgs:create; quota orgs_per_user). */
export const createOrganization = (body: z.output<typeof CreateOrganizationBody>, ctx: Context, req: Request) =>
  callAsCaller(req, ctx, (tx) => tx`select public.create_organization(${body.name}, ${body.slug ?? null}, ${body.description ?? null}) as result`);
