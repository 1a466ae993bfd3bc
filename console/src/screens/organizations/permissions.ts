// What the signed-in user may do in one organization: a platform permission, or one their
// role in that organization holds (GET /me). Hiding a control is only courtesy; the API
// checks the same and refuses the rest (shown in the toast).
import { useSession } from "../../session/session.tsx";

export type OrgPermission = "org:update" | "org:delete" | "members:read" | "members:manage";

export function useOrgCan(organizationId: string): (permission: OrgPermission) => boolean {
  const { can, me } = useSession();
  const membership = me.memberships.find((m) => m.organization_id === organizationId);
  return (permission) => can(permission) || Boolean(membership?.permissions.includes(permission));
}
