// GET /admin/metrics (SPEC F16): Prometheus text exposition, computed from the database
// (public.metrics()), never from in-process counters: an isolate is short-lived and
// there are many. Callers: users:admin (checked in SQL), or a scraper with the
// METRICS_TOKEN bearer, whose request runs as service_role (the RPC gate lets the
// service role through where the contract allows the operator; nothing else accepts it).
import { z } from "zod";
import { endpoint } from "../_shared/api.ts";
import type { Context } from "../_shared/http.ts";
import { callAsCaller } from "../_shared/rpc.ts";

interface MetricsRow {
  users: { provider: string; status: string; users: number; signed_in_24h: number }[];
  users_age_seconds: number;
  provisioning_failures: number;
  active_tokens: number;
  invitations_pending: number;
  audit_events: { action: string; outcome: string; events: number }[];
  audit_rollup: { last_id: number; advanced_at: string; head_id: number | null };
}

/** Label values: backslash, double quote and line feed escaped (text format 0.0.4). */
const labelValue = (value: string) => value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");

class Exposition {
  private lines: string[] = [];

  metric(name: string, type: "gauge" | "counter", help: string, samples: [Record<string, string>, number][]): this {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const rendered = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`).join(",");
      this.lines.push(`${name}${rendered ? `{${rendered}}` : ""} ${value}`);
    }
    return this;
  }

  toString(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

export function renderMetrics(m: MetricsRow, scrapeSeconds: number): string {
  const signedIn = new Map<string, number>();
  for (const u of m.users) signedIn.set(u.provider, (signedIn.get(u.provider) ?? 0) + u.signed_in_24h);
  const denials = m.audit_events.filter((e) => e.outcome === "denied");
  return new Exposition()
    .metric("tenantry_users", "gauge", "Users (profiles) by identity provider (supabase or the issuer) and status (active, disabled, unprovisioned).",
      m.users.map((u) => [{ provider: u.provider, status: u.status }, u.users]))
    .metric("tenantry_sign_ins_24h", "gauge", "Users who signed in within the last 24 hours, by identity provider.",
      [...signedIn].map(([provider, n]) => [{ provider }, n]))
    .metric("tenantry_users_age_seconds", "gauge", "How old the two user gauges above are (recomputed by a scrape when older than 30 s: a pass over every profile).",
      [[{}, Math.round(m.users_age_seconds * 1000) / 1000]])
    .metric("tenantry_provisioning_failures", "gauge", "Supabase Auth users whose provisioning failed and is not repaired yet.",
      [[{}, m.provisioning_failures]])
    .metric("tenantry_personal_access_tokens_active", "gauge", "Personal access tokens neither revoked nor expired.", [[{}, m.active_tokens]])
    .metric("tenantry_invitations_pending", "gauge", "Invitations neither accepted, revoked nor expired.", [[{}, m.invitations_pending]])
    .metric("tenantry_audit_events_total", "counter", "Audit events written, by action and outcome (monotonic: retention does not lower it).",
      m.audit_events.map((e) => [{ action: e.action, outcome: e.outcome }, e.events]))
    .metric("tenantry_denials_total", "counter",
      "Denied privileged actions recorded in the audit log, by action (beyond the per-actor limit per minute denials are only counted, not logged).",
      denials.map((e) => [{ action: e.action }, e.events]))
    .metric("tenantry_audit_rollup_last_id", "gauge", "The newest audit event id the counters include.", [[{}, m.audit_rollup.last_id]])
    .metric("tenantry_audit_head_id", "gauge", "The newest audit event id in the chain.", [[{}, m.audit_rollup.head_id ?? 0]])
    .metric("tenantry_metrics_query_seconds", "gauge", "How long the database took to compute this scrape.", [[{}, scrapeSeconds]])
    .toString();
}

/** A METRICS_TOKEN scraper is nobody to SQL until here: this endpoint alone runs it as the service role. */
function scraperContext(ctx: Context): Context {
  if (ctx.caller.mode !== "metrics") return ctx;
  return { ...ctx, caller: { ...ctx.caller, role: "service_role", claims: { role: "service_role" } } };
}

export const metricsEndpoints = [
  endpoint({
    method: "get", path: "/admin/metrics", tags: ["metrics"], summary: "Prometheus metrics",
    description:
      "Text exposition format 0.0.4. Needs users:admin (a personal access token: the users:admin scope), or the METRICS_TOKEN secret as a " +
      "bearer token (Prometheus `authorization: {credentials: ...}`). Users by provider and status, sign-ins in the last 24 h, provisioning " +
      "failures, active tokens, pending invitations, audit events and denials by action. A refusal is audited.",
    response: { description: "the metrics", schema: z.string(), media: "text/plain" },
    handler: async (_input, ctx, req) => {
      const started = performance.now();
      const row = await callAsCaller<MetricsRow>(req, scraperContext(ctx), (tx) => tx`select public.metrics() as result`);
      const seconds = Math.round(performance.now() - started) / 1000;
      return new Response(renderMetrics(row, seconds), {
        status: 200,
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
      });
    },
  }),
];
