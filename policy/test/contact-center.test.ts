// The pack against what the real ContactCenter component registers: the component runs under
// pulumi.runtime mocks (the azure-native plugin cannot run here), every RegisterResource request is
// recorded as the engine would receive it (parent, property dependencies, secret markers), and the
// recorded resources are fed to the policies as the SDK would feed them.

import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { Secret, type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy } from "@pulumi/policy";
import { secretsPreservingProxy } from "@pulumi/policy/secret";
import { beforeEach, describe, expect, it } from "vitest";
import { ContactCenter, type ContactCenterArgs } from "../../components";
import { policies, resetCredentialObservations, TYPES } from "../policies";
import { makeResourceArgs, runValidations, validateStackResources } from "./fixtures";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contact";

interface Registered {
  type: string;
  name: string;
  urn: string;
  parent: string;
  /** As on the wire: secrets still wrapped in the secret signature object. */
  wire: Record<string, unknown>;
  propertyDependencies: Record<string, string[]>;
}

/** The parts of a RegisterResourceRequest this test reads. */
interface RegisterRequestView {
  getType(): string;
  getName(): string;
  getParent(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
}

let registered: Registered[] = [];

beforeEach(async () => {
  resetCredentialObservations();
  registered = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs as Record<string, unknown> }),
      call: (args) => {
        throw new Error(`unexpected call ${args.token}`);
      },
    },
    "contact-center-policy",
    "unit",
    false,
  );
  const monitor = pulumi.runtime.getMonitor();
  if (!(monitor instanceof MockMonitor)) throw new Error("setMocks did not install a MockMonitor");
  const original = monitor.registerResource.bind(monitor);
  // Record each request as sent, then let the stock mock answer it (its response carries the URN).
  const recording = (req: RegisterRequestView, callback: (err: unknown, res: unknown) => void): Promise<void> => {
    const deps: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => (deps[k] = v.getUrnsList()));
    const entry: Registered = {
      type: req.getType(),
      name: req.getName(),
      urn: "",
      parent: req.getParent(),
      wire: req.getObject()?.toJavaScript() ?? {},
      propertyDependencies: deps,
    };
    registered.push(entry);
    return original(req, (err, res) => {
      const withUrn = res as { getUrn?: () => string } | undefined;
      entry.urn = withUrn?.getUrn?.() ?? "";
      callback(err, res);
    });
  };
  Object.defineProperty(monitor, "registerResource", { value: recording, configurable: true, writable: true });
});

function isSecretMarker(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && Reflect.get(v, SIG_KEY) === SECRET_SIG;
}

/** Wire value -> the plain view (validateResource, stack policies) or the remediation view (Secret instances). */
function decode(v: unknown, keepSecrets: boolean): unknown {
  if (isSecretMarker(v)) return keepSecrets ? new Secret(decode(v.value, true)) : decode(v.value, false);
  if (Array.isArray(v)) return v.map((x) => decode(x, keepSecrets));
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x, keepSecrets)]));
  }
  return v;
}

function output<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

/** Constructs the component and waits until it and every child it exposes are registered. */
async function register(name: string, args: ContactCenterArgs): Promise<ContactCenter> {
  const cc = new ContactCenter(name, args);
  const children: pulumi.Resource[] = [
    ...Object.values(cc.distributionPolicies),
    ...Object.values(cc.exceptionPolicies),
    ...Object.values(cc.classificationPolicies),
    ...Object.values(cc.queues),
    ...[cc.systemTopic, cc.eventSubscription].filter((r): r is NonNullable<typeof r> => r !== undefined),
  ];
  await Promise.all([output(cc.urn), ...children.map((c) => output(c.urn))]);
  return cc;
}

/** The recorded resources as `StackValidationArgs.resources` (outputs = inputs under these mocks). */
function stackResources(): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  const opts = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
  for (const r of registered) {
    byUrn.set(r.urn, {
      type: r.type,
      name: r.name,
      urn: r.urn,
      props: decode(r.wire, false) as Record<string, unknown>,
      opts,
      dependencies: [],
      propertyDependencies: {},
      isType: () => false,
      asType: () => undefined,
    });
  }
  for (const r of registered) {
    const pr = byUrn.get(r.urn);
    if (!pr) continue;
    pr.parent = byUrn.get(r.parent);
    for (const [k, urns] of Object.entries(r.propertyDependencies)) {
      pr.propertyDependencies[k] = urns.map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
    }
  }
  return [...byUrn.values()];
}

interface Found {
  policy: string;
  message: string;
  urn?: string;
}

/**
 * The whole pack over the recorded stack: per resource remediation then validation, then stack policies. Like the
 * engine, it skips a policy whose enforcement level (its own, or the config's override) is "disabled".
 */
async function runPack(config: Record<string, Record<string, unknown>> = {}): Promise<Found[]> {
  const found: Found[] = [];
  const enabled = policies.filter((p) => (config[p.name]?.enforcementLevel ?? p.enforcementLevel) !== "disabled");
  const resourcePolicies = enabled.filter((p): p is ResourceValidationPolicy => !("validateStack" in p));
  const stackPolicies = enabled.filter((p): p is StackValidationPolicy => "validateStack" in p);
  for (const r of registered) {
    for (const p of resourcePolicies) {
      if (!p.remediateResource) continue;
      await p.remediateResource(makeResourceArgs(r, secretsPreservingProxy(decode(r.wire, true)), config[p.name]));
    }
    for (const p of resourcePolicies) {
      const args = makeResourceArgs(r, decode(r.wire, false), config[p.name]);
      for (const message of await runValidations(p, args)) found.push({ policy: p.name, message, urn: r.urn });
    }
  }
  const resources = stackResources();
  for (const p of stackPolicies) {
    for (const v of await validateStackResources(p, resources, config[p.name])) {
      found.push({ policy: p.name, message: v.message, urn: v.urn });
    }
  }
  return found;
}

