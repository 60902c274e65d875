// The lazy loader of @pulumi/azure-native (components/azureNative.ts): the optional peer dependency is required only
// when a ContactCenter declares Azure resources, and its absence becomes an error naming the package to install.
// (That a ContactCenter without Azure resources deploys with the package absent is shown by
// test/e2e/consumer-install.test.ts, in a project where it is not installed.)

import { describe, expect, it } from "vitest";
import { AzureNativeMissingError, azureNativeModule } from "../../components/azureNative";

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- /app/index.js`), {
    code: "MODULE_NOT_FOUND",
  });
}

describe("azureNativeModule", () => {
  it("returns the installed submodule", () => {
    const communication = azureNativeModule("communication", "center", "communicationServices.create");
    expect(typeof communication.CommunicationService).toBe("function");
    expect(typeof azureNativeModule("eventgrid", "center", "events").SystemTopic).toBe("function");
  });

  it("names the component, the field and the package to install when @pulumi/azure-native is missing", () => {
    const missing = (id: string): never => {
      throw notFound(id);
    };
    let caught: unknown;
    try {
      azureNativeModule("eventgrid", "support", "events", missing);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AzureNativeMissingError);
    expect((caught as Error).message).toBe(
      'ContactCenter "support": events creates Azure resources, which needs the package @pulumi/azure-native ' +
        "(an optional peer dependency of pulumi-jobrouter). Install it in your project: npm install @pulumi/azure-native",
    );
  });

  it("passes any other failure through unchanged (a broken install is not a missing package)", () => {
    const broken = new SyntaxError("Unexpected token in @pulumi/azure-native/communication/index.js");
    const transitive = notFound("@grpc/grpc-js");
    expect(() =>
      azureNativeModule("communication", "c", "communicationServices.create", () => {
        throw broken;
      }),
    ).toThrow(broken);
    expect(() =>
      azureNativeModule("communication", "c", "communicationServices.create", () => {
        throw transitive;
      }),
    ).toThrow(transitive);
  });
});
