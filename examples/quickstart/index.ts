// Quickstart: one distribution policy and one queue on an existing Job Router endpoint.
//
// No `connection` input: each resource reads the secret stack config `jobrouter:connectionString`, or else the
// environment variable JOBROUTER_CONNECTION_STRING. Against the local emulator, that is the line
// `npx jobrouter-emulator` prints.

import { DistributionPolicy, RouterQueue } from "pulumi-jobrouter";

// Offer each job to the worker who has been idle the longest; the offer lapses after a minute.
const longestIdle = new DistributionPolicy("longest-idle", {
  name: "Longest idle",
  offerExpiresAfterSeconds: 60,
  mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
});

// Passing `longestIdle.id` (not a string) makes Pulumi create the policy first and delete it last.
const queue = new RouterQueue("main", {
  name: "Main queue",
  distributionPolicyId: longestIdle.id,
  labels: { department: "general" },
});

export const distributionPolicyId = longestIdle.id;
export const queueId = queue.id;
