// @pulumi/azure-native is an optional peer dependency of pulumi-jobrouter: only a ContactCenter that creates Azure
// resources (a Communication Services resource, or the Event Grid topic and subscription for events) needs it, and
// it is large. So it is loaded here, when such a resource is declared, never at import time; a user who manages
// only Job Router objects never installs it. Types come from `import type` and vanish from the JavaScript.

import type * as communication from "@pulumi/azure-native/communication";
import type * as eventgrid from "@pulumi/azure-native/eventgrid";

/** The azure-native modules ContactCenter uses, by submodule name. */
export interface AzureNativeModules {
  communication: typeof communication;
  eventgrid: typeof eventgrid;
}

/** Raised when a ContactCenter needs @pulumi/azure-native and it is not installed. */
export class AzureNativeMissingError extends Error {
  constructor(component: string, field: string) {
    super(
      `ContactCenter "${component}": ${field} creates Azure resources, which needs the package @pulumi/azure-native ` +
        "(an optional peer dependency of pulumi-jobrouter). Install it in your project: npm install @pulumi/azure-native",
    );
    this.name = "AzureNativeMissingError";
  }
}

type Require = (id: string) => unknown;

/**
 * Loads `@pulumi/azure-native/<module>`. `component` and `field` name what asked for it in the error raised when the
 * package is missing. `load` is Node's require (a parameter so the missing case can be tested without uninstalling).
 */
export function azureNativeModule<M extends keyof AzureNativeModules>(
  module: M,
  component: string,
  field: string,
  load: Require = require,
): AzureNativeModules[M] {
  const id = `@pulumi/azure-native/${module}`;
  try {
    return load(id) as AzureNativeModules[M];
  } catch (err) {
    // Only "this package is not installed" becomes the friendly error; anything else (a broken install) stays as is.
    const e = err as NodeJS.ErrnoException;
    if (e.code === "MODULE_NOT_FOUND" && e.message.includes("@pulumi/azure-native")) {
      throw new AzureNativeMissingError(component, field);
    }
    throw err;
  }
}
