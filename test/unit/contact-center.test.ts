// ContactCenter under pulumi.runtime mocks: exactly which resources it registers, with which key properties,
// parents and dependencies. The azure-native plugin cannot run here, so this is where the Azure half is tested.
//
// The stock mocks hide parents, dependencies and secretness from newResource; the tests wrap the installed
// MockMonitor to record the raw RegisterResource requests and assert on them.

import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { beforeEach, describe, expect, it } from "vitest";
import { ContactCenter, ContactCenterArgs, JOB_ROUTER_EVENT_TYPES } from "../../components";
import { formerNames, planRouting } from "../../components/contactCenter";

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

interface StructLike {
  toJavaScript(): Record<string, unknown>;
}
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getDependenciesList(): string[];
  getObject(): StructLike | undefined;
}
interface InvokeRequest {
  getTok(): string;
  getArgs(): StructLike | undefined;
}
interface OutputsRequest {
  getUrn(): string;
  getOutputs(): StructLike | undefined;
}
type Callback = (err: unknown, response: unknown) => void;

interface Registration {
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  dependencies: string[];
  /** The raw wire form: secrets are still wrapped in the secret signature object. */
  raw: Record<string, unknown>;
  urn: string;
}

interface Recorded {
  readonly registrations: Registration[];
  readonly invokes: { token: string; args: Record<string, unknown> }[];
  readonly outputs: Map<string, Record<string, unknown>>;
}

const SUB = "00000000-0000-0000-0000-000000000000";

/** Mock answers that look like Azure's: ARM ids, a host name, keys from listCommunicationServiceKeys. */
const mocks: pulumi.runtime.Mocks = {
  newResource(args) {
    const inputs = args.inputs as Record<string, unknown>;
    switch (args.type) {
      case "azure-native:communication:CommunicationService": {
        const name = String(inputs.communicationServiceName ?? args.name);
        return {
          id: `/subscriptions/${SUB}/resourceGroups/${String(inputs.resourceGroupName)}/providers/Microsoft.Communication/communicationServices/${name}`,
          state: {
            ...inputs,
            name,
            hostName: `${name}.unitedstates.communication.azure.com`,
          },
        };
      }
      case "azure-native:eventgrid:SystemTopic": {
        const name = String(inputs.systemTopicName ?? args.name);
        return {
          id: `/subscriptions/${SUB}/resourceGroups/${String(inputs.resourceGroupName)}/providers/Microsoft.EventGrid/systemTopics/${name}`,
          state: { ...inputs, name },
        };
      }
      case "azure-native:eventgrid:SystemTopicEventSubscription": {
        const name = String(inputs.eventSubscriptionName ?? args.name);
        return {
          id: `/subscriptions/${SUB}/resourceGroups/${String(inputs.resourceGroupName)}/providers/Microsoft.EventGrid/systemTopics/${String(inputs.systemTopicName)}/eventSubscriptions/${name}`,
          state: { ...inputs, name },
        };
      }
      default: {
        // Dynamic resources: the Pulumi id is the Job Router id. A queue also carries distributionPolicyId and
        // exceptionPolicyId, so its own id is looked up first.
        const own =
          inputs.queueId ?? inputs.classificationPolicyId ?? inputs.exceptionPolicyId ?? inputs.distributionPolicyId;
        return {
          id: typeof own === "string" ? own : `${args.name}-id`,
          state: inputs,
        };
      }
    }
  },
  call(args) {
    if (args.token === "azure-native:communication:listCommunicationServiceKeys") {
      const name = String((args.inputs as Record<string, unknown>).communicationServiceName);
      return {
        primaryKey: "cHJpbWFyeQ==",
        secondaryKey: "c2Vjb25kYXJ5",
        primaryConnectionString: `endpoint=https://${name}.unitedstates.communication.azure.com/;accesskey=cHJpbWFyeQ==`,
        secondaryConnectionString: `endpoint=https://${name}.unitedstates.communication.azure.com/;accesskey=c2Vjb25kYXJ5`,
      };
    }
    throw new Error(`unexpected call ${args.token}`);
  },
};

