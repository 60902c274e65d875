// The native provider's schema (plugin/schema.json) is generated from the TypeScript definitions the dynamic
// classes use (scripts/schema/): these tests fail when the committed file is stale, when a property has no
// description, or when a kind's fields and the schema's disagree.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ADMIN_COLLECTIONS } from "../../provider/client/models";
import { KINDS } from "../../provider/kinds";
import { SCHEMA_PATH, schemaText } from "../../scripts/schema";

const root = path.resolve(__dirname, "..", "..");

interface Prop {
  description?: string;
  secret?: boolean;
  $ref?: string;
  type?: string;
}
interface Schema {
  version: string;
  respectSchemaVersion: boolean;
  config: { variables: Record<string, Prop> };
  provider: { description: string; properties: Record<string, Prop>; inputProperties: Record<string, Prop> };
  types: Record<string, { description: string; properties: Record<string, Prop> }>;
  resources: Record<
    string,
    { description: string; properties: Record<string, Prop>; inputProperties: Record<string, Prop> }
  >;
}

describe("plugin/schema.json", () => {
  const generated = schemaText(root);
  const schema = JSON.parse(generated) as Schema;

  it("is what `npm run schema` writes from the current definitions", () => {
    const committed = fs.readFileSync(path.join(root, SCHEMA_PATH), "utf8");
    expect(committed, "plugin/schema.json is stale: run `npm run schema` and commit it").toBe(generated);
  });

  it("carries the npm package's version and asks the code generators to respect it", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "packages/pulumi-jobrouter/package.json"), "utf8")) as {
      version: string;
    };
    expect(schema.version).toBe(pkg.version);
    expect(schema.respectSchemaVersion).toBe(true);
  });

  it("has the four kinds, each with its id, every service field, connection, adoptExisting and leaveOnDelete", () => {
    expect(Object.keys(schema.resources).sort()).toEqual(
      ADMIN_COLLECTIONS.map((c) => `jobrouter:index:${KINDS[c].typeName}`).sort(),
    );
    for (const c of ADMIN_COLLECTIONS) {
      const r = schema.resources[`jobrouter:index:${KINDS[c].typeName}`];
      expect(Object.keys(r?.inputProperties ?? {})).toEqual([
        KINDS[c].idKey,
        ...KINDS[c].fields,
        "connection",
        "adoptExisting",
        "leaveOnDelete",
      ]);
      expect(Object.keys(r?.properties ?? {})).toEqual([
        KINDS[c].idKey,
        ...KINDS[c].fields,
        "connection",
        "leaveOnDelete",
        "etag",
        "adopted",
      ]);
      expect(r?.inputProperties["connection"]?.secret).toBe(true);
      expect(r?.inputProperties["leaveOnDelete"]?.type).toBe("boolean");
      expect(r?.properties["adopted"]?.type).toBe("boolean");
    }
    expect(schema.config.variables["connectionString"]?.secret).toBe(true);
    // The explicit provider resource (`jobrouter.Provider("eu", connection_string=...)` or `endpoint=...`).
    expect(Object.keys(schema.provider.inputProperties)).toEqual(["connectionString", "endpoint"]);
    expect(schema.provider.inputProperties["connectionString"]).toMatchObject({ type: "string", secret: true });
  });

  it("has `endpoint` (Entra ID, not secret) in the config and on the explicit provider, described", () => {
    expect(Object.keys(schema.config.variables)).toEqual(["connectionString", "endpoint"]);
    for (const endpoint of [
      schema.config.variables["endpoint"],
      schema.provider.inputProperties["endpoint"],
      schema.provider.properties["endpoint"],
    ]) {
      expect(endpoint?.type).toBe("string");
      expect(endpoint?.secret).toBeUndefined();
      expect(endpoint?.description).toMatch(/Entra ID/);
    }
    // Both provider inputs are optional: either may be given alone.
    expect((schema.provider as { requiredInputs?: string[] }).requiredInputs ?? []).toEqual([]);
  });

  it("describes the config variables and the explicit provider's properties", () => {
    const missing: string[] = [];
    for (const [name, p] of Object.entries(schema.config.variables)) if (!p.description) missing.push(`config.${name}`);
    if (!schema.provider.description) missing.push("provider");
    for (const [name, p] of Object.entries({ ...schema.provider.properties, ...schema.provider.inputProperties }))
      if (!p.description) missing.push(`provider.${name}`);
    expect(missing).toEqual([]);
  });

  it("describes every resource, type and property", () => {
    const missing: string[] = [];
    const all = { ...schema.types, ...schema.resources };
    for (const [token, spec] of Object.entries(all)) {
      if (!spec.description) missing.push(token);
      const props = { ...spec.properties, ...("inputProperties" in spec ? spec.inputProperties : {}) };
      for (const [name, p] of Object.entries(props)) if (!p.description) missing.push(`${token}.${name}`);
    }
    expect(missing).toEqual([]);
  });

  it("marks the credentials inside rules secret", () => {
    expect(schema.types["jobrouter:index:OAuth2WebhookClientCredential"]?.properties["clientSecret"]?.secret).toBe(
      true,
    );
    expect(schema.types["jobrouter:index:FunctionRouterRuleCredential"]?.properties["functionKey"]?.secret).toBe(true);
  });
});
