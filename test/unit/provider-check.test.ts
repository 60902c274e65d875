import { describe, expect, it } from "vitest";
import { checkInputs, pathSegments, touchesUnknown } from "../../provider/check";
import { JobRouterError } from "../../provider/client/errors";
import {
  AMBIGUOUS_CONFIG_MESSAGE,
  HOW_TO_CONNECT,
  connectionIdentity,
  connectionInputProblems,
  describeSource,
  resolveConnection,
  type ConnectionSources,
} from "../../provider/connection";
import { credentialRefusal, refreshFix } from "../../provider/connectionCheck";
import { connectionHint } from "../../provider/messages";
import { diffInputs } from "../../provider/diff";
import { UNKNOWN } from "../../provider/json";

const CS = "endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0a2V5MTIzNDU2Nzg5MA==";
const KEY = "c2VjcmV0a2V5MTIzNDU2Nzg5MA==";
const none: ConnectionSources = { config: () => undefined, env: () => undefined };
const viaConfig: ConnectionSources = {
  config: (k) => (k === "jobrouter:connectionString" ? CS : undefined),
  env: () => undefined,
};

describe("checkInputs", () => {
  it("returns canonical inputs for a valid body (a JSON body from the docs as it is)", () => {
    const out = checkInputs(
      "distributionPolicies",
      {
        distributionPolicyId: "dp",
        name: "x",
        offerExpiresAfterSeconds: 60,
        mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 5, bypassSelectors: false },
      },
      viaConfig,
    );
    expect(out.failures).toEqual([]);
    // The defaults the program wrote stay in the inputs (the engine displays the inputs' difference, so a later
    // change of one shows as a change); comparisons ignore them (see the next test).
    expect(out.inputs).toEqual({
      distributionPolicyId: "dp",
      name: "x",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 5, bypassSelectors: false },
      // The connection in use, from the stack config here: its endpoint and a fingerprint of the key.
      connectedTo: connectionIdentity(resolveConnection(undefined, viaConfig)),
    });
    expect(out.inputs["connectedTo"]).toMatch(
      /^https:\/\/contoso\.communication\.azure\.com\/? \(access key [0-9a-f]{12}\)$/,
    );
    expect(JSON.stringify(out.inputs)).not.toContain(KEY);
  });

  it("a written default and a left-out one are the same to diff; a changed one is a change", () => {
    const mode = (m: Record<string, unknown>) =>
      checkInputs(
        "distributionPolicies",
        { distributionPolicyId: "dp", mode: { kind: "longestIdle", ...m } },
        viaConfig,
      ).inputs;
    expect(diffInputs("distributionPolicies", "dp", mode({}), mode({ maxConcurrentOffers: 1 }))).toEqual({
      changes: false,
    });
    expect(diffInputs("distributionPolicies", "dp", mode({ maxConcurrentOffers: 1 }), mode({}))).toEqual({
      changes: false,
    });
    expect(
      diffInputs("distributionPolicies", "dp", mode({ maxConcurrentOffers: 1 }), mode({ maxConcurrentOffers: 2 })),
    ).toEqual({});
  });

  it("names the path and the rule; never puts a value-bearing property name in the failure", () => {
    const out = checkInputs(
      "distributionPolicies",
      { distributionPolicyId: "dp", mode: { kind: "bestWorker", minConcurrentOffers: 3, maxConcurrentOffers: 2 } },
      viaConfig,
    );
    expect(out.failures).toEqual([
      { property: "", reason: "mode.maxConcurrentOffers: must be >= minConcurrentOffers (3) (got 2) [rule: range]" },
    ]);
  });

  it("reports typos in field names (the service would drop them silently)", () => {
    const out = checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", lables: { a: 1 } }, viaConfig);
    expect(out.failures.map((f) => f.reason)).toEqual([
      expect.stringMatching(/^lables: is not a property.*\[rule: unknownProperty\]$/),
    ]);
  });

  it("skips everything that is not known yet (preview), and nothing inside it", () => {
    const out = checkInputs(
      "exceptionPolicies",
      {
        exceptionPolicyId: UNKNOWN,
        exceptionRules: [
          { id: UNKNOWN, trigger: { kind: "queueLength", threshold: UNKNOWN }, actions: UNKNOWN },
          { id: "r2", trigger: UNKNOWN, actions: [{ kind: "cancel", note: 5 }] },
        ],
      },
      viaConfig,
    );
    // The one real error is still found.
    expect(out.failures.map((f) => f.reason)).toEqual([
      "exceptionRules[1].actions[0].note: must be a string (got a number) [rule: type]",
    ]);
    expect(out.inputs["exceptionPolicyId"]).toBe(UNKNOWN);
  });

  it("requires a connection from one of the three routes and says all three", () => {
    const out = checkInputs("queues", { queueId: "q", distributionPolicyId: "dp" }, none);
    expect(out.failures).toHaveLength(1);
    const reason = out.failures[0]?.reason ?? "";
    expect(reason).toContain("connection");
    expect(reason).toContain("jobrouter:connectionString");
    expect(reason).toContain("JOBROUTER_CONNECTION_STRING");
    expect(checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", connection: CS }, none).failures).toEqual(
      [],
    );
    expect(
      checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", connection: UNKNOWN }, none).failures,
    ).toEqual([]);
  });

  it("never echoes the connection string or key in a failure", () => {
    const bad = "endpoint=https://contoso.communication.azure.com/;accesskey=not base64!!;extra=1";
    const out = checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", connection: bad }, none);
    expect(out.failures).toHaveLength(1);
    expect(out.failures[0]?.reason).not.toContain("not base64");
    const obj = checkInputs(
      "queues",
      { queueId: "q", distributionPolicyId: "dp", connection: { endpoint: "ftp://x", accessKey: "%%%" } },
      none,
    );
    expect(obj.failures.map((f) => f.reason.split(":")[0])).toEqual(["connection.endpoint", "connection.accessKey"]);
    expect(JSON.stringify(obj.failures)).not.toContain("%%%");
  });

  it("keeps adoptExisting only while a create may follow (new resource or new id)", () => {
    expect(
      checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", adoptExisting: true }, viaConfig).inputs[
        "adoptExisting"
      ],
    ).toBe(true);
    expect(
      checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", adoptExisting: true }, viaConfig, {
        queueId: "q",
      }).inputs["adoptExisting"],
    ).toBeUndefined();
    expect(
      checkInputs("queues", { queueId: "q2", distributionPolicyId: "dp", adoptExisting: true }, viaConfig, {
        queueId: "q",
      }).inputs["adoptExisting"],
    ).toBe(true);
  });

  it("refuses an Id label that contradicts the queue id", () => {
    expect(
      checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", labels: { Id: "q" } }, viaConfig).failures,
    ).toEqual([]);
    expect(
      checkInputs("queues", { queueId: "q", distributionPolicyId: "dp", labels: { Id: "p" } }, viaConfig).failures[0]
        ?.reason,
    ).toMatch(/^labels\.Id: .*\[rule: reservedLabel\]$/);
  });
});

