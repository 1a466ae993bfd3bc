// The plans the Plan field offers: GET /plans, the public catalog (smallest first).
// The session's clients (session/api.ts) include no plans client, so this one is built from
// the console's config as they are (the project URL and the publishable key as apikey;
// no token: the route is public).
import { useQuery } from "@tanstack/react-query";
import { createPlansClient } from "../../../../client/index.ts";
import { unwrap } from "../../session/api.ts";
import { loadConfig } from "../../session/config.ts";

export function usePlanNames() {
  return useQuery({
    queryKey: ["plans"],
    queryFn: async () => {
      const config = await loadConfig();
      const plans = createPlansClient({ url: config.url, apikey: config.publishableKey || undefined });
      return unwrap(await plans.GET("/plans")).plans.map((p) => p.plan);
    },
  });
}
