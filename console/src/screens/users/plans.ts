// The plans the Plan field offers: GET /plans, the public catalog (smallest first).
import { useQuery } from "@tanstack/react-query";
import { unwrap } from "../../session/api.ts";
import { useSession } from "../../session/session.tsx";

export function usePlanNames() {
  const { api } = useSession();
  return useQuery({
    queryKey: ["plans"],
    queryFn: async () => unwrap(await api.plans.GET("/plans")).plans.map((p) => p.plan),
  });
}
