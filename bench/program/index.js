// N Job Router objects in the mix a contact center has (bench/workload.ts: the same objects the client baseline
// creates), declared in dependency order with references passed as outputs (`policy.id`), as a real program would.
// Stack config (namespace "bench"):
//   n            how many objects
//   changed      the first `changed` objects get " v2" appended to their name (an update of exactly that many)
//   prefix       id prefix (default "b")
//   adopt        adoptExisting on every resource (recovery experiments)
//   functionKey  (secret, optional) function key of the first classification policy of each block
// Shared by `npm run bench` (bench/run.ts) and the reliability/security end-to-end tests.
"use strict";
const pulumi = require("@pulumi/pulumi");
const jobrouter = require("pulumi-jobrouter");
// dist/bench/workload.js, copied beside this file by bench/cli.ts (bench code is not part of the package).
const { benchObjects, ID_KEYS, TYPE_NAMES } = require("./workload.js");

const config = new pulumi.Config("bench");
const functionKey = config.getSecret("functionKey");
const objects = benchObjects(config.requireNumber("n"), {
  changed: config.getNumber("changed") ?? 0,
  prefix: config.get("prefix") ?? "b",
  functionRules: functionKey !== undefined,
});
const adopt = config.getBoolean("adopt") ?? false;

const made = new Map();
for (const o of objects) {
  const args = { ...o.body, [ID_KEYS[o.collection]]: o.id };
  if (adopt) args.adoptExisting = true;
  for (const [field, target] of Object.entries(o.refs)) args[field] = made.get(target).id;
  if (o.needsFunctionKey) {
    args.prioritizationRule = { ...o.body.prioritizationRule, credential: { functionKey } };
  }
  made.set(o.id, new jobrouter[TYPE_NAMES[o.collection]](o.id, args));
}