let monitor: Recorded;

/**
 * pulumi.runtime.setMocks, with the installed MockMonitor's entry points wrapped so the raw requests (parent,
 * dependencies, secret markers) are recorded before the stock mock handles them.
 */
async function installMocks(): Promise<void> {
  await pulumi.runtime.setMocks(mocks, "contact-center-test", "unit", false);
  const mock = pulumi.runtime.getMonitor();
  if (!(mock instanceof MockMonitor)) throw new Error("setMocks did not install a MockMonitor");
  // defineProperty rather than assignment: the monitor's declared type is the gRPC client's overload set.
  const wrap = (method: "registerResource" | "invoke" | "registerResourceOutputs", fn: unknown): void => {
    Object.defineProperty(mock, method, { value: fn, configurable: true, writable: true });
  };
  const rec: Recorded = { registrations: [], invokes: [], outputs: new Map() };
  const registerResource = mock.registerResource.bind(mock);
  wrap("registerResource", (req: RegisterRequest, callback: Callback) => {
    const reg: Registration = {
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent(),
      custom: req.getCustom(),
      dependencies: req.getDependenciesList(),
      raw: req.getObject()?.toJavaScript() ?? {},
      urn: "",
    };
    rec.registrations.push(reg);
    return registerResource(req, (err, response) => {
      const withUrn = response as { getUrn?: () => string } | undefined;
      reg.urn = withUrn?.getUrn?.() ?? "";
      callback(err, response);
    });
  });
  const invoke = mock.invoke.bind(mock);
  wrap("invoke", (req: InvokeRequest, callback: Callback) => {
    rec.invokes.push({ token: req.getTok(), args: req.getArgs()?.toJavaScript() ?? {} });
    return invoke(req, callback);
  });
  const registerResourceOutputs = mock.registerResourceOutputs.bind(mock);
  wrap("registerResourceOutputs", (req: OutputsRequest, callback: Callback) => {
    rec.outputs.set(req.getUrn(), req.getOutputs()?.toJavaScript() ?? {});
    registerResourceOutputs(req, callback);
  });
  monitor = rec;
}

beforeEach(installMocks);

function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

/** Waits until every resource the component created has been registered and its outputs recorded. */
async function settle(cc: ContactCenter): Promise<void> {
  const children: pulumi.Resource[] = [
    ...Object.values(cc.distributionPolicies),
    ...Object.values(cc.exceptionPolicies),
    ...Object.values(cc.classificationPolicies),
    ...Object.values(cc.queues),
    ...[cc.communicationService, cc.systemTopic, cc.eventSubscription].filter((r) => r !== undefined),
  ];
  await Promise.all([
    valueOf(cc.urn),
    valueOf(cc.ids),
    valueOf(cc.endpoint),
    valueOf(cc.eventSubscriptionId),
    ...children.map((c) => valueOf(c.urn)),
  ]);
  const ccUrn = await valueOf(cc.urn);
  // registerOutputs runs once its inputs resolve; give the event loop a bounded number of turns to deliver it.
  for (let i = 0; i < 1000 && !monitor.outputs.has(ccUrn); i++) await new Promise((r) => setImmediate(r));
}

function isSecret(v: unknown): boolean {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}
function reveal(v: unknown): unknown {
  return isSecret(v) ? (v as Record<string, unknown>).value : v;
}
function one(type: string, name?: string): Registration {
  const found = monitor.registrations.filter((r) => r.type === type && (name === undefined || r.name === name));
  expect(found, `${type} ${name ?? ""}`).toHaveLength(1);
  return found[0] as Registration;
}
function urnOf(type: string, name: string): string {
  return one(type, name).urn;
}

const DYNAMIC = /^pulumi-nodejs:dynamic(\/[^:]+)?:/;

