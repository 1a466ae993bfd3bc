// Platform path: a function call through gateway → Deno → credential check → database,
// against the floor of the same database round trip made directly.
import postgres from "postgres";
import { AuthService } from "../stack/auth.ts";
import type { Stack } from "../stack/stack.ts";
import { percentile, round, sample } from "./stats.ts";

export async function platformBench(stack: Stack): Promise<Record<string, number>> {
  const sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
  const auth = new AuthService({ authAdminUrl: stack.db.authAdminUrl, supabaseUrl: stack.url });
  try {
    const { accessToken } = await auth.tokenFor("bench-health@example.test");
    const floor = await sample(300, () => sql`select current_user, current_setting('server_version')`);
    const health = await sample(300, async () => {
      const res = await fetch(`${stack.url}/functions/v1/health`, { headers: { authorization: `Bearer ${accessToken}` } });
      await res.arrayBuffer();
    });
    const mint = await sample(50, () => auth.tokenFor("bench-health@example.test"), 5);
    return {
      health_p50_ms: round(percentile(health, 50)),
      health_p95_ms: round(percentile(health, 95)),
      db_roundtrip_floor_p50_ms: round(percentile(floor, 50)),
      health_vs_floor_ratio: round(percentile(health, 50) / percentile(floor, 50), 1),
      token_mint_p50_ms: round(percentile(mint, 50)),
    };
  } finally {
    await auth.close();
    await sql.end();
  }
}
