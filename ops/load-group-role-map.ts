// `npm run idp:mapping`: validates OIDC_GROUP_ROLE_MAP and OIDC_GROUP_ROLE_DEFAULTS and
// stores them in the database (replacing what was there, audited), so the signup
// trigger and role sync apply them. Targets SUPABASE_DB_URL, else the local stack.
import postgres from "postgres";
import { ensureDatabase } from "../stack/database.ts";
import { MappingError, parseGroupRoleMap, parseRoleList, toStoredMapping } from "./group-role-map.ts";

async function main(): Promise<void> {
  const mapping = parseGroupRoleMap(process.env.OIDC_GROUP_ROLE_MAP);
  const defaults = parseRoleList(process.env.OIDC_GROUP_ROLE_DEFAULTS);
  const db = await ensureDatabase({ quiet: true });
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select private.replace_group_role_mapping(${sql.json(toStoredMapping(mapping))}, ${defaults}::text[]) as stored`;
    console.log(`stored ${mapping.size} group(s) and ${defaults.length} default role(s):`);
    console.log(JSON.stringify(row.stored, null, 2));
  } finally {
    await sql.end();
  }
}

main().catch((error) => {
  // Parse errors and the database's "is not a platform role" both name what was wrong.
  console.error(`error: ${error instanceof MappingError || error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
