// GET /me: the caller's profile, memberships, roles, permissions and flags.
// PATCH /me: the caller edits their own editable profile fields (public.update_my_profile).
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import { notFound } from "../_shared/errors.ts";
import { callAsCaller } from "../_shared/rpc.ts";
import { Profile } from "../_shared/profiles.ts";
import { JsonObject, Uuid } from "../_shared/schemas.ts";

export const Me = z
  .object({
    profile: Profile,
    memberships: z.array(z.object({ organization_id: Uuid, slug: z.string(), name: z.string(), role: z.string(), permissions: z.array(z.string()) })),
    platform_roles: z.array(z.string()),
    platform_permissions: z.array(z.string()),
    account_permissions: z.array(z.string()),
    token: z.object({ id: Uuid, scopes: z.array(z.string()) }).nullable().meta({ description: "set when the caller is a personal access token" }),
    flags: JsonObject,
  })
  .meta({ id: "Me" });

/**
 * A profile column the caller may not set, named in the document as a property that must
 * be absent (`not: {}`) and refused with 422 saying why: the columns of public.profiles
 * beyond the editable ones (update_my_profile refuses the same, for supabase-js callers).
 */
const protectedField = (why: string) =>
  z
    .unknown()
    .refine(() => false, { message: `is protected: ${why}` })
    .optional()
    .meta({ description: `protected: ${why}; sending it is refused (422)`, not: {} });

const byAdmin = "only an administrator changes it";
const fromIdentity = "it comes from your identity provider";
const maintained = "Tenantry maintains it";

export const PROTECTED_PROFILE_FIELDS = {
  id: protectedField(maintained),
  auth_user_id: protectedField(fromIdentity),
  identity_provider: protectedField(fromIdentity),
  identity_sub: protectedField(fromIdentity),
  email: protectedField(`${fromIdentity} (change it through Supabase Auth)`),
  email_verified: protectedField(fromIdentity),
  plan: protectedField(byAdmin),
  disabled_at: protectedField(byAdmin),
  beta_features: protectedField("feature flag managers change it (flags:manage)"),
  last_login_at: protectedField(maintained),
  provisioned_at: protectedField(maintained),
  created_at: protectedField(maintained),
  updated_at: protectedField(maintained),
};

const nullableText = (max: number, description: string) => z.string().max(max).nullable().optional().meta({ description });

const EDITABLE_PROFILE_FIELDS = ["display_name", "avatar_url", "company_name", "timezone", "onboarding_completed"] as const;

const ProfileChanges = z
  .strictObject({
    display_name: nullableText(200, "your name as others see it; null clears it"),
    avatar_url: nullableText(2048, "an absolute http(s) URL; null clears it"),
    company_name: nullableText(200, "null clears it"),
    timezone: nullableText(64, "an IANA time zone PostgreSQL knows (pg_timezone_names), e.g. Europe/Paris; null clears it"),
    onboarding_completed: z.boolean().optional(),
    ...PROTECTED_PROFILE_FIELDS,
  } satisfies Record<(typeof EDITABLE_PROFILE_FIELDS)[number], z.ZodType> & typeof PROTECTED_PROFILE_FIELDS)
  .refine((changes) => Object.keys(changes).length > 0, { message: "give at least one field to change" })
  .meta({ id: "ProfileChanges", description: "The fields to change; fields left out keep their value. Names, URLs and time zones are checked as stored profiles are (invisible and bidi control characters are refused)." });

const tags = ["me"];

export const profileEndpoints = [
  endpoint({
    method: "get", path: "/me", tags, summary: "Who I am",
    description: "Profile, memberships with their permissions, platform roles, effective permissions and flags. A third-party user's first call provisions them.",
    errors: [404],
    response: { description: "the caller's account", schema: Me },
    handler: async (_input, ctx, req) => {
      const result = await callAsCaller(req, ctx, (tx) => tx<{ result: z.input<typeof Me> | null }[]>`select public.me() as result`);
      if (!result) throw notFound("no profile for this user yet: sign in again or call ensure_provisioned");
      return result;
    },
  }),
  endpoint({
    method: "patch", path: "/me", tags, summary: "Edit my profile",
    description: "Changes the caller's editable fields (display_name, avatar_url, company_name, timezone, onboarding_completed); protected fields (email, plan, identity, disabled state, ...) are refused with 422 naming each. Needs profile:write (every user holds it; a personal access token needs the scope). Audited.",
    body: ProfileChanges, errors: [400, 413], example: { display_name: "Ada Lovelace", timezone: "Europe/London" },
    response: { description: "the updated profile", schema: Profile },
    handler: ({ body }, ctx, req) => {
      // Only editable fields get past the schema; passed on as given (null included) for SQL to check and store.
      const changes: Record<string, string | boolean | null> = {};
      for (const field of EDITABLE_PROFILE_FIELDS) if (body[field] !== undefined) changes[field] = body[field];
      return callAsCaller(req, ctx, (tx) => tx`select public.update_my_profile(${tx.json(changes)}) as result`);
    },
  }),
];
