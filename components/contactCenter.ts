// ContactCenter: one declarative component for a Job Router contact center.
//
// It stands up (or adopts) the Communication Services resource, an Event Grid system topic and subscription for the
// Job Router events, and every routing object, wired in an order the service accepts. Routing objects refer to each
// other by key; the component turns keys into Pulumi dependencies so policies are created before the queues that use
// them and deleted after them.
//
// Structural fields (which mode, the map keys, references, Job Router ids) are plain values: they decide which
// resources exist and in what order, so they must be known when the component is constructed. Everything else is a
// pulumi.Input.

import * as pulumi from "@pulumi/pulumi";
import type * as eventgrid from "@pulumi/azure-native/eventgrid";
import { ClassificationPolicy, DistributionPolicy, ExceptionPolicy, RouterQueue } from "../provider";
import { azureNativeModule } from "./azureNative";
import type { AzureNativeResource } from "./azureNativeResource";
import type { DeepInput } from "../provider/types";
import type {
  DistributionMode,
  Labels,
  QueueSelectorAttachment,
  RouterRule,
  RouterWorkerSelectorInput,
  WorkerSelectorAttachment,
  ExceptionAction,
  ExceptionRule,
  ExceptionTrigger,
} from "../provider/client/models";
import { JOB_ROUTER_EVENT_TYPES, JobRouterEventShortName, JobRouterEventType, normaliseEventType } from "./eventTypes";
import {
  checkDeclarations,
  ContactCenterValidationError,
  DeclaredObject,
  nodeName,
  NodeName,
  ObjectRef,
  orderNodes,
  ReferenceEdge,
  resolveRef,
  ResolvedRef,
  ROUTING_COLLECTIONS,
  RoutingCollection,
} from "./references";

export const CONTACT_CENTER_TYPE = "jobrouter:index:ContactCenter";
/** The Event Grid topic type of a Communication Services resource. */
export const COMMUNICATION_SERVICES_TOPIC_TYPE = "Microsoft.Communication.CommunicationServices";

/** A reference to another routing object: its key in this component, or `{ id }` for one managed elsewhere. */
export type RoutingRef = ObjectRef<pulumi.Input<string>>;

// ---------------------------------------------------------------- Communication Services

/** Create a Communication Services resource; its keys are read with listCommunicationServiceKeys as secrets. */
export interface CreateCommunicationServicesArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  /** The Azure resource name (globally unique). Default: auto-named by Pulumi from the component name. */
  readonly name?: pulumi.Input<string>;
  /** Where data is stored at rest, e.g. "United States", "Europe". */
  readonly dataLocation: pulumi.Input<string>;
  /** Azure location of the resource. Communication Services is a global resource: default "global". */
  readonly location?: pulumi.Input<string>;
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * An existing Communication Services resource: a connection string; or an endpoint with an access key; or an
 * endpoint alone, in which case the providers authenticate with Entra ID (DefaultAzureCredential).
 */
export interface ExistingCommunicationServicesArgs {
  readonly connectionString?: pulumi.Input<string>;
  readonly endpoint?: pulumi.Input<string>;
  readonly accessKey?: pulumi.Input<string>;
  /** The ARM id of the resource. Required only when `events` is set (it is the system topic's source). */
  readonly resourceId?: pulumi.Input<string>;
}

export type CommunicationServicesArgs =
  | {
      readonly create: CreateCommunicationServicesArgs;
      readonly existing?: undefined;
    }
  | {
      readonly existing: ExistingCommunicationServicesArgs;
      readonly create?: undefined;
    };

// ---------------------------------------------------------------- Events

export interface WebhookDestinationArgs {
  /** The HTTPS endpoint. Treated as a secret: webhook URLs often carry a function key in the query. */
  readonly endpointUrl: pulumi.Input<string>;
  readonly maxEventsPerBatch?: pulumi.Input<number>;
  readonly preferredBatchSizeInKilobytes?: pulumi.Input<number>;
  readonly azureActiveDirectoryTenantId?: pulumi.Input<string>;
  readonly azureActiveDirectoryApplicationIdOrUri?: pulumi.Input<string>;
}
export interface StorageQueueDestinationArgs {
  /** ARM id of the storage account. */
  readonly storageAccountId: pulumi.Input<string>;
  readonly queueName: pulumi.Input<string>;
  readonly queueMessageTimeToLiveInSeconds?: pulumi.Input<number>;
}
export interface ServiceBusQueueDestinationArgs {
  /** ARM id of the Service Bus queue. */
  readonly queueId: pulumi.Input<string>;
}
export interface EventHubDestinationArgs {
  /** ARM id of the Event Hub. */
  readonly eventHubId: pulumi.Input<string>;
}

/** Exactly one destination. */
export type EventDestinationArgs =
  | { readonly webhook: WebhookDestinationArgs }
  | { readonly storageQueue: StorageQueueDestinationArgs }
  | { readonly serviceBusQueue: ServiceBusQueueDestinationArgs }
  | { readonly eventHub: EventHubDestinationArgs };

