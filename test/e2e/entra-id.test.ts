// Entra ID through the stack config `jobrouter:endpoint`, end to end and with no key anywhere: the real engine runs
// YAML programs over the native plugin (the stack config, an explicit provider with `endpoint`, a stack moved from
// the connection string) and a TypeScript program with the dynamic classes against an https emulator that accepts
// one bearer token only; DefaultAzureCredential gets that token from a local token server
// through ManagedIdentityCredential's App Service flow (IDENTITY_ENDPOINT + IDENTITY_HEADER: a GET with
// `api-version=2019-08-01&resource=…` and the header `X-IDENTITY-HEADER`, answered with
// `{access_token, expires_on, resource, token_type}`, as @azure/msal-node 7.2 under @azure/identity 4.14 asks).
//
// Nothing else in DefaultAzureCredential's chain can answer first: the environment credential and workload identity
// need AZURE_* variables, which are removed from the environment the engine and its plugins inherit; the managed
// identity comes next in the chain, before the developer tools (Azure CLI and the others).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { DistributionPolicy } from "pulumi-jobrouter";
import { startEmulator, type RequestLogEntry, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRouterClient, type AdminCollection } from "../../provider/client";
import { CONNECTION_STRING_KEY, createHarness, repoRoot, type Harness, type HarnessStack } from "./harness";

const TOKEN = `entra-${randomBytes(12).toString("hex")}`;
const IDENTITY_HEADER = randomBytes(8).toString("hex");

/** What the token server was asked, and which token it hands out (a test switches it to a wrong one). */
const tokenRequests: Array<{ path: string; resource: string | null; header: string | undefined }> = [];
let handOut = TOKEN;
let tokenServer: Server;
let emulator: RunningEmulator;
let ca = "";
let h: Harness;
const envBefore = { ...process.env };

