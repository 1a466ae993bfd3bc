// /functions/v1/me — the caller's own account: profile (GET and PATCH /me),
// invitations, organizations they create or leave, and personal access tokens
// (/me/tokens). A third-party user's first request here is what provisions them (SPEC F2).
import { createApi } from "../_shared/api.ts";
import { invitationEndpoints } from "./invitations.ts";
import { organizationEndpoints } from "./organizations.ts";
import { profileEndpoints } from "./profile.ts";
import { tokenEndpoints } from "./tokens.ts";

export const meApi = createApi({
  title: "Tenantry self-service API",
  description: "The signed-in caller's own account: profile, organizations, invitations and personal access tokens.",
  documentPath: "/me/openapi.json",
  endpoints: [...profileEndpoints, ...invitationEndpoints, ...organizationEndpoints, ...tokenEndpoints],
});

export const me = meApi.handler;
