// The package schema the plugin serves (GetSchema). It is generated from the TypeScript definitions the
// dynamic classes use (scripts/schema/, `npm run schema`) and committed as plugin/schema.json; a unit test
// fails when the committed file is stale.

import schema from "./schema.json";

let text: string | undefined;

/** The schema as JSON text. */
export function schemaText(): string {
  text ??= JSON.stringify(schema);
  return text;
}

/** The package version the schema carries: the pulumi-jobrouter npm package's. */
export function schemaVersion(): string {
  return schema.version;
}
