import * as pulumi from "@pulumi/pulumi";
import type { DistributionMode } from "../client/models";
import type { DistributionPolicyArgs } from "../types";
import { inputBag, secretOptions } from "./inputs";
import * as distributionPolicyProvider from "./distributionPolicyProvider";

/**
 * A Job Router distribution policy (`/routing/distributionPolicies/{id}`): how jobs in a queue are
 * offered to workers. The Pulumi `id` is the Job Router id.
 */
export class DistributionPolicy extends pulumi.dynamic.Resource {
  declare public readonly distributionPolicyId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string | undefined>;
  declare public readonly offerExpiresAfterSeconds: pulumi.Output<number | undefined>;
  declare public readonly mode: pulumi.Output<DistributionMode | undefined>;
  /** The ETag of the last write or refresh; sent as If-Match on the next update. */
  declare public readonly etag: pulumi.Output<string>;
  /** Whether this resource adopted its object (`adoptExisting`) rather than creating it. */
  declare public readonly adopted: pulumi.Output<boolean | undefined>;
  /** `leaveOnDelete` as last deployed (undefined: the default, which follows `adopted`). */
  declare public readonly leaveOnDelete: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: DistributionPolicyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      distributionPolicyProvider,
      name,
      inputBag("distributionPolicies", name, args),
      secretOptions(opts),
      "jobrouter",
      "DistributionPolicy",
    );
  }
}
