// TENANTRY_DB_PORT and TENANTRY_GATEWAY_PORT (issue 10 item 22).
import net from "node:net";
import { describe, expect, it } from "vitest";
import { checkClusterPort } from "../../stack/cluster.ts";
import { AuthService } from "../../stack/auth.ts";
import { startGateway } from "../../stack/gateway.ts";
import { portFrom } from "../../stack/settings.ts";

describe("the cluster's port", () => {
  it("a command whose TENANTRY_DB_PORT differs from the cluster's fails naming both ports and the variable", () => {
    expect(() => checkClusterPort(55322, 54399, { TENANTRY_DB_PORT: "54399" })).toThrow(
      /created on port 55322, but TENANTRY_DB_PORT is 54399.*\n.*TENANTRY_DB_PORT=55322/,
    );
  });

  it("says so when the variable is unset and the cluster was made on another port", () => {
    expect(() => checkClusterPort(55322, 54322, {})).toThrow(/created on port 55322, but TENANTRY_DB_PORT is unset \(default 54322\)/);
  });

  it("passes when the ports agree, or there is no cluster yet", () => {
    expect(() => checkClusterPort(55322, 55322, { TENANTRY_DB_PORT: "55322" })).not.toThrow();
    expect(() => checkClusterPort(undefined, 54322, {})).not.toThrow();
  });

  it("a port variable that is not a port is an error naming it", () => {
    expect(portFrom("TENANTRY_DB_PORT", 54322, {})).toBe(54322);
    expect(portFrom("TENANTRY_DB_PORT", 54322, { TENANTRY_DB_PORT: "55322" })).toBe(55322);
    expect(() => portFrom("TENANTRY_DB_PORT", 54322, { TENANTRY_DB_PORT: "5432x" })).toThrow(/TENANTRY_DB_PORT="5432x" is not a TCP port/);
    expect(() => portFrom("TENANTRY_GATEWAY_PORT", 54321, { TENANTRY_GATEWAY_PORT: "70000" })).toThrow(/TENANTRY_GATEWAY_PORT/);
  });
});

describe("the gateway's port", () => {
  it("EADDRINUSE names TENANTRY_GATEWAY_PORT and the port", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as net.AddressInfo).port;
    // Never queried: the gateway fails before serving anything.
    const auth = new AuthService({ authAdminUrl: "postgresql://nobody@127.0.0.1:1/none", supabaseUrl: `http://127.0.0.1:${port}` });
    try {
      await expect(startGateway([], auth, port)).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port}.*in use.*TENANTRY_GATEWAY_PORT`));
    } finally {
      await auth.close();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