export interface EventsArgs {
  readonly destination: EventDestinationArgs;
  /**
   * The event types to deliver, full (`Microsoft.Communication.RouterJobQueued`) or short (`RouterJobQueued`).
   * Default: every Job Router event type.
   */
  readonly eventTypes?: readonly (JobRouterEventType | JobRouterEventShortName)[];
  /** Resource group of the system topic. Default: the created resource's group, or the one in `resourceId`. */
  readonly resourceGroupName?: pulumi.Input<string>;
  readonly systemTopicName?: pulumi.Input<string>;
  readonly subscriptionName?: pulumi.Input<string>;
  /** Event Grid retries. Defaults: 30 attempts, 1440 minutes (Event Grid's own defaults, stated explicitly). */
  readonly retryPolicy?: {
    readonly maxDeliveryAttempts?: pulumi.Input<number>;
    readonly eventTimeToLiveInMinutes?: pulumi.Input<number>;
  };
  /** Undeliverable events go to this blob container. */
  readonly deadLetter?: {
    readonly storageAccountId: pulumi.Input<string>;
    readonly blobContainerName: pulumi.Input<string>;
  };
  readonly tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

// ---------------------------------------------------------------- Routing objects

interface RoutingObjectBase {
  /** The Job Router id. Default: `idPrefix` + the map key (the first of `previousKeys` when given). */
  readonly id?: string;
  /**
   * Keys this entry had before (a renamed key), oldest first: the child resource keeps its identity (Pulumi
   * `aliases`) and, when `id` is not set, its id (`idPrefix` + the first former key), so renaming a key changes
   * nothing on the service. Without it, a renamed key with the same `id` is refused, and a renamed key whose id
   * comes from the key is a new object (the preview shows the create of the new id and the delete of the old).
   */
  readonly previousKeys?: readonly string[];
  readonly name?: pulumi.Input<string>;
  /** Leave this object on the service when it leaves the program (see docs/ownership.md); overrides the component's. */
  readonly leaveOnDelete?: pulumi.Input<boolean>;
}

export interface DistributionPolicySpec extends RoutingObjectBase {
  readonly offerExpiresAfterSeconds?: pulumi.Input<number>;
  readonly mode?: pulumi.Input<DeepInput<DistributionMode>>;
}

export interface QueueSpec extends RoutingObjectBase {
  /** Key of a distributionPolicies entry, or { id } of a policy managed elsewhere. */
  readonly distributionPolicy: RoutingRef;
  /** Key of an exceptionPolicies entry, or { id }. */
  readonly exceptionPolicy?: RoutingRef;
  readonly labels?: pulumi.Input<DeepInput<Labels>>;
}

export interface ClassificationPolicySpec extends RoutingObjectBase {
  /** Key of a queues entry, or { id }. */
  readonly fallbackQueue?: RoutingRef;
  readonly queueSelectorAttachments?: pulumi.Input<DeepInput<QueueSelectorAttachment[]>>;
  readonly prioritizationRule?: pulumi.Input<DeepInput<RouterRule>>;
  readonly workerSelectorAttachments?: pulumi.Input<DeepInput<WorkerSelectorAttachment[]>>;
}

export type ExceptionActionSpec =
  | {
      readonly kind: "cancel";
      readonly id?: string;
      readonly note?: pulumi.Input<string>;
      readonly dispositionCode?: pulumi.Input<string>;
    }
  | {
      readonly kind: "manualReclassify";
      readonly id?: string;
      /** Key of a queues entry, or { id }. */
      readonly queue?: RoutingRef;
      readonly priority?: pulumi.Input<number>;
      readonly workerSelectors?: pulumi.Input<DeepInput<RouterWorkerSelectorInput[]>>;
    }
  | {
      readonly kind: "reclassify";
      readonly id?: string;
      /** Key of a classificationPolicies entry, or { id }. */
      readonly classificationPolicy?: RoutingRef;
      readonly labelsToUpsert?: pulumi.Input<DeepInput<Labels>>;
    };

export interface ExceptionRuleSpec {
  readonly id: string;
  readonly trigger: pulumi.Input<DeepInput<ExceptionTrigger>>;
  readonly actions: readonly ExceptionActionSpec[];
}

export interface ExceptionPolicySpec extends RoutingObjectBase {
  readonly exceptionRules: readonly ExceptionRuleSpec[];
}

export interface ContactCenterArgs {
  readonly communicationServices: CommunicationServicesArgs;
  /** Event Grid delivery of Job Router events. Omit for no event subscription. */
  readonly events?: EventsArgs;
  readonly distributionPolicies?: Readonly<Record<string, DistributionPolicySpec>>;
  readonly exceptionPolicies?: Readonly<Record<string, ExceptionPolicySpec>>;
  readonly classificationPolicies?: Readonly<Record<string, ClassificationPolicySpec>>;
  readonly queues?: Readonly<Record<string, QueueSpec>>;
  /** Prepended to every defaulted Job Router id (e.g. "prod-" gives "prod-sales"). Default "". */
  readonly idPrefix?: string;
  /**
   * Passed to every routing object: adopt an object that already exists in Job Router instead of failing.
   * `true` adopts only objects that already match (no write); `"overwrite"` writes the declared spec over them.
   */
  readonly adoptExisting?: pulumi.Input<boolean | "overwrite">;
  /**
   * Passed to every routing object (an entry's own `leaveOnDelete` wins): leave the object on the service when
   * its resource is deleted. Default: `true` for adopted objects, `false` for created ones.
   */
  readonly leaveOnDelete?: pulumi.Input<boolean>;
}

/** Every routing object's Job Router id, by collection and key. */
export interface ContactCenterIds {
  distributionPolicies: Record<string, string>;
  exceptionPolicies: Record<string, string>;
  classificationPolicies: Record<string, string>;
  queues: Record<string, string>;
}

/** What the routing objects' `connection` input accepts (the dynamic providers' contract). */
type Connection = string | { endpoint: string; accessKey?: string };

type RoutingResource = DistributionPolicy | RouterQueue | ClassificationPolicy | ExceptionPolicy;

const SHORT: Record<RoutingCollection, string> = {
  distributionPolicies: "dp",
  exceptionPolicies: "ep",
  classificationPolicies: "cp",
  queues: "queue",
};

export class ContactCenter extends pulumi.ComponentResource {
  /** The Job Router endpoint, e.g. https://contoso.communication.azure.com. */
  readonly endpoint: pulumi.Output<string>;
  /** The primary connection string (secret); undefined for Entra ID. */
  readonly connectionString: pulumi.Output<string | undefined>;
  /** Every routing object's Job Router id, by collection and key. */
  readonly ids: pulumi.Output<ContactCenterIds>;
  /** The Event Grid subscription's ARM id; undefined without `events`. */
  readonly eventSubscriptionId: pulumi.Output<string | undefined>;

