// An invitation's token, which the API answers once: shown here to pass on to the
// invitee (they accept it with POST /me/invitations/accept), never fetched again.
export function InvitationToken({ email, token, onDone }: { email: string; token: string; onDone: () => void }) {
  return (
    <div className="secret" role="region" aria-label={`Invitation token for ${email}`}>
      <p>
        Invitation for <strong>{email}</strong> created. Pass its token on now: it is not shown again.
      </p>
      <div className="row">
        <code className="secret-value" data-testid="invitation-token">
          {token}
        </code>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
