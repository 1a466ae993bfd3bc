// Organizations: not built yet (issue 12 in progress).
export function OrganizationsScreen() {
  return (
    <section aria-labelledby="organizations">
      <h2 id="organizations">Organizations</h2>
      <p>Not built yet.</p>
    </section>
  );
}