describe("path helpers", () => {
  it("splits paths and finds unknowns on the way", () => {
    expect(pathSegments("exceptionRules[0].actions[12].id")).toEqual(["exceptionRules", 0, "actions", 12, "id"]);
    expect(touchesUnknown({ a: [{ b: UNKNOWN }] }, "a[0].b")).toBe(true);
    expect(touchesUnknown({ a: UNKNOWN }, "a[0].b.c")).toBe(true);
    expect(touchesUnknown({ a: [{ b: 1 }] }, "a[0].b")).toBe(false);
  });
});

describe("resolveConnection", () => {
  it("prefers the input, then the stack config, then the environment", () => {
    const env: ConnectionSources = {
      config: () => undefined,
      env: (n) => (n === "JOBROUTER_CONNECTION_STRING" ? CS : undefined),
    };
    expect(resolveConnection(CS, none)).toMatchObject({
      via: "connection",
      auth: "accessKey",
      endpoint: "https://contoso.communication.azure.com",
    });
    expect(
      resolveConnection({ endpoint: "https://contoso.communication.azure.com", accessKey: KEY }, none),
    ).toMatchObject({ via: "connection", auth: "accessKey" });
    expect(resolveConnection({ endpoint: "https://contoso.communication.azure.com/" }, none)).toEqual({
      via: "connection",
      auth: "entraId",
      endpoint: "https://contoso.communication.azure.com",
    });
    expect(resolveConnection(undefined, viaConfig)).toMatchObject({ via: "config" });
    expect(resolveConnection(undefined, env)).toMatchObject({ via: "env" });
    expect(() => resolveConnection(undefined, none)).toThrow(/JOBROUTER_CONNECTION_STRING/);
  });

  it("reports a broken config value by its source, without the value", () => {
    const broken: ConnectionSources = {
      config: (k) => (k === "jobrouter:connectionString" ? "endpoint=https://x/;accesskey=***" : undefined),
      env: () => undefined,
    };
    expect(() => resolveConnection(undefined, broken)).toThrow(
      /stack config `jobrouter:connectionString` is not a valid/,
    );
    try {
      resolveConnection(undefined, broken);
    } catch (e) {
      expect(String(e)).not.toContain("***");
    }
  });

  it("connectionInputProblems accepts unknowns and rejects other types", () => {
    expect(connectionInputProblems(UNKNOWN)).toEqual([]);
    expect(connectionInputProblems(42)).toEqual([
      ["connection", expect.stringContaining("connection string or an object")],
    ]);
    expect(connectionInputProblems({ endpoint: "https://x", key: "y" })[0]?.[0]).toBe("connection.key");
  });
});