  readonly communicationService?: AzureNativeResource;
  readonly systemTopic?: AzureNativeResource;
  readonly eventSubscription?: AzureNativeResource;
  readonly distributionPolicies: Readonly<Record<string, DistributionPolicy>>;
  readonly exceptionPolicies: Readonly<Record<string, ExceptionPolicy>>;
  readonly classificationPolicies: Readonly<Record<string, ClassificationPolicy>>;
  readonly queues: Readonly<Record<string, RouterQueue>>;

  constructor(name: string, args: ContactCenterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate everything structural before registering anything: a bad declaration registers nothing.
    const plan = planRouting(name, args);
    const eventTypes = args.events ? checkEvents(name, args) : undefined;
    checkCommunicationServices(name, args.communicationServices);
    super(CONTACT_CENTER_TYPE, name, {}, opts);

    // ---- Communication Services
    const cs = args.communicationServices;
    let endpoint: pulumi.Output<string>;
    let connectionString: pulumi.Output<string | undefined>;
    let connection: pulumi.Output<Connection>;
    let resourceId: pulumi.Input<string> | undefined;
    let resourceGroupName: pulumi.Input<string> | undefined;
    const infraDeps: pulumi.Resource[] = [];

    if (cs.create) {
      const c = cs.create;
      const acs = azureNativeModule("communication", name, "communicationServices.create");
      const service = new acs.CommunicationService(
        `${name}-acs`,
        {
          resourceGroupName: c.resourceGroupName,
          communicationServiceName: c.name,
          dataLocation: c.dataLocation,
          location: c.location ?? "global",
          tags: c.tags,
        },
        { parent: this },
      );
      this.communicationService = service;
      const keys = acs.listCommunicationServiceKeysOutput(
        {
          communicationServiceName: service.name,
          resourceGroupName: c.resourceGroupName,
        },
        { parent: this, dependsOn: [service] },
      );
      const primary = pulumi.secret(
        keys.apply((k) => {
          const v = k.primaryConnectionString;
          if (!v) {
            throw new Error(
              `ContactCenter "${name}": listCommunicationServiceKeys returned no primaryConnectionString`,
            );
          }
          return v;
        }),
      );
      endpoint = pulumi.interpolate`https://${service.hostName}`;
      connectionString = primary;
      connection = primary;
      resourceId = service.id;
      resourceGroupName = c.resourceGroupName;
      infraDeps.push(service);
    } else if (cs.existing) {
      const e = cs.existing;
      resourceId = e.resourceId;
      if (e.connectionString !== undefined) {
        const secretCs = pulumi.secret(e.connectionString);
        connectionString = secretCs;
        connection = secretCs;
        // The endpoint is public information; only the key part of the string is secret.
        endpoint = e.endpoint
          ? pulumi.output(e.endpoint)
          : pulumi.unsecret(secretCs.apply((s) => endpointOfConnectionString(name, s)));
      } else if (e.endpoint !== undefined) {
        endpoint = pulumi.output(e.endpoint);
        if (e.accessKey !== undefined) {
          const key = pulumi.secret(e.accessKey);
          connection = pulumi.all([endpoint, key]).apply(([ep, k]): Connection => ({ endpoint: ep, accessKey: k }));
          connectionString = pulumi.secret(
            pulumi.interpolate`endpoint=${endpoint.apply((ep) => ep.replace(/\/+$/, ""))}/;accesskey=${key}`,
          );
        } else {
          connection = endpoint.apply((ep): Connection => ({ endpoint: ep }));
          connectionString = pulumi.output(undefined);
        }
      } else {
        throw new ContactCenterValidationError(
          name,
          "communicationServices.existing",
          "give connectionString, or endpoint (with accessKey, or alone for Entra ID)",
        );
      }
    } else {
      throw new ContactCenterValidationError(
        name,
        "communicationServices",
        "give exactly one of create: {...} (a new Communication Services resource) or existing: {...}",
      );
    }
    this.endpoint = endpoint;
    this.connectionString = connectionString;

    // ---- Events
    if (args.events && eventTypes) {
      const ev = args.events;
      if (resourceId === undefined) {
        throw new ContactCenterValidationError(
          name,
          "communicationServices.existing.resourceId",
          "required when events is set: it is the Event Grid system topic's source",
        );
      }
      const sourceId = resourceId;
      const group: pulumi.Input<string> =
        ev.resourceGroupName ?? resourceGroupName ?? pulumi.output(sourceId).apply((id) => resourceGroupOf(name, id));
      const grid = azureNativeModule("eventgrid", name, "events");
      this.systemTopic = new grid.SystemTopic(
        `${name}-events`,
        {
          resourceGroupName: group,
          systemTopicName: ev.systemTopicName,
          location: "global",
          source: sourceId,
          topicType: COMMUNICATION_SERVICES_TOPIC_TYPE,
          tags: ev.tags,
        },
        { parent: this, dependsOn: infraDeps },
      );
      this.eventSubscription = new grid.SystemTopicEventSubscription(
        `${name}-jobrouter-events`,
        {
          resourceGroupName: group,
          systemTopicName: this.systemTopic.name,
          eventSubscriptionName: ev.subscriptionName,
          destination: destinationOf(ev.destination),
          eventDeliverySchema: "EventGridSchema",
          filter: { includedEventTypes: [...eventTypes] },
          retryPolicy: {
            maxDeliveryAttempts: ev.retryPolicy?.maxDeliveryAttempts ?? 30,
            eventTimeToLiveInMinutes: ev.retryPolicy?.eventTimeToLiveInMinutes ?? 1440,
          },
          deadLetterDestination: ev.deadLetter
            ? {
                endpointType: "StorageBlob",
                resourceId: ev.deadLetter.storageAccountId,
                blobContainerName: ev.deadLetter.blobContainerName,
              }
            : undefined,
        },
        { parent: this, dependsOn: [this.systemTopic] },
      );
      this.eventSubscriptionId = this.eventSubscription.id;
    } else {
      this.eventSubscriptionId = pulumi.output(undefined);
    }

    // ---- Routing objects, dependencies first.
    const created = new Map<NodeName, RoutingResource>();
    const dps: Record<string, DistributionPolicy> = {};
    const eps: Record<string, ExceptionPolicy> = {};
    const cps: Record<string, ClassificationPolicy> = {};
    const qs: Record<string, RouterQueue> = {};
    const common = { connection, adoptExisting: args.adoptExisting };
    const componentNames = formerNames(name, opts);

    for (const node of plan.order) {
      const p = plan.objects.get(node);
      if (!p) continue;
      // Referenced objects by key become dependsOn: creates wait for them, deletes happen after ours.
      const deps: pulumi.Resource[] = [...infraDeps];
      for (const e of plan.edges) {
        if (e.from !== node) continue;
        const target = created.get(e.to);
        if (target && !deps.includes(target)) deps.push(target);
      }
      // A renamed key keeps the child's identity through aliases (the parent stays this component), and so does a
      // renamed component: each name alias of the component gives each child the alias of its old name. (Pulumi
      // derives child aliases from the parent's only when the parent itself is found by its alias; after a refused
      // `up` of the renamed component, the new component is already in the state and found by its own name.)
      const keys = [p.key, ...(p.spec.previousKeys ?? [])];
      const childAliases = [
        ...keys.slice(1).map((k) => `${name}-${SHORT[p.collection]}-${k}`),
        ...componentNames.flatMap((c) => keys.map((k) => `${c}-${SHORT[p.collection]}-${k}`)),
      ];
      const childOpts: pulumi.CustomResourceOptions = {
        parent: this,
        dependsOn: deps,
        ...(childAliases.length > 0 ? { aliases: childAliases.map((n) => ({ name: n })) } : {}),
      };
      const resourceName = `${name}-${SHORT[p.collection]}-${p.key}`;
      // Check failures of the object then name it by this component and key (provider/origin.ts).
      const componentOrigin = `ContactCenter "${name}" ${p.collection}.${p.key}`;
      const leaveOnDelete = p.spec.leaveOnDelete ?? args.leaveOnDelete;
      const own = { componentOrigin, ...(leaveOnDelete !== undefined ? { leaveOnDelete } : {}) };
      let resource: RoutingResource;
      switch (p.collection) {
        case "distributionPolicies": {
          const s = p.spec;
          resource = dps[p.key] = new DistributionPolicy(
            resourceName,
            {
              ...common,
              ...own,
              distributionPolicyId: p.id,
              name: s.name,
              offerExpiresAfterSeconds: s.offerExpiresAfterSeconds,
              mode: s.mode,
            },
            childOpts,
          );
          break;
        }
        case "queues": {
          const s = p.spec;
          resource = qs[p.key] = new RouterQueue(
            resourceName,
            {
              ...common,
              ...own,
              queueId: p.id,
              name: s.name,
              distributionPolicyId: refValue(p.refs.get("distributionPolicy")),
              exceptionPolicyId: refValue(p.refs.get("exceptionPolicy")),
              labels: s.labels,
            },
            childOpts,
          );
          break;
        }
        case "classificationPolicies": {
          const s = p.spec;
          resource = cps[p.key] = new ClassificationPolicy(
            resourceName,
            {
              ...common,
              ...own,
              classificationPolicyId: p.id,
              name: s.name,
              fallbackQueueId: refValue(p.refs.get("fallbackQueue")),
              queueSelectorAttachments: s.queueSelectorAttachments,
              prioritizationRule: s.prioritizationRule,
              workerSelectorAttachments: s.workerSelectorAttachments,
            },
            childOpts,
          );
          break;
        }
        case "exceptionPolicies": {
          const s = p.spec;
          resource = eps[p.key] = new ExceptionPolicy(
            resourceName,
            {
              ...common,
              ...own,
              exceptionPolicyId: p.id,
              name: s.name,
              exceptionRules: exceptionRulesOf(s, p.refs),
            },
            childOpts,
          );
          break;
        }
      }
      created.set(node, resource);
    }
    this.distributionPolicies = dps;
    this.exceptionPolicies = eps;
    this.classificationPolicies = cps;
    this.queues = qs;

    const idsOf = (m: Record<string, RoutingResource>): pulumi.Output<Record<string, string>> =>
      pulumi.all(Object.fromEntries(Object.entries(m).map(([k, r]) => [k, r.id]))).apply((v) => ({ ...v }));
    this.ids = pulumi
      .all([idsOf(dps), idsOf(eps), idsOf(cps), idsOf(qs)])
      .apply(([distributionPolicies, exceptionPolicies, classificationPolicies, queues]): ContactCenterIds => ({
        distributionPolicies,
        exceptionPolicies,
        classificationPolicies,
        queues,
      }));

    this.registerOutputs({
      endpoint: this.endpoint,
      connectionString: this.connectionString,
      ids: this.ids,
      eventSubscriptionId: this.eventSubscriptionId,
    });
  }
}

// ---------------------------------------------------------------- planning (pure, construction-time)

type AnySpec = DistributionPolicySpec | QueueSpec | ClassificationPolicySpec | ExceptionPolicySpec;
type Refs = Map<string, ResolvedRef<pulumi.Input<string>>>;

interface PlannedBase {
  readonly key: string;
  readonly id: string;
  /** Resolved references by field path relative to the object (e.g. `distributionPolicy`, `exceptionRules[0].actions[1].queue`). */
  readonly refs: Refs;
}
type PlannedObject =
  | (PlannedBase & {
      readonly collection: "distributionPolicies";
      readonly spec: DistributionPolicySpec;
    })
  | (PlannedBase & { readonly collection: "queues"; readonly spec: QueueSpec })
  | (PlannedBase & {
      readonly collection: "classificationPolicies";
      readonly spec: ClassificationPolicySpec;
    })
  | (PlannedBase & {
      readonly collection: "exceptionPolicies";
      readonly spec: ExceptionPolicySpec;
    });

export interface RoutingPlan {
  readonly objects: Map<NodeName, PlannedObject>;
  readonly edges: ReferenceEdge[];
  /** Creation order: every object after the objects it references by key. */
  readonly order: NodeName[];
}

/**
 * The component's former names, from its name aliases (`aliases: [{ name: "alpha" }]`): plain objects whose only
 * change is the name. Aliases that move the component elsewhere (another parent, stack or project) are left to Pulumi.
 */
export function formerNames(name: string, opts: pulumi.ComponentResourceOptions | undefined): string[] {
  const out: string[] = [];
  for (const alias of opts?.aliases ?? []) {
    if (alias === null || typeof alias !== "object" || pulumi.Output.isInstance(alias)) continue;
    const keys = Object.keys(alias).filter((k) => (alias as Record<string, unknown>)[k] !== undefined);
    const former = (alias as { name?: unknown }).name;
    if (keys.length === 1 && typeof former === "string" && former !== name && !out.includes(former)) out.push(former);
  }
  return out;
}

/** Validates the routing maps (keys, ids, references, cycles) and computes the creation order. */
export function planRouting(component: string, args: ContactCenterArgs): RoutingPlan {
  const prefix = args.idPrefix ?? "";
  const maps: {
    readonly [C in RoutingCollection]: Readonly<Record<string, AnySpec>>;
  } = {
    distributionPolicies: args.distributionPolicies ?? {},
    exceptionPolicies: args.exceptionPolicies ?? {},
    classificationPolicies: args.classificationPolicies ?? {},
    queues: args.queues ?? {},
  };
  const declared: DeclaredObject[] = [];
  const idsByCollection = new Map<RoutingCollection, Map<string, string>>();
  for (const collection of ROUTING_COLLECTIONS) {
    const ids = new Map<string, string>();
    for (const [key, spec] of Object.entries(maps[collection])) {
      if (spec === null || typeof spec !== "object") {
        throw new ContactCenterValidationError(component, `${collection}.${key}`, "must be an object");
      }
      const previous: unknown = spec.previousKeys;
      if (
        previous !== undefined &&
        (!Array.isArray(previous) || previous.some((k) => typeof k !== "string" || k === "" || k in maps[collection]))
      ) {
        throw new ContactCenterValidationError(
          component,
          `${collection}.${key}.previousKeys`,
          "must be a list of former keys of this entry (non-empty strings that are not current keys)",
        );
      }
      // A renamed key keeps the id it had: the default id comes from the first (oldest) former key, so a rename
      // with `previousKeys` is the same resource with the same object, never a delete of the old id.
      const idKey: string = Array.isArray(previous) && typeof previous[0] === "string" ? previous[0] : key;
      const id: unknown = spec.id ?? `${prefix}${idKey}`;
      if (typeof id !== "string") {
        throw new ContactCenterValidationError(
          component,
          `${collection}.${key}.id`,
          "must be a plain string, not an Output (ids decide the resource graph at construction)",
        );
      }
      ids.set(key, id);
      declared.push({ collection, key, id });
    }
    idsByCollection.set(collection, ids);
  }
  checkDeclarations(component, declared);

  const objects = new Map<NodeName, PlannedObject>();
  const edges: ReferenceEdge[] = [];
  /** Resolves one reference of `collection.key` and records the edge it implies. */
  const resolver = (collection: RoutingCollection, key: string, refs: Refs) => {
    const from = nodeName(collection, key);
    return (field: string, ref: RoutingRef | undefined, target: RoutingCollection): void => {
      const path = `${collection}.${key}.${field}`;
      const r = resolveRef(component, path, ref, target, idsByCollection.get(target) ?? new Map<string, string>());
      if (!r) return;
      refs.set(field, r);
      if (r.kind === "key") edges.push({ from, to: nodeName(r.collection, r.key), path });
    };
  };
  const idOf = (collection: RoutingCollection, key: string): string =>
    idsByCollection.get(collection)?.get(key) ?? `${prefix}${key}`;

  for (const [key, spec] of Object.entries(args.distributionPolicies ?? {})) {
    const refs: Refs = new Map();
    objects.set(nodeName("distributionPolicies", key), {
      collection: "distributionPolicies",
      key,
      id: idOf("distributionPolicies", key),
      spec,
      refs,
    });
  }
  for (const [key, spec] of Object.entries(args.exceptionPolicies ?? {})) {
    const refs: Refs = new Map();
    const add = resolver("exceptionPolicies", key, refs);
    const base = `exceptionPolicies.${key}`;
    const rules: unknown = spec.exceptionRules;
    if (!Array.isArray(rules)) {
      throw new ContactCenterValidationError(component, `${base}.exceptionRules`, "must be an array");
    }
    const ruleIds = new Set<string>();
    spec.exceptionRules.forEach((rule, i) => {
      const rulePath = `exceptionRules[${i}]`;
      if (typeof rule.id !== "string" || rule.id === "") {
        throw new ContactCenterValidationError(component, `${base}.${rulePath}.id`, "must be a non-empty string");
      }
      if (ruleIds.has(rule.id)) {
        throw new ContactCenterValidationError(
          component,
          `${base}.${rulePath}.id`,
          `duplicate exception rule id "${rule.id}"`,
        );
      }
      ruleIds.add(rule.id);
      const actions: unknown = rule.actions;
      if (!Array.isArray(actions) || actions.length === 0) {
        throw new ContactCenterValidationError(component, `${base}.${rulePath}.actions`, "must be a non-empty array");
      }
      rule.actions.forEach((action, j) => {
        const actionPath = `${rulePath}.actions[${j}]`;
        const kind: string = action.kind;
        if (action.kind === "manualReclassify") add(`${actionPath}.queue`, action.queue, "queues");
        else if (action.kind === "reclassify") {
          add(`${actionPath}.classificationPolicy`, action.classificationPolicy, "classificationPolicies");
        } else if (kind !== "cancel") {
          throw new ContactCenterValidationError(
            component,
            `${base}.${actionPath}.kind`,
            `"${kind}" is not one of cancel, manualReclassify, reclassify`,
          );
        }
      });
    });
    objects.set(nodeName("exceptionPolicies", key), {
      collection: "exceptionPolicies",
      key,
      id: idOf("exceptionPolicies", key),
      spec,
      refs,
    });
  }
  for (const [key, spec] of Object.entries(args.classificationPolicies ?? {})) {
    const refs: Refs = new Map();
    resolver("classificationPolicies", key, refs)("fallbackQueue", spec.fallbackQueue, "queues");
    objects.set(nodeName("classificationPolicies", key), {
      collection: "classificationPolicies",
      key,
      id: idOf("classificationPolicies", key),
      spec,
      refs,
    });
  }
  for (const [key, spec] of Object.entries(args.queues ?? {})) {
    const refs: Refs = new Map();
    const add = resolver("queues", key, refs);
    if (spec.distributionPolicy === undefined || spec.distributionPolicy === null) {
      throw new ContactCenterValidationError(
        component,
        `queues.${key}.distributionPolicy`,
        "is required: a queue needs a distribution policy to offer its jobs to workers",
      );
    }
    add("distributionPolicy", spec.distributionPolicy, "distributionPolicies");
    add("exceptionPolicy", spec.exceptionPolicy, "exceptionPolicies");
    objects.set(nodeName("queues", key), {
      collection: "queues",
      key,
      id: idOf("queues", key),
      spec,
      refs,
    });
  }

  const order = orderNodes(
    component,
    declared.map((d) => nodeName(d.collection, d.key)),
    edges,
  );
  return { objects, edges, order };
}

/** The value to send for a reference: the known Job Router id of a keyed object, or the external id. */
function refValue(r: ResolvedRef<pulumi.Input<string>> | undefined): pulumi.Input<string> | undefined {
  if (!r) return undefined;
  return r.id;
}

/**
 * Builds the exception rules with references resolved. Action ids are passed through as given: when absent, the
 * provider derives a stable one (`<rule id>-<index>-<kind>`), so the service does not mint a new GUID on every write.
 */
function exceptionRulesOf(spec: ExceptionPolicySpec, refs: Refs): DeepInput<ExceptionRule>[] {
  return spec.exceptionRules.map((rule, i) => ({
    id: rule.id,
    trigger: rule.trigger,
    actions: rule.actions.map((a, j): pulumi.Input<DeepInput<ExceptionAction>> => {
      const path = `exceptionRules[${i}].actions[${j}]`;
      switch (a.kind) {
        case "cancel":
          return { kind: a.kind, id: a.id, note: a.note, dispositionCode: a.dispositionCode };
        case "manualReclassify":
          return {
            kind: a.kind,
            id: a.id,
            queueId: refValue(refs.get(`${path}.queue`)),
            priority: a.priority,
            workerSelectors: a.workerSelectors,
          };
        case "reclassify":
          return {
            kind: a.kind,
            id: a.id,
            classificationPolicyId: refValue(refs.get(`${path}.classificationPolicy`)),
            labelsToUpsert: a.labelsToUpsert,
          };
      }
    }),
  }));
}

function checkCommunicationServices(component: string, cs: CommunicationServicesArgs): void {
  const modes =
    cs && typeof cs === "object" ? (["create", "existing"] as const).filter((m) => cs[m] !== undefined) : [];
  if (modes.length !== 1) {
    throw new ContactCenterValidationError(
      component,
      "communicationServices",
      "give exactly one of create: {...} (a new Communication Services resource) or existing: {...}",
    );
  }
  const e = cs.existing;
  if (e && e.connectionString === undefined && e.endpoint === undefined) {
    throw new ContactCenterValidationError(
      component,
      "communicationServices.existing",
      "give connectionString, or endpoint (with accessKey, or alone for Entra ID)",
    );
  }
  if (e && e.connectionString !== undefined && e.accessKey !== undefined) {
    throw new ContactCenterValidationError(
      component,
      "communicationServices.existing.accessKey",
      "give either connectionString or endpoint with accessKey, not both",
    );
  }
}

// ---------------------------------------------------------------- events helpers

function checkEvents(component: string, args: ContactCenterArgs): JobRouterEventType[] {
  const ev = args.events;
  if (!ev) return [];
  const requested = ev.eventTypes ?? JOB_ROUTER_EVENT_TYPES;
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new ContactCenterValidationError(
      component,
      "events.eventTypes",
      "must list at least one Job Router event type (omit it for all of them)",
    );
  }
  const out: JobRouterEventType[] = [];
  requested.forEach((t: string, i: number) => {
    const full = typeof t === "string" ? normaliseEventType(t) : undefined;
    if (!full) {
      throw new ContactCenterValidationError(
        component,
        `events.eventTypes[${i}]`,
        `"${String(t)}" is not a Job Router event type (expected one of ${JOB_ROUTER_EVENT_TYPES.join(", ")})`,
      );
    }
    if (out.includes(full)) {
      throw new ContactCenterValidationError(component, `events.eventTypes[${i}]`, `duplicate event type ${full}`);
    }
    out.push(full);
  });

