// An invitation's token, which the API answers once: shown to pass on to the invitee (they
// accept it with POST /me/invitations/accept), never fetched again. Both ways of inviting
// (the members card's email, the invitations card) show it so.
import { SecretOnce } from "../../components/SecretOnce.tsx";

export interface Invited {
  email: string;
  token: string;
}

export function InvitationToken({ email, token, onDone }: Invited & { onDone: () => void }) {
  return (
    <SecretOnce label={`Invitation token for ${email}`} secret={token} testId="invitation-token" copyLabel="Copy token" onDone={onDone}>
      Invitation for <strong>{email}</strong> created. Pass its token on now: it is not shown again.
    </SecretOnce>
  );
}