/** A full contact center on Azure: created Communication Services, Event Grid to a webhook, four kinds of object. */
function azureArgs(): ContactCenterArgs {
  return {
    communicationServices: {
      create: {
        resourceGroupName: "rg-contact",
        name: "acs-contoso",
        dataLocation: "United States",
        tags: { team: "platform" },
      },
    },
    events: {
      destination: {
        webhook: {
          endpointUrl: "https://hooks.contoso.example/jobrouter?code=s3cr3t",
        },
      },
      retryPolicy: { maxDeliveryAttempts: 10, eventTimeToLiveInMinutes: 60 },
      deadLetter: {
        storageAccountId: `/subscriptions/${SUB}/resourceGroups/rg-contact/providers/Microsoft.Storage/storageAccounts/deadletters`,
        blobContainerName: "jobrouter-deadletters",
      },
    },
    distributionPolicies: {
      "longest-idle": {
        name: "Longest idle",
        offerExpiresAfterSeconds: 60,
        mode: { kind: "longestIdle" },
      },
    },
    exceptionPolicies: {
      overflow: {
        exceptionRules: [
          {
            id: "waited-too-long",
            trigger: { kind: "waitTime", thresholdSeconds: 300 },
            actions: [{ kind: "manualReclassify", queue: "overflow", priority: 10 }],
          },
        ],
      },
    },
    classificationPolicies: {
      triage: { name: "Triage", fallbackQueue: "sales" },
    },
    queues: {
      sales: {
        name: "Sales",
        distributionPolicy: "longest-idle",
        exceptionPolicy: "overflow",
      },
      overflow: {
        name: "Overflow",
        distributionPolicy: { key: "longest-idle" },
      },
    },
  };
}

