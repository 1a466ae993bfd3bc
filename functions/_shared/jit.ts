// Just-in-time provisioning (SPEC F2): before a third-party user's request is served,
// their profile, organization, membership and roles are created or refreshed from the
// verified token (plus UserInfo when the token is sparse), in one SQL transaction.
import type { Caller } from "./auth.ts";
import type { FunctionConfig } from "./config.ts";
import { withIdentity, type Sql } from "./db.ts";
import { ApiError } from "./errors.ts";
import { enrichFromUserInfo } from "./identity-providers.ts";

const SYSTEM = { role: "service_role" as const, claims: { role: "service_role" } };

export interface ProvisionResult {
  profile_id: string;
  created: boolean;
  organization_id: string | null;
  role: string | null;
  disabled: boolean;
}

export async function provisionThirdParty(sql: Sql, caller: Caller, config: FunctionConfig): Promise<ProvisionResult> {
  if (caller.mode !== "third_party" || !caller.provider || !caller.token) {
    throw new Error("provisionThirdParty needs a verified third-party caller");
  }
  const claims = await enrichFromUserInfo(caller.token, caller.claims, caller.provider, config.userinfoEndpoint);
  // Runs as service_role: the claims were verified above, and jit_provision trusts only them.
  const [row] = await withIdentity(sql, SYSTEM, (tx) => tx<{ result: ProvisionResult }[]>`select private.jit_provision(${tx.json(claims as never)}) as result`);
  if (row.result.disabled) throw new ApiError(403, "account_disabled", "this account is disabled");
  return row.result;
}
