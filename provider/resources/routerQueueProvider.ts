// The dynamic provider of RouterQueue. This module's exports object is the provider itself: Pulumi finds it in
// Node's module cache and, because it is installed under node_modules, serializes it into state as one
// `require("pulumi-jobrouter/dist/provider/resources/routerQueueProvider.js")` instead of as code.
//
// Belt and braces, for a copy of this file loaded from outside node_modules (serialized by value): every
// function loads the implementation by package name when it runs (`require` is never captured), and
// nothing else (no config, secret, client or module of ours) is in their closures. The host resolves
// that `require` from the program's directory, i.e. the installed package, so refresh and destroy run
// the installed code rather than code frozen into state.

import type * as Engine from "../engine";
import type { JsonObject } from "../json";

export async function configure(req: Engine.ConfigureRequest): Promise<void> {
  const engine: typeof Engine = require("pulumi-jobrouter/dist/provider/engine.js");
  return engine.configure(req);
}

export async function check(olds: JsonObject, news: JsonObject): ReturnType<typeof Engine.check> {
  const engine: typeof Engine = require("pulumi-jobrouter/dist/provider/engine.js");
  return engine.check("queues", olds, news);
}

export async function diff(id: string, olds: JsonObject, news: JsonObject): ReturnType<typeof Engine.diff> {
  const engine: typeof Engine = require("pulumi-jobrouter/dist/provider/engine.js");
  return engine.diff("queues", id, olds, news);
}

export async function create(inputs: JsonObject): ReturnType<typeof Engine.create> {
  const engine: typeof Engine = require("pulumi-jobrouter/dist/provider/engine.js");
  return engine.create("queues", inputs);
}

export async function read(id: string, props?: JsonObject): ReturnType<typeof Engine.read> {
  const engine: typeof Engine = require("pulumi-jobrouter/dist/provider/engine.js");
  return engine.read("queues", id, props ?? {});
}

export async function update(id: string, olds: JsonObject, news: JsonObject): ReturnType<typeof Engine.update> {
  const engine: typeof Engine = require("pulumi-jobrouter/dist/provider/engine.js");
  return engine.update("queues", id, olds, news);
}

// `delete` is a reserved word for a function name; the export is named `delete` all the same.
async function remove(id: string, props: JsonObject): Promise<void> {
  const engine: typeof Engine = require("pulumi-jobrouter/dist/provider/engine.js");
  return engine.remove("queues", id, props);
}
export { remove as delete };
