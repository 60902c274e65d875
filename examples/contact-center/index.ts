// A complete contact center on Azure from one ContactCenter component:
//   - a resource group and a storage account whose blob container receives undeliverable events;
//   - the Communication Services resource (its connection string is read with listCommunicationServiceKeys, secret);
//   - an Event Grid system topic on it and a subscription delivering every Job Router event to a webhook;
//   - distribution policies, an exception policy, a classification policy and queues, wired by key.
//
// Config (this project's namespace): webhookUrl (secret, required: your event handler, https),
// location (default westeurope), dataLocation (default Europe).

import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import { ContactCenter } from "pulumi-jobrouter";

const config = new pulumi.Config();
const location = config.get("location") ?? "westeurope";
const dataLocation = config.get("dataLocation") ?? "Europe";
const webhookUrl = config.requireSecret("webhookUrl");
const tags = { app: "contact-center", stack: pulumi.getStack() };

const group = new resources.ResourceGroup("contact-center", { location, tags });

// Events Event Grid cannot deliver after its retries land here instead of being dropped.
const deadLetters = new storage.StorageAccount("deadletters", {
  resourceGroupName: group.name,
  location,
  kind: storage.Kind.StorageV2,
  sku: { name: storage.SkuName.Standard_LRS },
  minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
  allowBlobPublicAccess: false,
  tags,
});
const deadLetterContainer = new storage.BlobContainer("jobrouter-deadletters", {
  resourceGroupName: group.name,
  accountName: deadLetters.name,
  publicAccess: storage.PublicAccess.None,
});

const center = new ContactCenter("contoso", {
  communicationServices: {
    create: { resourceGroupName: group.name, dataLocation, tags },
  },
  events: {
    destination: { webhook: { endpointUrl: webhookUrl, maxEventsPerBatch: 1 } },
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
    deadLetter: { storageAccountId: deadLetters.id, blobContainerName: deadLetterContainer.name },
    tags,
  },
  distributionPolicies: {
    "longest-idle": { name: "Longest idle", offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } },
    "round-robin": { name: "Round robin", offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } },
  },
  queues: {
    sales: {
      name: "Sales",
      distributionPolicy: "longest-idle",
      exceptionPolicy: "sales-escalation",
      labels: { line: "sales" },
    },
    support: {
      name: "Support",
      distributionPolicy: "round-robin",
      exceptionPolicy: "abandon",
      labels: { line: "support" },
    },
    escalations: {
      name: "Escalations",
      distributionPolicy: "longest-idle",
      exceptionPolicy: "abandon",
      labels: { line: "escalations" },
    },
  },
  classificationPolicies: {
    inbound: {
      name: "Inbound",
      fallbackQueue: "support",
      prioritizationRule: { kind: "expression", language: "powerFx", expression: "If(job.vip = true, 10, 1)" },
      queueSelectorAttachments: [
        {
          kind: "conditional",
          condition: { kind: "expression", language: "powerFx", expression: 'job.intent = "buy"' },
          queueSelectors: [{ key: "line", labelOperator: "equal", value: "sales" }],
        },
      ],
    },
  },
  exceptionPolicies: {
    "sales-escalation": {
      name: "Sales escalation",
      exceptionRules: [
        {
          id: "waited-5-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 300 },
          actions: [{ kind: "manualReclassify", queue: "escalations", priority: 10 }],
        },
      ],
    },
    abandon: {
      name: "Abandon after 15 minutes",
      exceptionRules: [
        {
          id: "waited-15-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 900 },
          actions: [{ kind: "cancel", dispositionCode: "Abandoned" }],
        },
      ],
    },
  },
});

export const resourceGroupName = group.name;
export const endpoint = center.endpoint;
export const connectionString = center.connectionString; // secret
export const ids = center.ids;
export const eventSubscriptionId = center.eventSubscriptionId;
