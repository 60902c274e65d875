// examples/contact-center under Pulumi mocks: the program as a user runs it (it imports "pulumi-jobrouter" by name,
// the built package), with azure-native answered by mocks because there is no Azure here. Asserts exactly which
// resources it registers and how they are wired.

import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { beforeAll, describe, expect, it } from "vitest";

const PROJECT = "jobrouter-contact-center";
const WEBHOOK = "https://handler.contoso.example/api/jobrouter?code=function-key";
const SUB = "11111111-1111-1111-1111-111111111111";

interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getObject(): StructLike | undefined;
}
type Callback = (err: unknown, response: unknown) => void;
interface Registration {
  type: string;
  name: string;
  parent: string;
  dependencies: string[];
  raw: Record<string, unknown>;
  urn: string;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const isSecret = (v: unknown): boolean =>
  typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
const reveal = (v: unknown): unknown => (isSecret(v) ? (v as Record<string, unknown>).value : v);

function armId(provider: string, rg: unknown, name: string): string {
  return `/subscriptions/${SUB}/resourceGroups/${String(rg)}/providers/${provider}/${name}`;
}

const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const inputs = args.inputs as Record<string, unknown>;
    switch (args.type) {
      case "azure-native:resources:ResourceGroup":
        return {
          id: `/subscriptions/${SUB}/resourceGroups/${args.name}-rg`,
          state: { ...inputs, name: `${args.name}-rg` },
        };
      case "azure-native:storage:StorageAccount":
        return {
          id: armId("Microsoft.Storage/storageAccounts", inputs.resourceGroupName, `${args.name}sa`),
          state: { ...inputs, name: `${args.name}sa` },
        };
      case "azure-native:storage:BlobContainer":
        return { id: `${String(inputs.accountName)}/${args.name}`, state: { ...inputs, name: args.name } };
      case "azure-native:communication:CommunicationService":
        return {
          id: armId("Microsoft.Communication/communicationServices", inputs.resourceGroupName, `${args.name}-cs`),
          state: { ...inputs, name: `${args.name}-cs`, hostName: `${args.name}-cs.europe.communication.azure.com` },
        };
      case "azure-native:eventgrid:SystemTopic":
        return {
          id: armId("Microsoft.EventGrid/systemTopics", inputs.resourceGroupName, args.name),
          state: { ...inputs, name: args.name },
        };
      case "azure-native:eventgrid:SystemTopicEventSubscription":
        return {
          id: `${String(inputs.systemTopicName)}/eventSubscriptions/${args.name}`,
          state: { ...inputs, name: args.name },
        };
      default: {
        const own =
          inputs.queueId ?? inputs.classificationPolicyId ?? inputs.exceptionPolicyId ?? inputs.distributionPolicyId;
        return { id: String(own), state: inputs };
      }
    }
  },
  call(args) {
    if (args.token === "azure-native:communication:listCommunicationServiceKeys") {
      const name = String((args.inputs as Record<string, unknown>).communicationServiceName);
      return { primaryConnectionString: `endpoint=https://${name}.europe.communication.azure.com/;accesskey=a2V5` };
    }
    throw new Error(`unexpected call ${args.token}`);
  },
};

const registrations: Registration[] = [];
let exported: Record<string, unknown> = {};

beforeAll(async () => {
  await pulumi.runtime.setMocks(mocks, PROJECT, "dev", false);
  pulumi.runtime.setAllConfig({ [`${PROJECT}:webhookUrl`]: WEBHOOK }, [`${PROJECT}:webhookUrl`]);
  const mock = pulumi.runtime.getMonitor();
  if (!(mock instanceof MockMonitor)) throw new Error("setMocks did not install a MockMonitor");
  const register = mock.registerResource.bind(mock);
  // defineProperty rather than assignment: the monitor's declared type is the gRPC client's overload set.
  Object.defineProperty(mock, "registerResource", {
    configurable: true,
    writable: true,
    value: (req: RegisterRequest, callback: Callback) => {
      const reg: Registration = {
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent(),
        dependencies: req.getDependenciesList(),
        raw: req.getObject()?.toJavaScript() ?? {},
        urn: "",
      };
      registrations.push(reg);
      return register(req, (err, response) => {
        reg.urn = (response as { getUrn?: () => string } | undefined)?.getUrn?.() ?? "";
        callback(err, response);
      });
    },
  });

  // The example's module is the program: importing it registers its resources.
  const program: Record<string, unknown> = await import(
    path.join(__dirname, "..", "..", "examples", "contact-center", "index.ts")
  );
  exported = program;
  const outputs = Object.values(program).filter((v): v is pulumi.Output<unknown> => pulumi.Output.isInstance(v));
  await Promise.all(outputs.map((o) => new Promise((resolve) => o.apply(resolve))));
  // Every registration's callback has run once its URN is set; the last ones follow the outputs by a few turns.
  for (let i = 0; i < 1000 && registrations.some((r) => r.urn === ""); i++) await new Promise((r) => setImmediate(r));
});

function one(type: string): Registration {
  const found = registrations.filter((r) => r.type === type);
  expect(found, type).toHaveLength(1);
  return found[0] as Registration;
}

