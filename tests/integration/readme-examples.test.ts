// The README's SQL examples run as written (issue 10, items 20 and 25): every ```sql
// block, in the operator's SQL session (as in the SQL editor), inside a transaction that
// is rolled back, on a database holding the user and organization the examples name.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { connect } from "../helpers/stack.ts";

const sql = connect();
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);

class RolledBack extends Error {}

async function runExample(block: string): Promise<void> {
  try {
    await sql.begin(async (tx) => {
      // What the examples refer to: alice@example.com (signed up as Supabase Auth does) and the acme organization.
      await tx`
        insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data,
                                confirmation_token, recovery_token, email_change_token_new, email_change, created_at, updated_at)
        select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated', 'alice@example.com', '', now(),
               '{"provider":"email","providers":["email"]}', '{}', '', '', '', '', now(), now()
        where not exists (select 1 from auth.users where email = 'alice@example.com')`;
      await tx`insert into public.organizations (slug, name) values ('acme', 'Acme') on conflict do nothing`;
      await tx.unsafe(block);
      throw new RolledBack();
    });
  } catch (error) {
    if (!(error instanceof RolledBack)) throw error;
  }
}

describe("F18 the README", () => {
  it("has SQL examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  it.each(blocks.map((block, i) => [i + 1, block.split("\n")[0], block]))("SQL example %i (%s) runs as written", async (_n, _first, block) => {
    await expect(runExample(block as string)).resolves.toBeUndefined();
  });
});
