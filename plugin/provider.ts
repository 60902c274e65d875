// The native provider: the Provider object `@pulumi/pulumi/provider`'s main() serves, over the very engine the
// dynamic classes use (provider/engine.ts). Everything here is translation, never behaviour:
//  - the type token names the collection; the URN gives the owner string the dynamic classes compute
//    themselves (`project/stack/<TypeName>/name`) and the default Job Router id (the resource name);
//  - secrets are unwrapped before the engine sees them and wrapped again on the way out (wire.ts): the
//    connection always, a field that holds a webhook secret or function key whenever it holds one (as the
//    dynamic classes mark them), and any property whose input was secret.

import type * as provider from "@pulumi/pulumi/provider";
import type { AdminCollection } from "../provider/client/models";
import * as engine from "../provider/engine";
import { containsCredential } from "../provider/credentials";
import type { JsonObject } from "../provider/json";
import { CONNECTION_KEY, KINDS, OWNER_KEY, bookkeepingKey } from "../provider/kinds";
import { schemaText, schemaVersion } from "./schema";
import { ownerOfUrn } from "./urn";
import { unwrapBag, wrapKeys } from "./wire";

/** The properties of `bag` to keep secret: see the header. */
function secretKeysOf(collection: AdminCollection, bag: JsonObject, fromInputs: Iterable<string>): Set<string> {
  const keys = new Set<string>([CONNECTION_KEY, ...fromInputs]);
  for (const field of KINDS[collection].credentialFields) if (containsCredential(bag[field])) keys.add(field);
  return keys;
}

function outgoing(collection: AdminCollection, bag: JsonObject, fromInputs: Iterable<string>): JsonObject {
  return wrapKeys(bag, secretKeysOf(collection, bag, fromInputs));
}

/** Inputs as the dynamic classes would have built them: the id defaulting to the name, and the owner. */
function completed(urn: string, news: JsonObject): { collection: AdminCollection; inputs: JsonObject } {
  const { collection, owner, name } = ownerOfUrn(urn);
  const { idKey } = KINDS[collection];
  const inputs: JsonObject = { ...news };
  if (inputs[idKey] === undefined || inputs[idKey] === null) inputs[idKey] = name;
  inputs[OWNER_KEY] = owner;
  return { collection, inputs };
}

export class JobRouterProvider implements provider.Provider {
  readonly version = schemaVersion();

  async getSchema(): Promise<string> {
    return schemaText();
  }

  async check(urn: string, olds: unknown, news: unknown): Promise<provider.CheckResult> {
    const o = unwrapBag(olds);
    const n = unwrapBag(news);
    const { collection, inputs } = completed(urn, n.plain);
    const outcome = await engine.check(collection, o.plain, inputs);
    return { inputs: outgoing(collection, outcome.inputs, n.secretKeys), failures: outcome.failures };
  }

  async diff(id: string, urn: string, olds: unknown, news: unknown): Promise<provider.DiffResult> {
    const { collection } = ownerOfUrn(urn);
    return engine.diff(collection, id, unwrapBag(olds).plain, unwrapBag(news).plain);
  }

  async create(urn: string, inputs: unknown): Promise<provider.CreateResult> {
    const { collection } = ownerOfUrn(urn);
    const n = unwrapBag(inputs);
    const result = await engine.create(collection, n.plain);
    return { id: result.id, outs: outgoing(collection, result.outs, n.secretKeys) };
  }

  async read(id: string, urn: string, props?: unknown): Promise<provider.ReadResult> {
    const { collection, owner } = ownerOfUrn(urn);
    const p = unwrapBag(props);
    // `pulumi import` (and the `import` resource option) sends no properties; a refresh sends the state's outputs,
    // which always hold at least the id.
    const imported = Object.keys(p.plain).length === 0;
    // The owner from the URN when the state holds none (an import, as at create). State that holds one keeps it
    // under its own key: a stack moved from the dynamic classes written before `__owner` holds `owner`, and a
    // second key would change its outputs at the first refresh.
    const known: JsonObject = { ...p.plain };
    if (bookkeepingKey(known, OWNER_KEY) === undefined) known[OWNER_KEY] = owner;
    const result = await engine.read(collection, id, known, { imported });
    // Gone: the empty id tells the engine to drop it from state (the server needs a property bag all the same).
    if (result.id === "") return { id: "", props: {} };
    return {
      id: result.id,
      props: outgoing(collection, result.props ?? {}, p.secretKeys),
      ...(result.inputs !== undefined ? { inputs: outgoing(collection, result.inputs, p.secretKeys) } : {}),
    };
  }

  async update(id: string, urn: string, olds: unknown, news: unknown): Promise<provider.UpdateResult> {
    const { collection } = ownerOfUrn(urn);
    const n = unwrapBag(news);
    const result = await engine.update(collection, id, unwrapBag(olds).plain, n.plain);
    return { outs: outgoing(collection, result.outs, n.secretKeys) };
  }

  async delete(id: string, urn: string, props: unknown): Promise<void> {
    const { collection } = ownerOfUrn(urn);
    await engine.remove(collection, id, unwrapBag(props).plain);
  }
}
