import * as pulumi from "@pulumi/pulumi";
import type { ExceptionRule } from "../client/models";
import type { ExceptionPolicyArgs } from "../types";
import { inputBag, secretOptions } from "./inputs";
import * as exceptionPolicyProvider from "./exceptionPolicyProvider";

/**
 * A Job Router exception policy (`/routing/exceptionPolicies/{id}`). Actions without an `id` get a
 * stable one (`<ruleId>-<index>-<kind>`) so the service does not generate a new GUID on every update;
 * those derived ids never appear in diffs.
 */
export class ExceptionPolicy extends pulumi.dynamic.Resource {
  declare public readonly exceptionPolicyId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string | undefined>;
  declare public readonly exceptionRules: pulumi.Output<ExceptionRule[] | undefined>;
  /** The ETag of the last write or refresh; sent as If-Match on the next update. */
  declare public readonly etag: pulumi.Output<string>;
  /** Whether this resource adopted its object (`adoptExisting`) rather than creating it. */
  declare public readonly adopted: pulumi.Output<boolean | undefined>;
  /** `leaveOnDelete` as last deployed (undefined: the default, which follows `adopted`). */
  declare public readonly leaveOnDelete: pulumi.Output<boolean | undefined>;

  constructor(name: string, args: ExceptionPolicyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      exceptionPolicyProvider,
      name,
      inputBag("exceptionPolicies", name, args),
      secretOptions(opts),
      "jobrouter",
      "ExceptionPolicy",
    );
  }
}
