import * as pulumi from "@pulumi/pulumi";
import type { Labels } from "../client/models";
import type { RouterQueueArgs } from "../types";
import { inputBag, secretOptions } from "./inputs";
import * as routerQueueProvider from "./routerQueueProvider";

/**
 * A Job Router queue (`/routing/queues/{id}`). Pass `distributionPolicyId: policy.id` (and
 * `exceptionPolicyId: exceptions.id`) so Pulumi creates the policy first and deletes it last.
 * The `Id` label the service adds to every queue is not part of `labels` here.
 */
export class RouterQueue extends pulumi.dynamic.Resource {
  declare public readonly queueId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string | undefined>;
  declare public readonly distributionPolicyId: pulumi.Output<string | undefined>;
  declare public readonly labels: pulumi.Output<Labels | undefined>;
  declare public readonly exceptionPolicyId: pulumi.Output<string | undefined>;
  /** The ETag of the last write or refresh; sent as If-Match on the next update. */
  declare public readonly etag: pulumi.Output<string>;
  /** Whether this resource adopted its object (`adoptExisting`) rather than creating it. */
  declare public readonly adopted: pulumi.Output<boolean | undefined>;
  /** `leaveOnDelete` as last deployed (undefined: the default, which follows `adopted`). */
  declare public readonly leaveOnDelete: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: RouterQueueArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(routerQueueProvider, name, inputBag("queues", name, args), secretOptions(opts), "jobrouter", "RouterQueue");
  }
}