describe("the stack config `jobrouter:endpoint` (Entra ID)", () => {
  const ENDPOINT = "https://contoso.communication.azure.com/";
  const sources = (config: Record<string, string>, env: Record<string, string> = {}): ConnectionSources => ({
    config: (k) => config[k],
    env: (n) => env[n],
  });
  const endpointOnly = sources({ "jobrouter:endpoint": ENDPOINT });
  const both = sources({ "jobrouter:connectionString": CS, "jobrouter:endpoint": ENDPOINT });

  it("is used with Entra ID when the resource has no connection and the stack no connection string", () => {
    expect(resolveConnection(undefined, endpointOnly)).toEqual({
      via: "endpointConfig",
      auth: "entraId",
      endpoint: "https://contoso.communication.azure.com",
    });
    expect(connectionIdentity(resolveConnection(undefined, endpointOnly))).toBe(
      "https://contoso.communication.azure.com (Entra ID)",
    );
    const checked = checkInputs("queues", { queueId: "q", distributionPolicyId: "dp" }, endpointOnly);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs["connectedTo"]).toBe("https://contoso.communication.azure.com (Entra ID)");
  });

  it("comes after the resource's connection and the connection string, before the environment", () => {
    const other = "endpoint=https://other.communication.azure.com/;accesskey=" + KEY;
    const withEnv = sources({ "jobrouter:endpoint": ENDPOINT }, { JOBROUTER_CONNECTION_STRING: other });
    expect(resolveConnection(undefined, withEnv)).toMatchObject({ via: "endpointConfig", auth: "entraId" });
    expect(resolveConnection(other, endpointOnly)).toMatchObject({
      via: "connection",
      auth: "accessKey",
      endpoint: "https://other.communication.azure.com",
    });
    expect(resolveConnection(undefined, sources({ "jobrouter:connectionString": CS }))).toMatchObject({
      via: "config",
    });
    // A resource with its own connection does not consult the stack config, so both keys do not matter to it.
    expect(resolveConnection(other, both)).toMatchObject({ via: "connection" });
  });

  it("refuses both keys at once, naming both, at check (before anything is sent)", () => {
    expect(() => resolveConnection(undefined, both)).toThrow(AMBIGUOUS_CONFIG_MESSAGE);
    const out = checkInputs("queues", { queueId: "q", distributionPolicyId: "dp" }, both);
    expect(out.failures).toEqual([
      {
        property: "",
        reason:
          "connection: the stack config sets both `jobrouter:connectionString` and `jobrouter:endpoint`, so it is " +
          "ambiguous whether to use the access key or Entra ID; nothing was sent. Keep one: `pulumi config rm " +
          "jobrouter:endpoint` to use the connection string's key, or `pulumi config rm jobrouter:connectionString` " +
          "to use Entra ID (DefaultAzureCredential) at the endpoint [rule: connection]",
      },
    ]);
    expect(out.inputs["connectedTo"]).toBeUndefined();
  });

  it("an invalid endpoint fails with the rule text `connection.endpoint` gets", () => {
    for (const bad of [
      "contoso.communication.azure.com",
      "ftp://x",
      "https://x/routing",
      "https://u:p@x",
      "https://x/?a=1",
      "http://127.0.0.1:8080",
    ]) {
      const [problem] = connectionInputProblems({ endpoint: bad });
      const rule = (problem?.[1] ?? "").replace(/^connection\.endpoint: /, "");
      expect(rule).not.toBe("");
      const out = checkInputs(
        "queues",
        { queueId: "q", distributionPolicyId: "dp" },
        sources({ "jobrouter:endpoint": bad }),
      );
      expect(out.failures.map((f) => f.reason)).toEqual([
        `connection: the stack config \`jobrouter:endpoint\`: ${rule} [rule: connection]`,
      ]);
    }
    expect(
      checkInputs("queues", { queueId: "q", distributionPolicyId: "dp" }, sources({ "jobrouter:endpoint": "nope" }))
        .failures[0]?.reason,
    ).toBe(
      "connection: the stack config `jobrouter:endpoint`: must be an absolute http:// or https:// URL [rule: connection]",
    );
  });

  it("Entra ID needs https, by either route (the client never sends a token over http); a key does not", () => {
    expect(connectionInputProblems({ endpoint: "http://127.0.0.1:8080" })).toEqual([
      ["connection.endpoint", "connection.endpoint: must use https with Entra ID (tokens are only sent over https)"],
    ]);
    expect(connectionInputProblems({ endpoint: "http://127.0.0.1:8080", accessKey: KEY })).toEqual([]);
    expect(() => resolveConnection(undefined, sources({ "jobrouter:endpoint": "http://127.0.0.1:8080" }))).toThrow(
      "the stack config `jobrouter:endpoint`: must use https with Entra ID (tokens are only sent over https)",
    );
  });

  it("is named where the messages name the source", () => {
    expect(describeSource("endpointConfig")).toBe("the stack config `jobrouter:endpoint`");
    expect(HOW_TO_CONNECT).toContain(
      "or the stack config `jobrouter:endpoint` for Entra ID (pulumi config set jobrouter:endpoint https://<resource>.communication.azure.com)",
    );
    const resolved = resolveConnection(undefined, endpointOnly);
    const refused = credentialRefusal(
      new JobRouterError({ message: "PATCH /routing/queues/q: 401 Unauthorized", statusCode: 401, code: "Denied" }),
      'cannot create queue "q"',
      resolved,
      "Nothing was written.",
    );
    expect(refused?.message).toBe(
      'jobrouter: cannot create queue "q": https://contoso.communication.azure.com refused the Entra ID token ' +
        "(401 Unauthorized). The endpoint comes from the stack config `jobrouter:endpoint`. Nothing was written. Give " +
        "the identity DefaultAzureCredential finds a role on the resource that allows Job Router administration. " +
        "(The service answered: PATCH /routing/queues/q: 401 Unauthorized)",
    );
    expect(refreshFix(resolved)).toBe(
      "Refresh reads through the connection recorded at the last `pulumi up` (https://contoso.communication.azure.com " +
        "(Entra ID)). Give the identity DefaultAzureCredential finds a role on the resource that allows Job Router " +
        "administration and refresh again; if the endpoint is wrong, set it (pulumi config set jobrouter:endpoint " +
        "https://<resource>.communication.azure.com) and run `pulumi up`",
    );
    const hint = connectionHint("endpointConfig", "entraId");
    expect(hint(new JobRouterError({ message: "GET /routing/queues/q: 401", statusCode: 401, code: "Denied" }))).toBe(
      "The endpoint comes from the stack config `jobrouter:endpoint` (pulumi config set jobrouter:endpoint " +
        "https://<resource>.communication.azure.com) and the request carried an Entra ID token from " +
        "DefaultAzureCredential: check which identity it found (environment, workload identity, managed identity, " +
        "Azure CLI) and that the token is for this resource's tenant",
    );
  });
});
