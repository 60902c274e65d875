// The resources come from the stack config `e2e:resources`: a JSON list of
//   { type: "DistributionPolicy" | "RouterQueue" | "ClassificationPolicy" | "ExceptionPolicy", name, args }
// so one program serves every scenario. Inside args:
//   { "$ref": "<name>" }      → that resource's `id` output (creates a dependency, as a real program would)
//   { "$secret": value }      → pulumi.secret(value)
//   { "$secretConfig": key }  → the secret stack config `e2e:<key>` (a secret Output)
//   { "$plainConfig": key }   → the same value unmarked (a program that forgot pulumi.secret)
//   { "$connection": "string" | "object" } → the harness's connection string (stack config, secret), as a
//                                connection string or as { endpoint, accessKey }
//   { "$number": "NaN" }      → Number("NaN") (JSON has no NaN or Infinity)
"use strict";
const pulumi = require("@pulumi/pulumi");
const jobrouter = require("pulumi-jobrouter");

const specs = new pulumi.Config("e2e").requireObject("resources");
const e2e = new pulumi.Config("e2e");
// Read only when a resource asks for it: one scenario runs without any connection configured.
const connectionString = () => new pulumi.Config("jobrouter").requireSecret("connectionString");
const made = {};

function resolve(value) {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== "object") return value;
  if (typeof value.$ref === "string") {
    const target = made[value.$ref];
    if (!target) throw new Error(`$ref to ${value.$ref}, which is not declared before it`);
    return target.id;
  }
  if (typeof value.$number === "string") return Number(value.$number);
  if ("$secret" in value) return pulumi.secret(resolve(value.$secret));
  if (typeof value.$secretConfig === "string") return e2e.requireSecret(value.$secretConfig);
  if (typeof value.$plainConfig === "string") return pulumi.unsecret(e2e.requireSecret(value.$plainConfig));
  if (value.$connection === "string") return connectionString();
  if (value.$connection === "object") {
    return connectionString().apply((cs) => {
      const endpoint = /endpoint=([^;]+)/i.exec(cs)[1];
      const accessKey = /accesskey=([^;]+)/i.exec(cs)[1];
      return { endpoint, accessKey };
    });
  }
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolve(v);
  return out;
}

for (const spec of specs) {
  const Resource = jobrouter[spec.type];
  if (typeof Resource !== "function") throw new Error(`unknown resource type ${spec.type}`);
  made[spec.name] = new Resource(spec.name, resolve(spec.args ?? {}));
}
