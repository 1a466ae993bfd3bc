// `npm run admin:grant -- <email>`: makes the user with that email a platform admin,
// the documented way to get the first admin. Runs as the operator (a plain SQL session
// of the database owner) against SUPABASE_DB_URL, else the local stack, through the
// same RPC an admin would call, so the grant is audited (actor `operator`).
import postgres from "postgres";
import { ensureDatabase } from "../stack/database.ts";

const USAGE = "usage: npm run admin:grant -- <email> [role]   (role: admin, auditor or reader; default admin)";

async function main(): Promise<void> {
  const [email, role = "admin"] = process.argv.slice(2);
  if (!email || !email.includes("@")) throw new Error(USAGE);
  const db = await ensureDatabase({ quiet: true });
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const users = await sql<{ id: string; email_verified: boolean }[]>`
      select id, email_verified from public.profiles where lower(email) = lower(${email.trim()}) and disabled_at is null`;
    if (users.length === 0) {
      throw new Error(`no active user with email ${email}: sign in once first (npm run token -- ${email} locally)`);
    }
    if (users.length > 1) {
      throw new Error(`${users.length} users have the email ${email}; grant by id in SQL: select public.grant_platform_role('<user id>', '${role}');`);
    }
    const [row] = await sql`select public.grant_platform_role(${users[0].id}::uuid, ${role}) as granted`;
    console.log(`granted platform role ${role} to ${email} (${users[0].id}); audited as platform_role.grant by the operator`);
    console.log(JSON.stringify(row.granted, null, 2));
  } finally {
    await sql.end();
  }
}

main().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