describe("examples/contact-center under mocks", () => {
  it("registers exactly the Azure resources, the component and its routing objects", () => {
    const counts: Record<string, number> = {};
    for (const r of registrations) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "azure-native:resources:ResourceGroup": 1,
      "azure-native:storage:StorageAccount": 1,
      "azure-native:storage:BlobContainer": 1,
      "jobrouter:index:ContactCenter": 1,
      "azure-native:communication:CommunicationService": 1,
      "azure-native:eventgrid:SystemTopic": 1,
      "azure-native:eventgrid:SystemTopicEventSubscription": 1,
      "pulumi-nodejs:dynamic/jobrouter:DistributionPolicy": 2,
      "pulumi-nodejs:dynamic/jobrouter:RouterQueue": 3,
      "pulumi-nodejs:dynamic/jobrouter:ClassificationPolicy": 1,
      "pulumi-nodejs:dynamic/jobrouter:ExceptionPolicy": 2,
    });
  });

  it("creates Communication Services in the example's resource group, parented to the component", () => {
    const rg = one("azure-native:resources:ResourceGroup");
    const acs = one("azure-native:communication:CommunicationService");
    const cc = one("jobrouter:index:ContactCenter");
    expect(acs.raw).toMatchObject({
      resourceGroupName: "contact-center-rg",
      dataLocation: "Europe",
      location: "global",
    });
    expect(acs.parent).toBe(cc.urn);
    expect(acs.dependencies).toContain(rg.urn);
  });

  it("subscribes all 22 Job Router event types to the webhook, dead-lettered to the example's blob container", () => {
    const acs = one("azure-native:communication:CommunicationService");
    const topic = one("azure-native:eventgrid:SystemTopic");
    const sub = one("azure-native:eventgrid:SystemTopicEventSubscription");
    const storageAccount = one("azure-native:storage:StorageAccount");
    const container = one("azure-native:storage:BlobContainer");
    expect(topic.raw).toMatchObject({
      topicType: "Microsoft.Communication.CommunicationServices",
      source: armId("Microsoft.Communication/communicationServices", "contact-center-rg", "contoso-acs-cs"),
      resourceGroupName: "contact-center-rg",
    });
    expect(topic.dependencies).toContain(acs.urn);
    const filter = sub.raw.filter as { includedEventTypes: string[] };
    expect(filter.includedEventTypes).toHaveLength(22);
    expect(
      new Set(filter.includedEventTypes.map((t) => t.replace(/^Microsoft\.Communication\.Router.*$/, "ok"))),
    ).toEqual(new Set(["ok"]));
    const destination = sub.raw.destination as Record<string, unknown>;
    expect(destination.endpointType).toBe("WebHook");
    expect(isSecret(destination.endpointUrl)).toBe(true);
    expect(reveal(destination.endpointUrl)).toBe(WEBHOOK);
    expect(destination.maxEventsPerBatch).toBe(1);
    expect(sub.raw.deadLetterDestination).toEqual({
      endpointType: "StorageBlob",
      resourceId: armId("Microsoft.Storage/storageAccounts", "contact-center-rg", "deadletterssa"),
      blobContainerName: "jobrouter-deadletters",
    });
    expect(sub.dependencies).toEqual(expect.arrayContaining([topic.urn, storageAccount.urn, container.urn]));
  });

  it("wires the routing objects by key with the secret connection string of the new resource", () => {
    const acs = one("azure-native:communication:CommunicationService");
    const byName = (n: string) => registrations.find((r) => r.name === n);
    const sales = byName("contoso-queue-sales");
    const li = byName("contoso-dp-longest-idle");
    const esc = byName("contoso-ep-sales-escalation");
    const escalations = byName("contoso-queue-escalations");
    const inbound = byName("contoso-cp-inbound");
    const support = byName("contoso-queue-support");
    expect(sales?.raw).toMatchObject({ distributionPolicyId: "longest-idle", exceptionPolicyId: "sales-escalation" });
    expect(sales?.dependencies).toEqual(expect.arrayContaining([li?.urn, esc?.urn, acs.urn]));
    expect(esc?.dependencies).toContain(escalations?.urn);
    expect(inbound?.raw).toMatchObject({ fallbackQueueId: "support" });
    expect(inbound?.dependencies).toContain(support?.urn);
    for (const r of registrations.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/"))) {
      expect(isSecret(r.raw.connection)).toBe(true);
      expect(String(reveal(r.raw.connection))).toContain("contoso-acs-cs.europe.communication.azure.com");
    }
  });

  it("exports the endpoint, the secret connection string, the ids and the event subscription id", async () => {
    const value = (k: string) => {
      const o = exported[k];
      if (!pulumi.Output.isInstance(o)) throw new Error(`${k} is not an Output`);
      return new Promise<unknown>((resolve) => o.apply(resolve));
    };
    expect(await value("endpoint")).toBe("https://contoso-acs-cs.europe.communication.azure.com");
    const cs = exported.connectionString;
    expect(pulumi.Output.isInstance(cs) && (await pulumi.isSecret(cs))).toBe(true);
    expect(await value("ids")).toEqual({
      distributionPolicies: { "longest-idle": "longest-idle", "round-robin": "round-robin" },
      exceptionPolicies: { "sales-escalation": "sales-escalation", abandon: "abandon" },
      classificationPolicies: { inbound: "inbound" },
      queues: { sales: "sales", support: "support", escalations: "escalations" },
    });
    expect(await value("eventSubscriptionId")).toBe("contoso-events/eventSubscriptions/contoso-jobrouter-events");
  });
});