describe("ContactCenter (mocks): created Communication Services with Event Grid", () => {
  it("registers exactly the Azure resources and routing objects, all parented to the component", async () => {
    const cc = new ContactCenter("contoso", azureArgs());
    await settle(cc);
    const ccUrn = await valueOf(cc.urn);

    const types = monitor.registrations.map((r) => r.type).sort();
    const dynamicCount = types.filter((t) => DYNAMIC.test(t)).length;
    expect(types.filter((t) => !DYNAMIC.test(t))).toEqual([
      "azure-native:communication:CommunicationService",
      "azure-native:eventgrid:SystemTopic",
      "azure-native:eventgrid:SystemTopicEventSubscription",
      "jobrouter:index:ContactCenter",
    ]);
    expect(dynamicCount).toBe(5); // 1 distribution policy, 1 exception policy, 1 classification policy, 2 queues
    expect(one("jobrouter:index:ContactCenter").name).toBe("contoso");
    for (const r of monitor.registrations) {
      if (r.type === "jobrouter:index:ContactCenter") continue;
      expect(r.parent, `${r.type} ${r.name}`).toBe(ccUrn);
      expect(r.urn).toContain("jobrouter:index:ContactCenter$");
    }
  });

  it("creates the Communication Services resource and reads its keys with listCommunicationServiceKeys as secrets", async () => {
    const cc = new ContactCenter("contoso", azureArgs());
    await settle(cc);

    const acs = one("azure-native:communication:CommunicationService", "contoso-acs");
    expect(acs.raw).toMatchObject({
      resourceGroupName: "rg-contact",
      communicationServiceName: "acs-contoso",
      dataLocation: "United States",
      location: "global",
      tags: { team: "platform" },
    });
    const listKeys = monitor.invokes.filter(
      (i) => i.token === "azure-native:communication:listCommunicationServiceKeys",
    );
    expect(listKeys).toHaveLength(1);
    expect(listKeys[0]?.args).toEqual({
      communicationServiceName: "acs-contoso",
      resourceGroupName: "rg-contact",
    });

    expect(await valueOf(cc.endpoint)).toBe("https://acs-contoso.unitedstates.communication.azure.com");
    expect(await pulumi.isSecret(cc.connectionString)).toBe(true);
    expect(await valueOf(cc.connectionString)).toBe(
      "endpoint=https://acs-contoso.unitedstates.communication.azure.com/;accesskey=cHJpbWFyeQ==",
    );
  });

  it("puts a system topic on the resource and subscribes every Job Router event type to the webhook", async () => {
    const cc = new ContactCenter("contoso", azureArgs());
    await settle(cc);
    const acsId = `/subscriptions/${SUB}/resourceGroups/rg-contact/providers/Microsoft.Communication/communicationServices/acs-contoso`;

    const topic = one("azure-native:eventgrid:SystemTopic");
    expect(topic.raw).toMatchObject({
      resourceGroupName: "rg-contact",
      location: "global",
      source: acsId,
      topicType: "Microsoft.Communication.CommunicationServices",
    });
    expect(topic.dependencies).toContain(urnOf("azure-native:communication:CommunicationService", "contoso-acs"));

    const sub = one("azure-native:eventgrid:SystemTopicEventSubscription");
    expect(sub.raw.resourceGroupName).toBe("rg-contact");
    expect(sub.raw.systemTopicName).toBe("contoso-events");
    expect(sub.raw.eventDeliverySchema).toBe("EventGridSchema");
    const filter = sub.raw.filter as { includedEventTypes: string[] };
    expect(filter.includedEventTypes).toEqual([...JOB_ROUTER_EVENT_TYPES]);
    expect(filter.includedEventTypes).toHaveLength(22);
    expect(filter.includedEventTypes.every((t) => t.startsWith("Microsoft.Communication.Router"))).toBe(true);
    expect(filter.includedEventTypes).toContain("Microsoft.Communication.RouterWorkerOfferIssued");

    const destination = sub.raw.destination as Record<string, unknown>;
    expect(destination.endpointType).toBe("WebHook");
    // The webhook URL carries a function key: it travels as a secret.
    expect(isSecret(destination.endpointUrl)).toBe(true);
    expect(reveal(destination.endpointUrl)).toBe("https://hooks.contoso.example/jobrouter?code=s3cr3t");
    expect(sub.raw.retryPolicy).toEqual({
      maxDeliveryAttempts: 10,
      eventTimeToLiveInMinutes: 60,
    });
    expect(sub.raw.deadLetterDestination).toEqual({
      endpointType: "StorageBlob",
      resourceId: `/subscriptions/${SUB}/resourceGroups/rg-contact/providers/Microsoft.Storage/storageAccounts/deadletters`,
      blobContainerName: "jobrouter-deadletters",
    });
    expect(sub.dependencies).toContain(topic.urn);
    expect(await valueOf(cc.eventSubscriptionId)).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-contact/providers/Microsoft.EventGrid/systemTopics/contoso-events/eventSubscriptions/contoso-jobrouter-events`,
    );
  });

  it("registers routing objects as dynamic resources with __provider, known ids, a secret connection and key-derived dependencies", async () => {
    const cc = new ContactCenter("contoso", azureArgs());
    await settle(cc);
    const acsUrn = urnOf("azure-native:communication:CommunicationService", "contoso-acs");

    const dp = monitor.registrations.find((r) => r.name === "contoso-dp-longest-idle");
    const ep = monitor.registrations.find((r) => r.name === "contoso-ep-overflow");
    const cp = monitor.registrations.find((r) => r.name === "contoso-cp-triage");
    const sales = monitor.registrations.find((r) => r.name === "contoso-queue-sales");
    const overflow = monitor.registrations.find((r) => r.name === "contoso-queue-overflow");
    for (const r of [dp, ep, cp, sales, overflow]) {
      expect(r).toBeDefined();
      if (!r) return;
      expect(r.type).toMatch(DYNAMIC);
      expect(r.custom).toBe(true);
      expect(typeof reveal(r.raw.__provider)).toBe("string");
      expect(String(reveal(r.raw.__provider)).length).toBeGreaterThan(0);
      // Connection string from listCommunicationServiceKeys: secret on the wire, never plaintext.
      expect(isSecret(r.raw.connection)).toBe(true);
      expect(reveal(r.raw.connection)).toContain("accesskey=cHJpbWFyeQ==");
      expect(r.dependencies).toContain(acsUrn);
    }
    if (!dp || !ep || !cp || !sales || !overflow) return;

    expect(dp.raw).toMatchObject({
      distributionPolicyId: "longest-idle",
      name: "Longest idle",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
    expect(sales.raw).toMatchObject({
      queueId: "sales",
      distributionPolicyId: "longest-idle",
      exceptionPolicyId: "overflow",
    });
    expect(overflow.raw).toMatchObject({
      queueId: "overflow",
      distributionPolicyId: "longest-idle",
    });
    expect(overflow.raw.exceptionPolicyId).toBeUndefined();
    expect(cp.raw).toMatchObject({
      classificationPolicyId: "triage",
      fallbackQueueId: "sales",
    });
    expect(ep.raw).toMatchObject({
      exceptionPolicyId: "overflow",
      exceptionRules: [
        {
          id: "waited-too-long",
          trigger: { kind: "waitTime", thresholdSeconds: 300 },
          actions: [
            {
              kind: "manualReclassify",
              queueId: "overflow",
              priority: 10,
            },
          ],
        },
      ],
    });

    // Keys became dependencies: policies before the queues that use them (and so deleted after them).
    expect(sales.dependencies).toEqual(expect.arrayContaining([dp.urn, ep.urn]));
    expect(overflow.dependencies).toContain(dp.urn);
    expect(overflow.dependencies).not.toContain(ep.urn);
    expect(cp.dependencies).toContain(sales.urn);
    expect(ep.dependencies).toContain(overflow.urn);
    // ... and registration order follows them.
    const at = (r: Registration) => monitor.registrations.indexOf(r);
    expect(at(dp)).toBeLessThan(at(overflow));
    expect(at(overflow)).toBeLessThan(at(ep));
    expect(at(ep)).toBeLessThan(at(sales));
    expect(at(sales)).toBeLessThan(at(cp));
  });

  it("registers the component outputs: endpoint, secret connection string, ids map, event subscription id", async () => {
    const cc = new ContactCenter("contoso", azureArgs());
    await settle(cc);
    const outputs = monitor.outputs.get(await valueOf(cc.urn));
    expect(outputs).toBeDefined();
    if (!outputs) return;
    expect(outputs.endpoint).toBe("https://acs-contoso.unitedstates.communication.azure.com");
    expect(isSecret(outputs.connectionString)).toBe(true);
    expect(outputs.ids).toEqual({
      distributionPolicies: { "longest-idle": "longest-idle" },
      exceptionPolicies: { overflow: "overflow" },
      classificationPolicies: { triage: "triage" },
      queues: { sales: "sales", overflow: "overflow" },
    });
    expect(String(outputs.eventSubscriptionId)).toMatch(/\/eventSubscriptions\/contoso-jobrouter-events$/);
  });

  it("delivers a chosen subset of event types (short or full names) to a Storage queue", async () => {
    const args = azureArgs();
    const cc = new ContactCenter("contoso", {
      ...args,
      events: {
        eventTypes: ["RouterJobQueued", "Microsoft.Communication.RouterWorkerOfferIssued"],
        destination: {
          storageQueue: {
            storageAccountId: `/subscriptions/${SUB}/resourceGroups/rg-contact/providers/Microsoft.Storage/storageAccounts/events`,
            queueName: "jobrouter",
          },
        },
      },
    });
    await settle(cc);
    const sub = one("azure-native:eventgrid:SystemTopicEventSubscription");
    expect(sub.raw.filter).toMatchObject({
      includedEventTypes: [
        "Microsoft.Communication.RouterJobQueued",
        "Microsoft.Communication.RouterWorkerOfferIssued",
      ],
    });
    expect(sub.raw.destination).toEqual({
      endpointType: "StorageQueue",
      resourceId: `/subscriptions/${SUB}/resourceGroups/rg-contact/providers/Microsoft.Storage/storageAccounts/events`,
      queueName: "jobrouter",
    });
    // Event Grid's own defaults, stated explicitly so a reviewer sees them.
    expect(sub.raw.retryPolicy).toEqual({
      maxDeliveryAttempts: 30,
      eventTimeToLiveInMinutes: 1440,
    });
    expect(sub.raw.deadLetterDestination).toBeUndefined();
  });

  it("sends Service Bus and Event Hub destinations by resource id", async () => {
    const sbId = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ServiceBus/namespaces/ns/queues/q`;
    const cc = new ContactCenter("sb", {
      ...azureArgs(),
      events: { destination: { serviceBusQueue: { queueId: sbId } } },
    });
    await settle(cc);
    expect(one("azure-native:eventgrid:SystemTopicEventSubscription").raw.destination).toEqual({
      endpointType: "ServiceBusQueue",
      resourceId: sbId,
    });

    await installMocks();
    const ehId = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns/eventhubs/jr`;
    const cc2 = new ContactCenter("eh", {
      ...azureArgs(),
      events: { destination: { eventHub: { eventHubId: ehId } } },
    });
    await settle(cc2);
    expect(one("azure-native:eventgrid:SystemTopicEventSubscription").raw.destination).toEqual({
      endpointType: "EventHub",
      resourceId: ehId,
    });
  });
});

describe("ContactCenter (mocks): existing Communication Services", () => {
  const connectionString = "endpoint=https://existing.communication.azure.com/;accesskey=ZXhpc3Rpbmc=";

  it("registers no Azure resources and hands the connection string to every routing object as a secret", async () => {
    const cc = new ContactCenter("existing", {
      communicationServices: { existing: { connectionString } },
      distributionPolicies: {
        "longest-idle": {
          mode: { kind: "longestIdle" },
          offerExpiresAfterSeconds: 60,
        },
      },
      queues: { main: { distributionPolicy: "longest-idle" } },
    });
    await settle(cc);
    expect(monitor.registrations.map((r) => r.type).filter((t) => t.startsWith("azure-native:"))).toEqual([]);
    expect(monitor.invokes).toEqual([]);
    const routing = monitor.registrations.filter((r) => DYNAMIC.test(r.type));
    expect(routing).toHaveLength(2);
    for (const r of routing) {
      expect(isSecret(r.raw.connection)).toBe(true);
      expect(reveal(r.raw.connection)).toBe(connectionString);
    }
    // The endpoint is not secret; only the key is.
    expect(await pulumi.isSecret(cc.endpoint)).toBe(false);
    expect(await valueOf(cc.endpoint)).toBe("https://existing.communication.azure.com");
    expect(await pulumi.isSecret(cc.connectionString)).toBe(true);
    expect(await valueOf(cc.eventSubscriptionId)).toBeUndefined();
  });

  it("uses Entra ID when only an endpoint is given (no key anywhere)", async () => {
    const cc = new ContactCenter("entra", {
      communicationServices: {
        existing: { endpoint: "https://entra.communication.azure.com" },
      },
      distributionPolicies: { rr: { mode: { kind: "roundRobin" } } },
    });
    await settle(cc);
    const dp = one(monitor.registrations.find((r) => DYNAMIC.test(r.type))?.type ?? "", "entra-dp-rr");
    // Endpoint only: no access key anywhere (the provider stores the connection input encrypted regardless).
    expect(reveal(dp.raw.connection)).toEqual({ endpoint: "https://entra.communication.azure.com" });
    expect(await valueOf(cc.connectionString)).toBeUndefined();
  });

  it("sends endpoint plus access key as a secret connection object", async () => {
    const cc = new ContactCenter("keyed", {
      communicationServices: {
        existing: {
          endpoint: "https://keyed.communication.azure.com",
          accessKey: "a2V5ZWQ=",
        },
      },
      distributionPolicies: { rr: { mode: { kind: "roundRobin" } } },
    });
    await settle(cc);
    const dp = monitor.registrations.find((r) => r.name === "keyed-dp-rr");
    expect(isSecret(dp?.raw.connection)).toBe(true);
    expect(reveal(dp?.raw.connection)).toEqual({
      endpoint: "https://keyed.communication.azure.com",
      accessKey: "a2V5ZWQ=",
    });
    expect(await pulumi.isSecret(cc.connectionString)).toBe(true);
    expect(await valueOf(cc.connectionString)).toBe(
      "endpoint=https://keyed.communication.azure.com/;accesskey=a2V5ZWQ=",
    );
  });

  it("puts the system topic on an existing resource by its ARM id, resource group taken from the id", async () => {
    const resourceId = `/subscriptions/${SUB}/resourceGroups/rg-existing/providers/Microsoft.Communication/communicationServices/existing`;
    const cc = new ContactCenter("existing-events", {
      communicationServices: { existing: { connectionString, resourceId } },
      events: {
        destination: { webhook: { endpointUrl: "https://hooks.example/jr" } },
        eventTypes: ["RouterJobCompleted"],
      },
    });
    await settle(cc);
    expect(monitor.registrations.some((r) => r.type === "azure-native:communication:CommunicationService")).toBe(false);
    const topic = one("azure-native:eventgrid:SystemTopic");
    expect(topic.raw).toMatchObject({
      source: resourceId,
      topicType: "Microsoft.Communication.CommunicationServices",
      resourceGroupName: "rg-existing",
    });
    const sub = one("azure-native:eventgrid:SystemTopicEventSubscription");
    expect(sub.raw.filter).toMatchObject({
      includedEventTypes: ["Microsoft.Communication.RouterJobCompleted"],
    });
  });

  it("refers to objects managed elsewhere by { id } without a dependency", async () => {
    const cc = new ContactCenter("ext", {
      communicationServices: { existing: { connectionString } },
      queues: {
        local: {
          distributionPolicy: { id: "shared-longest-idle" },
          exceptionPolicy: { id: "shared-overflow" },
        },
      },
    });
    await settle(cc);
    const q = monitor.registrations.find((r) => r.name === "ext-queue-local");
    expect(q?.raw).toMatchObject({
      distributionPolicyId: "shared-longest-idle",
      exceptionPolicyId: "shared-overflow",
    });
    expect(q?.dependencies).toEqual([]);
  });

  it("applies idPrefix to defaulted ids and keeps explicit ids", async () => {
    const cc = new ContactCenter("prefixed", {
      communicationServices: { existing: { connectionString } },
      idPrefix: "prod-",
      adoptExisting: true,
      distributionPolicies: {
        li: { mode: { kind: "longestIdle" } },
        rr: { id: "round-robin-v2" },
      },
      queues: { sales: { distributionPolicy: "rr" } },
    });
    await settle(cc);
    expect(await valueOf(cc.ids)).toEqual({
      distributionPolicies: { li: "prod-li", rr: "round-robin-v2" },
      exceptionPolicies: {},
      classificationPolicies: {},
      queues: { sales: "prod-sales" },
    });
    expect(monitor.registrations.find((r) => r.name === "prefixed-queue-sales")?.raw.distributionPolicyId).toBe(
      "round-robin-v2",
    );
    // adoptExisting reaches every routing object.
    const routing = monitor.registrations.filter((r) => DYNAMIC.test(r.type));
    expect(routing).toHaveLength(3);
    for (const r of routing) expect(r.raw.adoptExisting).toBe(true);
    // Each child carries its owner (project/stack/type/name): the create journal and hand-overs are bound to it.
    expect(monitor.registrations.find((r) => r.name === "prefixed-queue-sales")?.raw["__owner"]).toBe(
      "contact-center-test/unit/RouterQueue/prefixed-queue-sales",
    );
  });
});

describe("ContactCenter (mocks): construction-time validation", () => {
  const existing = {
    existing: {
      connectionString: "endpoint=https://x.communication.azure.com/;accesskey=eA==",
    },
  };

  it("a renamed key with previousKeys keeps the id it had (from the oldest former key) unless id is set", () => {
    const plan = planRouting("c", {
      communicationServices: existing,
      idPrefix: "p-",
      distributionPolicies: { idle: {} },
      queues: {
        gold: { distributionPolicy: "idle", previousKeys: ["vip", "premium"] },
        set: { id: "explicit", distributionPolicy: "idle", previousKeys: ["old"] },
        plain: { distributionPolicy: "idle" },
      },
    });
    const ids = [...plan.objects.values()].filter((o) => o.collection === "queues").map((o) => `${o.key}=${o.id}`);
    expect(ids.sort()).toEqual(["gold=p-vip", "plain=p-plain", "set=explicit"]);
  });

  it("a component's name aliases are its former names (aliases that move it elsewhere are left to Pulumi)", () => {
    expect(
      formerNames("beta", {
        aliases: [
          { name: "alpha" },
          { name: "beta" },
          { name: "x", parent: "urn:pulumi:s::p::t::other" },
          "urn:pulumi:a::b::c::d",
        ],
      }),
    ).toEqual(["alpha"]);
    expect(formerNames("beta", undefined)).toEqual([]);
  });

  it("rejects previousKeys that are not former keys (a current key, not a string, not a list)", () => {
    for (const previousKeys of [["sales"], [""], [1], "vip"]) {
      expect(
        () =>
          new ContactCenter("bad", {
            communicationServices: existing,
            distributionPolicies: { idle: {} },
            queues: { sales: { distributionPolicy: "idle" }, vip: { distributionPolicy: "idle", previousKeys } },
          } as unknown as ContactCenterArgs),
        JSON.stringify(previousKeys),
      ).toThrow(/ContactCenter "bad": queues\.vip\.previousKeys: must be a list of former keys of this entry/);
    }
  });

  it("rejects an unknown key, naming the object, field and key, before registering any child", () => {
    expect(
      () =>
        new ContactCenter("bad", {
          communicationServices: existing,
          distributionPolicies: { "longest-idle": {} },
          queues: { sales: { distributionPolicy: "longest-idel" } },
        }),
    ).toThrow(/ContactCenter "bad": queues\.sales\.distributionPolicy: unknown distribution policy key "longest-idel"/);
    expect(monitor.registrations.filter((r) => r.type !== "jobrouter:index:ContactCenter")).toEqual([]);
  });

  it("rejects events on an existing resource without its ARM id", () => {
    expect(
      () =>
        new ContactCenter("no-id", {
          communicationServices: existing,
          events: {
            destination: {
              webhook: { endpointUrl: "https://hooks.example/x" },
            },
          },
        }),
    ).toThrow(/communicationServices\.existing\.resourceId: required when events is set/);
  });

  it("rejects an unknown event type and a non-https webhook", () => {
    const resourceId = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Communication/communicationServices/x`;
    expect(
      () =>
        new ContactCenter("ev", {
          communicationServices: {
            existing: { ...existing.existing, resourceId },
          },
          events: {
            destination: {
              webhook: { endpointUrl: "https://hooks.example/x" },
            },
            // @ts-expect-error a misspelt event type is a type error too
            eventTypes: ["RouterJobQueued", "RouterJobQeued"],
          },
        }),
    ).toThrow(/events\.eventTypes\[1\]: "RouterJobQeued" is not a Job Router event type/);
    expect(
      () =>
        new ContactCenter("ev2", {
          communicationServices: {
            existing: { ...existing.existing, resourceId },
          },
          events: {
            destination: {
              webhook: { endpointUrl: "http://hooks.example/x?code=abc" },
            },
          },
        }),
    ).toThrow(/events\.destination\.webhook\.endpointUrl: must be an https:\/\/ URL$/);
    expect(
      () =>
        new ContactCenter("ev3", {
          communicationServices: {
            existing: { ...existing.existing, resourceId },
          },
          events: {
            destination: {
              webhook: { endpointUrl: "https://hooks.example/x" },
            },
            retryPolicy: { maxDeliveryAttempts: 31 },
          },
        }),
    ).toThrow(/events\.retryPolicy\.maxDeliveryAttempts: must be an integer from 1 to 30; got 31/);
  });
});
