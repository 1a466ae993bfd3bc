// `npm run idp:mapping`: validates OIDC_GROUP_ROLE_MAP and OIDC_GROUP_ROLE_DEFAULTS and
// stores them in the database (replacing what was there, audited), so the signup
// trigger and role sync apply them. Targets SUPABASE_DB_URL, else the local stack.
// With both variables unset it refuses (that would wipe the mapping) unless given
// `--clear`, which stores the empty mapping on purpose.
import postgres from "postgres";
import { fileURLToPath } from "node:url";
import { ensureDatabase } from "../stack/database.ts";
import { MappingError, mappingLoad, RefusedLoad, toStoredMapping, type MappingLoad } from "./group-role-map.ts";

/** Stores the load through private.replace_group_role_mapping(); returns what it stored. */
export async function storeMapping(sql: postgres.Sql | postgres.TransactionSql, load: MappingLoad): Promise<unknown> {
  const [row] = await sql`select private.replace_group_role_mapping(${sql.json(toStoredMapping(load.mapping))}, ${load.defaults}::text[]) as stored`;
  return row.stored;
}

async function main(): Promise<void> {
  // Decided (and refused) before the database is touched.
  const load = mappingLoad(process.env, process.argv.slice(2));
  const db = await ensureDatabase({ quiet: true });
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const stored = await storeMapping(sql, load);
    console.log(
      load.clear
        ? "cleared the group → role mapping (0 groups, 0 default roles):"
        : `stored ${load.mapping.size} group(s) and ${load.defaults.length} default role(s):`,
    );
    console.log(JSON.stringify(stored, null, 2));
  } finally {
    await sql.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    // Parse errors, refusals and the database's "is not a platform role" all name what was wrong.
    console.error(`error: ${error instanceof MappingError || error instanceof RefusedLoad || error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