  const dest = ev.destination;
  const kinds = dest && typeof dest === "object" ? Object.keys(dest).filter((k) => DESTINATION_KINDS.includes(k)) : [];
  if (kinds.length !== 1 || Object.keys(dest).length !== 1) {
    throw new ContactCenterValidationError(
      component,
      "events.destination",
      `give exactly one of ${DESTINATION_KINDS.join(", ")}`,
    );
  }
  if ("webhook" in dest) {
    const url = dest.webhook.endpointUrl;
    // Only a known string can be checked now; an Output is checked by Event Grid itself. The URL is not echoed:
    // it may carry a function key.
    if (typeof url === "string" && !url.startsWith("https://")) {
      throw new ContactCenterValidationError(
        component,
        "events.destination.webhook.endpointUrl",
        "must be an https:// URL",
      );
    }
  }
  const rp = ev.retryPolicy;
  checkRange(component, "events.retryPolicy.maxDeliveryAttempts", rp?.maxDeliveryAttempts, 1, 30);
  checkRange(component, "events.retryPolicy.eventTimeToLiveInMinutes", rp?.eventTimeToLiveInMinutes, 1, 1440);
  if (args.communicationServices.existing && args.communicationServices.existing.resourceId === undefined) {
    throw new ContactCenterValidationError(
      component,
      "communicationServices.existing.resourceId",
      "required when events is set: it is the Event Grid system topic's source",
    );
  }
  return out;
}