/** A contact center that should satisfy every guardrail. */
function compliantArgs(): ContactCenterArgs {
  return {
    communicationServices: {
      existing: {
        connectionString: pulumi.secret("endpoint=https://acs-contoso.communication.azure.com/;accesskey=a2V5"),
        resourceId: `${SUB}/providers/Microsoft.Communication/communicationServices/acs-contoso`,
      },
    },
    events: {
      destination: { webhook: { endpointUrl: "https://hooks.contoso.example/jobrouter" } },
      deadLetter: {
        storageAccountId: `${SUB}/providers/Microsoft.Storage/storageAccounts/deadletters`,
        blobContainerName: "jobrouter-deadletters",
      },
    },
    distributionPolicies: {
      standard: { offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle", maxConcurrentOffers: 2 } },
    },
    exceptionPolicies: {
      escalate: {
        exceptionRules: [
          {
            id: "waited-too-long",
            trigger: { kind: "waitTime", thresholdSeconds: 300 },
            actions: [{ kind: "manualReclassify", queue: "overflow", priority: 10 }],
          },
        ],
      },
      "give-up": {
        exceptionRules: [
          { id: "give-up", trigger: { kind: "waitTime", thresholdSeconds: 900 }, actions: [{ kind: "cancel" }] },
        ],
      },
    },
    classificationPolicies: {
      triage: {
        fallbackQueue: "overflow",
        queueSelectorAttachments: [
          { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: "sales" } },
        ],
        prioritizationRule: {
          kind: "webhook",
          webhookUri: "https://priority.contoso.example/score",
          clientCredential: { clientId: "priority-app", clientSecret: "plain-in-the-program" },
        },
      },
    },
    queues: {
      sales: { distributionPolicy: "standard", exceptionPolicy: "escalate" },
      overflow: { distributionPolicy: "standard", exceptionPolicy: "give-up" },
    },
  };
}

describe("the pack over a real ContactCenter's registrations", () => {
  it("uses the type tokens and parent links the pack matches on", async () => {
    const cc = await register("contoso", compliantArgs());
    const ccUrn = await output(cc.urn);
    const types = new Set(registered.map((r) => r.type));
    for (const t of [
      TYPES.contactCenter,
      TYPES.distributionPolicy,
      TYPES.queue,
      TYPES.classificationPolicy,
      TYPES.exceptionPolicy,
      "azure-native:eventgrid:SystemTopicEventSubscription",
    ]) {
      expect(types.has(t), t).toBe(true);
    }
    const sub = registered.find((r) => r.type === "azure-native:eventgrid:SystemTopicEventSubscription");
    expect(sub?.parent).toBe(ccUrn);
  });

  it("a compliant contact center passes every policy (a plaintext client secret is made secret by the resource class)", async () => {
    await register("contoso", compliantArgs());
    expect(await runPack()).toEqual([]);
  });

  it("without a dead-letter destination: one advisory finding, on the Event Grid subscription", async () => {
    const args = compliantArgs();
    const events = args.events;
    if (!events) throw new Error("fixture has events");
    await register("contoso", { ...args, events: { destination: events.destination } });
    const found = await runPack();
    expect(found).toEqual([
      {
        policy: "contact-center-event-dead-letter",
        message: expect.stringMatching(/Event Grid subscription "contoso-jobrouter-events" of ContactCenter "contoso"/),
        urn: registered.find((r) => r.type === "azure-native:eventgrid:SystemTopicEventSubscription")?.urn,
      },
    ]);
    expect(policies.find((p) => p.name === "contact-center-event-dead-letter")?.enforcementLevel).toBe("advisory");
  });

  it("without events: one finding, on the component", async () => {
    const args = compliantArgs();
    await register("contoso", { ...args, events: undefined });
    const found = await runPack();
    expect(found.map((f) => [f.policy, f.urn?.split("::").pop()])).toEqual([
      ["contact-center-event-dead-letter", "contoso"],
    ]);
  });

  it("the children carry the component's guardrail violations: an hour-long offer and a queue without escape", async () => {
    const args = compliantArgs();
    await register("contoso", {
      ...args,
      distributionPolicies: { standard: { offerExpiresAfterSeconds: 3600, mode: { kind: "longestIdle" } } },
      queues: { ...args.queues, sales: { distributionPolicy: "standard" } },
    });
    const found = await runPack();
    expect(found.map((f) => f.policy).sort()).toEqual(["offer-expiry-bounds", "queue-has-exception-policy"]);
  });

  it("a queue selector naming a queue outside the stack is a dangling reference", async () => {
    const args = compliantArgs();
    const triage = args.classificationPolicies?.triage;
    if (!triage) throw new Error("fixture has triage");
    await register("contoso", {
      ...args,
      classificationPolicies: {
        triage: {
          ...triage,
          queueSelectorAttachments: [
            { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: "vip" } },
          ],
        },
      },
    });
    const found = await runPack();
    expect(found).toEqual([
      {
        policy: "references-resolve",
        message: expect.stringMatching(
          /queueSelectorAttachments\[0\]\.queueSelector\.value: "vip" must be the id of a queue/,
        ),
        urn: expect.stringContaining(
          "jobrouter:index:ContactCenter$pulumi-nodejs:dynamic/jobrouter:ClassificationPolicy",
        ),
      },
    ]);
  });
});
