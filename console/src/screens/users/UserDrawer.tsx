// One user in the drawer (GET /admin/users/{id}): what they are and may do, and the
// operator's actions on them. Each card is its own component; this one lays them out.
import { ConfirmDialog } from "../../components/ConfirmDialog.tsx";
import { Drawer } from "../../components/Drawer.tsx";
import { useToastOnError } from "../../components/toast.tsx";
import { messageOf } from "../../session/api.ts";
import { ProfileForm } from "./ProfileForm.tsx";
import { PlatformRolesCard } from "./PlatformRolesCard.tsx";
import { useDeleteUser, useUserDetail, type UserDetail } from "./queries.ts";
import { RoleOverridesCard } from "./RoleOverridesCard.tsx";
import { ActivityCard, MembershipsCard, ProvisioningCard, QuotaCard } from "./UserFacts.tsx";
import { DisableButton, StatusBadge } from "./status.tsx";

const emailOf = (user: UserDetail) => user.profile?.email ?? user.auth?.email ?? null;

export function UserDrawer(props: { userId: string | null; onClose: () => void }) {
  const detail = useUserDetail(props.userId);
  useToastOnError(detail.error);
  const user = detail.data;
  const email = user ? emailOf(user) : null;
  const remove = useDeleteUser(props.onClose);
  return (
    <Drawer open={props.userId !== null} onOpenChange={(open) => !open && props.onClose()} title={email ?? "User"} description={props.userId ? `User id ${props.userId}` : undefined}>
      {detail.isPending && <p role="status">Loading…</p>}
      {detail.isError && <p role="alert">Could not load the user: {messageOf(detail.error)}</p>}
      {user && props.userId && (
        <>
          <div className="row">
            <StatusBadge status={user.status} />
            <DisableButton user={{ id: props.userId, email, status: user.status }} />
            <ConfirmDialog
              trigger={
                <button type="button" className="danger outlined" aria-label={`Delete ${email ?? props.userId}`}>
                  Delete
                </button>
              }
              title={`Delete ${email ?? "this user"}?`}
              description="Their memberships and tokens go with them; the audit history stays. This cannot be undone."
              confirmLabel="Delete user"
              onConfirm={() => remove.mutate(props.userId!)}
            />
          </div>
          {user.profile ? <ProfileForm key={props.userId} id={props.userId} profile={user.profile} /> : <p className="hint">Not provisioned yet: no profile to edit.</p>}
          <MembershipsCard user={user} />
          <PlatformRolesCard id={props.userId} email={email} roles={user.platform_roles} />
          {user.profile && <RoleOverridesCard key={`overrides-${props.userId}`} id={props.userId} email={email} />}
          <QuotaCard user={user} />
          <ProvisioningCard user={user} />
          <ActivityCard user={user} userId={props.userId} />
        </>
      )}
    </Drawer>
  );
}