const DESTINATION_KINDS = ["webhook", "storageQueue", "serviceBusQueue", "eventHub"];

function checkRange(
  component: string,
  path: string,
  v: pulumi.Input<number> | undefined,
  min: number,
  max: number,
): void {
  if (typeof v === "number" && (!Number.isInteger(v) || v < min || v > max)) {
    throw new ContactCenterValidationError(component, path, `must be an integer from ${min} to ${max}; got ${v}`);
  }
}

function destinationOf(d: EventDestinationArgs): eventgrid.SystemTopicEventSubscriptionArgs["destination"] | undefined {
  if ("webhook" in d) {
    const w = d.webhook;
    return {
      endpointType: "WebHook",
      endpointUrl: pulumi.secret(w.endpointUrl),
      maxEventsPerBatch: w.maxEventsPerBatch,
      preferredBatchSizeInKilobytes: w.preferredBatchSizeInKilobytes,
      azureActiveDirectoryTenantId: w.azureActiveDirectoryTenantId,
      azureActiveDirectoryApplicationIdOrUri: w.azureActiveDirectoryApplicationIdOrUri,
    };
  }
  if ("storageQueue" in d) {
    return {
      endpointType: "StorageQueue",
      resourceId: d.storageQueue.storageAccountId,
      queueName: d.storageQueue.queueName,
      queueMessageTimeToLiveInSeconds: d.storageQueue.queueMessageTimeToLiveInSeconds,
    };
  }
  if ("serviceBusQueue" in d)
    return {
      endpointType: "ServiceBusQueue",
      resourceId: d.serviceBusQueue.queueId,
    };
  return { endpointType: "EventHub", resourceId: d.eventHub.eventHubId };
}

/** `/subscriptions/<s>/resourceGroups/<rg>/providers/...` -> `<rg>`. */
export function resourceGroupOf(component: string, resourceId: string): string {
  const m = /\/resourceGroups\/([^/]+)/i.exec(resourceId);
  if (!m || !m[1]) {
    throw new ContactCenterValidationError(
      component,
      "communicationServices.existing.resourceId",
      "must be an ARM id containing /resourceGroups/<name>/ (or set events.resourceGroupName)",
    );
  }
  return m[1];
}

/** The endpoint part of `endpoint=...;accesskey=...`. Errors never quote the string: it holds the key. */
export function endpointOfConnectionString(component: string, s: string): string {
  for (const part of s.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === "endpoint") {
      return part
        .slice(eq + 1)
        .trim()
        .replace(/\/+$/, "");
    }
  }
  throw new ContactCenterValidationError(
    component,
    "communicationServices.existing.connectionString",
    "must have the form endpoint=<url>;accesskey=<key> (value not shown: it is secret)",
  );
}
