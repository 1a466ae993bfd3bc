// Audit: not built yet (issue 12 in progress).
export function AuditScreen() {
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit</h2>
      <p>Not built yet.</p>
    </section>
  );
}