beforeAll(async () => {
  tokenServer = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const header = req.headers["x-identity-header"];
    tokenRequests.push({
      path: url.pathname,
      resource: url.searchParams.get("resource"),
      header: typeof header === "string" ? header : undefined,
    });
    if (header !== IDENTITY_HEADER) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "unauthorized", error_description: "wrong X-IDENTITY-HEADER" }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        access_token: handOut,
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: url.searchParams.get("resource"),
        token_type: "Bearer",
      }),
    );
  });
  await new Promise<void>((resolve) => tokenServer.listen(0, "127.0.0.1", resolve));
  const tokenPort = (tokenServer.address() as AddressInfo).port;

  // Bearer tokens go over https only (the client refuses http), so the emulator serves https.
  emulator = await startEmulator({ port: 0, https: true, allowBearer: true, bearerTokens: [TOKEN] });
  ca = await readFile(emulator.caCertPath ?? "", "utf8");

  const yaml = spawnSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi-yaml")], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (yaml.status !== 0) throw new Error("scripts/ensure-pulumi-yaml failed: YAML programs need pulumi-language-yaml");

  // The harness, and through it the engine and every plugin, inherit this environment.
  for (const k of Object.keys(process.env)) {
    if (/^(AZURE_|MSI_|IDENTITY_|IMDS_)/.test(k) || k === "JOBROUTER_CONNECTION_STRING") delete process.env[k];
  }
  process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${tokenPort}/msi/token`;
  process.env.IDENTITY_HEADER = IDENTITY_HEADER;
  process.env.NODE_EXTRA_CA_CERTS = emulator.caCertPath;
  process.env.PATH = [yaml.stdout.trim(), path.join(repoRoot, "plugin", "bin"), process.env.PATH ?? ""].join(
    path.delimiter,
  );
  h = await createHarness({ name: "entra-id" });
}, 900_000);

afterAll(async () => {
  await h?.dispose();
  await emulator?.close();
  await new Promise<void>((resolve) => (tokenServer ? tokenServer.close(() => resolve()) : resolve()));
  for (const k of Object.keys(process.env)) if (!(k in envBefore)) delete process.env[k];
  Object.assign(process.env, envBefore);
});

/** Reads through the emulator's access key (HMAC), trusting its certificate: the test's own view, not the stack's. */
async function live(collection: AdminCollection, id: string): Promise<Record<string, unknown> | undefined> {
  const client = JobRouterClient.fromConnectionString(emulator.connectionString, { extraCaCertificates: [ca] });
  return (await client.tryGet(collection, id)) as Record<string, unknown> | undefined;
}

const summary = (requests: readonly RequestLogEntry[]): string[] =>
  requests.map((r) => `${r.method} ${r.path} ${r.status} ${r.auth}`);

/** A stack whose only connection setting is `jobrouter:endpoint` (the harness's connection string removed). */
async function endpointOnlyStack(program: Parameters<Harness["stack"]>[0]): Promise<HarnessStack> {
  const stack = await h.stack(program);
  const rm = await stack.cli(["config", "rm", CONNECTION_STRING_KEY, "--stack", stack.name]);
  expect(rm.code, rm.stderr).toBe(0);
  await stack.setConfig({ "jobrouter:endpoint": { value: emulator.endpoint } });
  return stack;
}

async function yamlProgram(name: string, body: string): Promise<string> {
  const dir = path.join(h.workDir, `src-${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: yaml\n${body}`);
  return dir;
}

describe("jobrouter:endpoint with Entra ID (DefaultAzureCredential → managed identity)", () => {
  it("a YAML program over the native provider deploys with the token, previews clean, and refuses both keys", async () => {
    const dir = await yamlProgram(
      "entra-yaml",
      `config:
  queueName:
    type: string
    default: Entra
resources:
  policy:
    type: jobrouter:index:DistributionPolicy
    properties:
      distributionPolicyId: entra-policy
      offerExpiresAfterSeconds: 45
      mode:
        kind: longestIdle
  queue:
    type: jobrouter:index:RouterQueue
    properties:
      queueId: entra-queue
      name: \${queueName}
      distributionPolicyId: \${policy.distributionPolicyId}
`,
    );
    const stack = await endpointOnlyStack({ programDir: dir });

    emulator.clearRequests();
    tokenRequests.length = 0;
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 3 });
    // For the record (the issue's note): the emulator's log of this `pulumi up` and the token server's requests.
    console.log(
      `Entra ID up (jobrouter:endpoint, no key): emulator log:\n  ${summary(emulator.requests).join("\n  ")}\n` +
        `token server: ${tokenRequests.length} request(s): ${tokenRequests.map((t) => `GET ${t.path}?resource=${t.resource}`).join(", ")}`,
    );
    // Every request to the service carried the token server's token: the emulator refuses any other (bearerTokens),
    // and logs how each request was authenticated.
    const writes = emulator.requests.filter((r) => r.method !== "GET");
    expect(writes.map((r) => `${r.method} ${r.path} ${r.status} ${r.auth}`).sort()).toEqual([
      "PATCH /routing/distributionPolicies/entra-policy 201 bearer",
      "PATCH /routing/queues/entra-queue 201 bearer",
    ]);
    expect(summary(emulator.requests.filter((r) => r.auth !== "bearer"))).toEqual([]);
    // The token came from the managed identity endpoint, asked for Communication Services with the secret header.
    expect(tokenRequests.length).toBeGreaterThan(0);
    expect(tokenRequests[0]).toEqual({
      path: "/msi/token",
      // The client's scope `https://communication.azure.com//.default`, as a managed identity resource.
      resource: "https://communication.azure.com/",
      header: IDENTITY_HEADER,
    });

    expect(await live("distributionPolicies", "entra-policy")).toMatchObject({
      offerExpiresAfterSeconds: 45,
      mode: { kind: "longestIdle" },
    });
    expect(await live("queues", "entra-queue")).toMatchObject({ name: "Entra", distributionPolicyId: "entra-policy" });
    // The state records the connection as Entra ID at that endpoint; no key, no token in it.
    const origin = emulator.endpoint.replace(/\/$/, "");
    const queue = (await stack.resources("jobrouter:index:RouterQueue"))[0];
    expect(queue?.outputs?.["connectedTo"]).toBe(`${origin} (Entra ID)`);
    const state = await stack.stateText();
    expect(state).not.toContain(TOKEN);
    expect(state).not.toContain(emulator.accessKey);

    emulator.clearRequests();
    const quiet = await stack.previewJson();
    expect(quiet.changeSummary).toEqual({ same: 3 });
    expect(emulator.requests.filter((r) => r.method !== "GET")).toEqual([]);

    // A token the service does not accept: the update fails, naming `jobrouter:endpoint` as where the endpoint comes
    // from; nothing is written.
    handOut = `wrong-${randomBytes(6).toString("hex")}`;
    await stack.setConfig({ "entra-yaml:queueName": { value: "Entra 2" } });
    emulator.clearRequests();
    const refused = await stack.cli(["up", "--yes", "--skip-preview", "--stack", stack.name]);
    const refusedText = refused.stdout + refused.stderr;
    expect(refused.code, refusedText).not.toBe(0);
    expect(refusedText).toContain(
      "The endpoint comes from the stack config `jobrouter:endpoint` (pulumi config set jobrouter:endpoint " +
        "https://<resource>.communication.azure.com) and the request carried an Entra ID token from DefaultAzureCredential",
    );
    expect(refusedText).not.toContain(handOut);
    expect(emulator.requests.length).toBeGreaterThan(0);
    expect(summary(emulator.requests.filter((r) => r.status !== 401 || r.auth !== "invalid"))).toEqual([]);
    expect(await live("queues", "entra-queue")).toMatchObject({ name: "Entra" });
    handOut = TOKEN;

    // Both keys at once: refused at preview, naming both, before any request.
    await stack.setConfig({ [CONNECTION_STRING_KEY]: { value: emulator.connectionString, secret: true } });
    emulator.clearRequests();
    const both = await stack.cli(["preview", "--stack", stack.name]);
    const bothText = both.stdout + both.stderr;
    expect(both.code, bothText).not.toBe(0);
    expect(bothText).toContain(
      "the stack config sets both `jobrouter:connectionString` and `jobrouter:endpoint`, so it is ambiguous whether to " +
        "use the access key or Entra ID; nothing was sent.",
    );
    expect(emulator.requests).toEqual([]);
    const rm = await stack.cli(["config", "rm", CONNECTION_STRING_KEY, "--stack", stack.name]);
    expect(rm.code, rm.stderr).toBe(0);

    emulator.clearRequests();
    const update = await stack.up();
    expect(update.summary.resourceChanges).toEqual({ same: 2, update: 1 });
    expect(summary(emulator.requests.filter((r) => r.method !== "GET"))).toEqual([
      "PATCH /routing/queues/entra-queue 200 bearer",
    ]);
    expect(await live("queues", "entra-queue")).toMatchObject({ name: "Entra 2" });

    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 3 });
    expect(await live("queues", "entra-queue")).toBeUndefined();
    expect(await live("distributionPolicies", "entra-policy")).toBeUndefined();
  });

  it("an explicit provider with `endpoint` reaches its namespace with Entra ID beside the stack's connection string", async () => {
    // The stack keeps the harness's `jobrouter:connectionString` (its http emulator, access key) for the default
    // provider; the explicit provider names only an endpoint. Neither setting is ambiguous with the other.
    const dir = await yamlProgram(
      "entra-explicit",
      `resources:
  eu:
    type: pulumi:providers:jobrouter
    properties:
      endpoint: ${emulator.endpoint}
  euPolicy:
    type: jobrouter:index:DistributionPolicy
    properties:
      distributionPolicyId: eu-policy
      offerExpiresAfterSeconds: 20
      mode:
        kind: roundRobin
    options:
      provider: \${eu}
  homePolicy:
    type: jobrouter:index:DistributionPolicy
    properties:
      distributionPolicyId: home-policy
      offerExpiresAfterSeconds: 25
      mode:
        kind: longestIdle
`,
    );
    const stack = await h.stack({ programDir: dir });
    emulator.clearRequests();
    h.emulator.clearRequests();
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 4 });
    expect(summary(emulator.requests.filter((r) => r.method !== "GET"))).toEqual([
      "PATCH /routing/distributionPolicies/eu-policy 201 bearer",
    ]);
    expect(summary(emulator.requests.filter((r) => r.auth !== "bearer"))).toEqual([]);
    expect(summary(h.emulator.requests.filter((r) => r.method !== "GET"))).toEqual([
      "PATCH /routing/distributionPolicies/home-policy 201 hmac",
    ]);
    expect(await live("distributionPolicies", "eu-policy")).toMatchObject({ offerExpiresAfterSeconds: 20 });
    expect(await live("distributionPolicies", "home-policy")).toBeUndefined();
    expect((await h.request("GET", "/routing/distributionPolicies/home-policy")).status).toBe(200);
    const destroy = await stack.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 4 });
    expect(await live("distributionPolicies", "eu-policy")).toBeUndefined();
  });

  it("a stack moved from the connection string to `jobrouter:endpoint` (same namespace): reads with the token, writes nothing", async () => {
    const dir = await yamlProgram(
      "entra-move",
      `resources:
  policy:
    type: jobrouter:index:DistributionPolicy
    properties:
      distributionPolicyId: move-policy
      offerExpiresAfterSeconds: 40
      mode:
        kind: roundRobin
`,
    );
    const stack = await h.stack({ programDir: dir });
    await stack.setConfig({ [CONNECTION_STRING_KEY]: { value: emulator.connectionString, secret: true } });
    emulator.clearRequests();
    expect((await stack.up()).summary.resourceChanges).toEqual({ create: 2 });
    expect(summary(emulator.requests.filter((r) => r.method !== "GET"))).toEqual([
      "PATCH /routing/distributionPolicies/move-policy 201 hmac",
    ]);
    const before = await live("distributionPolicies", "move-policy");
    const origin = emulator.endpoint.replace(/\/$/, "");
    const connectedTo = async (): Promise<unknown> =>
      (await stack.resources("jobrouter:index:DistributionPolicy"))[0]?.outputs?.["connectedTo"];
    expect(await connectedTo()).toMatch(/ \(access key [0-9a-f]{12}\)$/);
    expect(String(await connectedTo()).startsWith(`${origin} `)).toBe(true);

    const rm = await stack.cli(["config", "rm", CONNECTION_STRING_KEY, "--stack", stack.name]);
    expect(rm.code, rm.stderr).toBe(0);
    await stack.setConfig({ "jobrouter:endpoint": { value: emulator.endpoint } });
    emulator.clearRequests();
    const moved = await stack.up();
    // The connection is an input (connectedTo): one update, carried out as a read through the new connection.
    expect(moved.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(summary(emulator.requests)).toEqual(["GET /routing/distributionPolicies/move-policy 200 bearer"]);
    expect(await connectedTo()).toBe(`${origin} (Entra ID)`);
    expect(await live("distributionPolicies", "move-policy")).toEqual(before);

    await stack.destroy();
    expect(await live("distributionPolicies", "move-policy")).toBeUndefined();
  });

  it("the dynamic classes (TypeScript) use the same setting", async () => {
    const stack = await endpointOnlyStack(async () => {
      const policy = new DistributionPolicy("dynamic-entra", {
        distributionPolicyId: "dynamic-entra",
        offerExpiresAfterSeconds: 30,
        mode: { kind: "roundRobin" },
      });
      return { etag: policy.etag };
    });
    emulator.clearRequests();
    const up = await stack.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(summary(emulator.requests.filter((r) => r.method !== "GET"))).toEqual([
      "PATCH /routing/distributionPolicies/dynamic-entra 201 bearer",
    ]);
    expect(summary(emulator.requests.filter((r) => r.auth !== "bearer"))).toEqual([]);
    expect(await live("distributionPolicies", "dynamic-entra")).toMatchObject({ mode: { kind: "roundRobin" } });
    await stack.destroy();
    expect(await live("distributionPolicies", "dynamic-entra")).toBeUndefined();
  });
});
