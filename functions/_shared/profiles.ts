// A row of public.profiles as the API answers it: the caller's own (GET /me) and, with the
// fields only operators see, a user in full (GET /admin/users/{id}).
import { z } from "zod";
import { JsonObject, NullableTimestamp, Timestamp, Uuid } from "./schemas.ts";

/** The columns both answers carry. */
export const profileColumns = {
  id: Uuid,
  email: z.string().nullable(),
  email_verified: z.boolean(),
  display_name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  company_name: z.string().nullable(),
  timezone: z.string().nullable(),
  onboarding_completed: z.boolean(),
  plan: z.string(),
  identity_provider: z.string(),
  identity_sub: z.string(),
  beta_features: JsonObject,
  last_login_at: NullableTimestamp,
  disabled_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
};

export const Profile = z.object(profileColumns).loose().meta({ id: "Profile" });
