// One organization in the drawer (GET /admin/orgs/{id}): its details, the edit form,
// members, invitations and deletion, each shown only to a user who may use it.
import { useQuery } from "@tanstack/react-query";
import type { components } from "../../../../client/types/admin.ts";
import { Drawer } from "../../components/Drawer.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf, unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { DeleteOrganization } from "./DeleteOrganization.tsx";
import { EditOrganizationForm } from "./EditOrganizationForm.tsx";
import { InvitationsCard } from "./InvitationsCard.tsx";
import { MembersCard } from "./MembersCard.tsx";
import { orgKeys } from "./keys.ts";
import { useOrgCan } from "./permissions.ts";
import { When } from "../../components/When.tsx";

type QuotaUse = components["schemas"]["OrganizationQuotaUsage"]["members_per_org"];

export function OrganizationDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { api } = useSession();
  const may = useOrgCan(id);
  const detail = useQuery({
    queryKey: orgKeys.detail(id),
    queryFn: async () => unwrap(await api.admin.GET("/admin/orgs/{id}", { params: { path: { id } } })),
  });
  useToastOnError(detail.error);
  const org = detail.data?.organization;

  return (
    <Drawer open onOpenChange={(open) => !open && onClose()} title={org?.name ?? "Organization"}>
      {detail.isPending && <p role="status">Loading…</p>}
      {detail.isError && <p role="alert">Could not load the organization: {messageOf(detail.error)}</p>}
      {detail.data && org && (
        // The drawer is portalled out of the screen: its styles are scoped to this root.
        <div className="org-drawer">
          <section className="card" aria-labelledby="org-details">
            <h3 id="org-details">Details</h3>
            <dl className="facts">
              <dt>Slug</dt>
              <dd data-testid="org-slug">{org.slug}</dd>
              <dt>Description</dt>
              <dd>{org.description ?? "—"}</dd>
              <dt>Plan</dt>
              <dd>{org.plan}</dd>
              <dt>Kind</dt>
              <dd>{org.is_default ? "the default organization" : org.is_personal ? "personal" : "team"}</dd>
              <dt>Members</dt>
              <dd>
                <Usage usage={detail.data.quota_usage.members_per_org} />
              </dd>
              <dt>Created</dt>
              <dd><When value={org.created_at} /></dd>
            </dl>
          </section>
          {may("org:update") && <EditOrganizationForm organization={org} />}
          <MembersCard organization={org} members={detail.data.members} />
          {may("members:manage") && <InvitationsCard organization={org} />}
          <DeleteOrganization organization={org} onDeleted={onClose} />
        </div>
      )}
    </Drawer>
  );
}

/** "3 of 25" from the quota usage; just the count where there is no limit (the default organization). */
function Usage({ usage }: { usage: QuotaUse }) {
  return <>{usage.max === null ? usage.used : `${usage.used} of ${usage.max}`}</>;
}
