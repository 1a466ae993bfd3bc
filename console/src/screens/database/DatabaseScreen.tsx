// Database: not built yet (issue 12 in progress).
export function DatabaseScreen() {
  return (
    <section aria-labelledby="database">
      <h2 id="database">Database</h2>
      <p>Not built yet.</p>
    </section>
  );
}
