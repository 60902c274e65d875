// The type ContactCenter gives the Azure resources it creates, in a module of its own: the published declarations
// of ContactCenter import it from here, and it names nothing of @pulumi/azure-native, so a TypeScript project
// without that optional peer dependency type-checks (even with skipLibCheck off). azureNative.ts, which does name
// the package, is only reached by the JavaScript.

import type * as pulumi from "@pulumi/pulumi";

/**
 * An Azure resource ContactCenter created with @pulumi/azure-native (the CommunicationService, SystemTopic or
 * SystemTopicEventSubscription object itself). Cast to the azure-native class for its other outputs, e.g.
 * `center.communicationService as communication.CommunicationService`.
 */
export interface AzureNativeResource extends pulumi.CustomResource {
  readonly name: pulumi.Output<string>;
}
