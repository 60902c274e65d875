import * as pulumi from "@pulumi/pulumi";
import type { QueueSelectorAttachment, RouterRule, WorkerSelectorAttachment } from "../client/models";
import type { ClassificationPolicyArgs } from "../types";
import { inputBag, secretOptions } from "./inputs";
import * as classificationPolicyProvider from "./classificationPolicyProvider";

/**
 * A Job Router classification policy (`/routing/classificationPolicies/{id}`): picks a job's queue,
 * priority and worker selectors. Rules that carry a webhook client secret or a function key are
 * encrypted in state as a whole.
 */
export class ClassificationPolicy extends pulumi.dynamic.Resource {
  declare public readonly classificationPolicyId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string | undefined>;
  declare public readonly fallbackQueueId: pulumi.Output<string | undefined>;
  declare public readonly queueSelectorAttachments: pulumi.Output<QueueSelectorAttachment[] | undefined>;
  declare public readonly prioritizationRule: pulumi.Output<RouterRule | undefined>;
  declare public readonly workerSelectorAttachments: pulumi.Output<WorkerSelectorAttachment[] | undefined>;
  /** The ETag of the last write or refresh; sent as If-Match on the next update. */
  declare public readonly etag: pulumi.Output<string>;
  /** Whether this resource adopted its object (`adoptExisting`) rather than creating it. */
  declare public readonly adopted: pulumi.Output<boolean | undefined>;
  /** `leaveOnDelete` as last deployed (undefined: the default, which follows `adopted`). */
  declare public readonly leaveOnDelete: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: ClassificationPolicyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      classificationPolicyProvider,
      name,
      inputBag("classificationPolicies", name, args),
      secretOptions(opts),
      "jobrouter",
      "ClassificationPolicy",
    );
  }
}
