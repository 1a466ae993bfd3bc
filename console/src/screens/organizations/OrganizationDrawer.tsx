// One organization in the drawer (GET /admin/orgs/{id}): its details, the edit form,
// members, invitations and deletion, each shown only to a user who may use it.
import { useQuery } from "@tanstack/react-query";
import { Drawer } from "../../components/Drawer.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";
import { DeleteOrganization } from "./DeleteOrganization.tsx";
import { EditOrganizationForm } from "./EditOrganizationForm.tsx";
import { InvitationsCard } from "./InvitationsCard.tsx";
import { MembersCard } from "./MembersCard.tsx";
import { useOrgCan } from "./permissions.ts";

export const detailKey = (id: string) => ["admin", "orgs", "detail", id] as const;

export function OrganizationDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { api } = useSession();
  const may = useOrgCan(id);
  const detail = useQuery({
    queryKey: detailKey(id),
    queryFn: async () => unwrap(await api.admin.GET("/admin/orgs/{id}", { params: { path: { id } } })),
  });
  useToastOnError(detail.error);
  const org = detail.data?.organization;

  return (
    <Drawer open onOpenChange={(open) => !open && onClose()} title={org?.name ?? "Organization"}>
      {detail.isPending && <p role="status">Loading…</p>}
      {detail.isError && <p role="alert">Could not load the organization: {detail.error.message}</p>}
      {detail.data && org && (
        <>
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
                <Usage usage={detail.data.quota_usage.members_per_org} fallback={detail.data.members.length} />
              </dd>
              <dt>Created</dt>
              <dd>{new Date(org.created_at).toLocaleString()}</dd>
            </dl>
          </section>
          {may("org:update") && <EditOrganizationForm organization={org} />}
          <MembersCard organization={org} members={detail.data.members} />
          {may("members:manage") && <InvitationsCard organization={org} />}
          <DeleteOrganization organization={org} onDeleted={onClose} />
        </>
      )}
    </Drawer>
  );
}

/** "3 of 25" from the quota usage ({used, max}); the member list's length when there is none. */
function Usage({ usage, fallback }: { usage: unknown; fallback: number }) {
  const { used, max } = (usage ?? {}) as { used?: number; max?: number | null };
  if (typeof used !== "number") return <>{fallback}</>;
  return <>{typeof max === "number" ? `${used} of ${max}` : used}</>;
}
