// Your account (every signed-in user): the profile, platform roles and organizations GET /me returns.
import { useSession } from "../../session/session.tsx";

export function AccountScreen() {
  const { profile, platform_roles, memberships } = useSession().me;
  return (
    <section aria-labelledby="account">
      <h2 id="account">Your account</h2>
      <dl className="facts">
        <dt>Email</dt>
        <dd data-testid="account-email">{profile.email}</dd>
        <dt>Display name</dt>
        <dd>{profile.display_name ?? "—"}</dd>
        <dt>Plan</dt>
        <dd>{profile.plan}</dd>
        <dt>Platform roles</dt>
        <dd>{platform_roles.length ? platform_roles.join(", ") : "none"}</dd>
        <dt>Organizations</dt>
        <dd>{memberships.length ? memberships.map((m) => `${m.name} (${m.role})`).join(", ") : "none"}</dd>
      </dl>
    </section>
  );
}
