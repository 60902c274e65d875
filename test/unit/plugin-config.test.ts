// The plugin's configuration (plugin/config.ts): the Configure request first, PULUMI_CONFIG behind it, and the two
// connection settings (`connectionString`, `endpoint`) taken together from the Configure request when it names
// either, so an explicit provider's `endpoint` never meets the stack's `connectionString` from PULUMI_CONFIG.
import { afterEach, describe, expect, it } from "vitest";
import { pluginConfig, recordConfigure } from "../../plugin/config";
import { resolveConnection } from "../../provider/connection";

const CS = "endpoint=https://stack.communication.azure.com/;accesskey=c2VjcmV0a2V5MTIzNDU2Nzg5MA==";
const before = process.env["PULUMI_CONFIG"];
const sources = { config: (k: string) => pluginConfig.get(k), env: () => undefined };

afterEach(() => {
  recordConfigure([]);
  if (before === undefined) delete process.env["PULUMI_CONFIG"];
  else process.env["PULUMI_CONFIG"] = before;
});

describe("plugin configuration", () => {
  it("the default provider: the stack's keys from PULUMI_CONFIG, bare", () => {
    process.env["PULUMI_CONFIG"] = JSON.stringify({ endpoint: "https://stack.communication.azure.com" });
    recordConfigure([]);
    expect(pluginConfig.get("jobrouter:endpoint")).toBe("https://stack.communication.azure.com");
    expect(resolveConnection(undefined, sources)).toMatchObject({ via: "endpointConfig", auth: "entraId" });
  });

  it("an explicit provider with `endpoint` alone: Entra ID, the stack's connection string not mixed in", () => {
    process.env["PULUMI_CONFIG"] = JSON.stringify({ connectionString: CS });
    recordConfigure([["jobrouter:config:endpoint", "https://eu.communication.azure.com"]]);
    expect(pluginConfig.get("jobrouter:connectionString")).toBeUndefined();
    expect(resolveConnection(undefined, sources)).toEqual({
      via: "endpointConfig",
      auth: "entraId",
      endpoint: "https://eu.communication.azure.com",
    });
  });

  it("an explicit provider with both: refused as ambiguous", () => {
    recordConfigure([
      ["jobrouter:config:endpoint", "https://eu.communication.azure.com"],
      ["jobrouter:config:connectionString", CS],
    ]);
    expect(() => resolveConnection(undefined, sources)).toThrow(/sets both `jobrouter:connectionString` and/);
  });

  it("a Configure request without connection settings leaves both to PULUMI_CONFIG", () => {
    process.env["PULUMI_CONFIG"] = JSON.stringify({ connectionString: CS });
    recordConfigure([["jobrouter:config:requestTimeout", "30"]]);
    expect(pluginConfig.get("jobrouter:connectionString")).toBe(CS);
    expect(resolveConnection(undefined, sources)).toMatchObject({ via: "config", auth: "accessKey" });
  });
});
