// A fingerprint of a database's contents, to prove a test run left the developer's
// database exactly as it was: every table of every non-system schema with its row
// count and, up to a size, a digest of its rows. Read-only.
import postgres from "postgres";

const MAX_DIGEST_ROWS = 50_000;

export async function databaseFingerprint(superuserUrl: string): Promise<Map<string, string>> {
  const sql = postgres(superuserUrl, { max: 1, onnotice: () => {} });
  try {
    const tables = await sql<{ name: string }[]>`
      select format('%I.%I', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p')
        and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
        and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'
      order by 1`;
    const fingerprint = new Map<string, string>();
    for (const { name } of tables) {
      const [{ rows }] = await sql.unsafe(`select count(*)::bigint as rows from ${name}`);
      let digest = "";
      if (Number(rows) <= MAX_DIGEST_ROWS) {
        const [row] = await sql.unsafe(`select md5(coalesce(string_agg(md5(t::text), '' order by md5(t::text)), '')) as digest from ${name} t`);
        digest = row.digest as string;
      }
      fingerprint.set(name, `${rows} rows ${digest}`.trim());
    }
    return fingerprint;
  } finally {
    await sql.end();
  }
}

/** What differs between two fingerprints, one line per table; empty when identical. */
export function fingerprintChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(name);
    const b = after.get(name);
    if (a === b) continue;
    if (a === undefined) changes.push(`${name}: created (${b})`);
    else if (b === undefined) changes.push(`${name}: dropped`);
    else changes.push(`${name}: ${a} → ${b}`);
  }
  return changes;
}
