import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, describeResource, violation, type SchemaWithDefaults } from "./common";
import { forKinds } from "./helpers";
import { findOutboundRules } from "./rules";

export interface RuleHttpsConfig {
  allowHttpHosts: string[];
}

const schema: SchemaWithDefaults = {
  properties: {
    allowHttpHosts: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Host names (e.g. a local test server) that webhook and function rules may call over plain http.",
    },
  },
};

/**
 * Job Router sends job labels (often customer data) and credentials to webhook and function rules:
 * over plain http both travel in clear text.
 */
export const ruleEndpointsHttps: ResourceValidationPolicy = {
  name: "rule-endpoints-https",
  description: "Webhook and function rules must call their endpoints over https.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: schema,
  remediationSteps: "Use an https:// URL for webhookUri, authorizationServerUri and functionUri.",
  validateResource: forKinds(["distributionPolicy", "classificationPolicy"], (kind, args, report) => {
    const cfg = configOf<RuleHttpsConfig>(schema, args);
    const allowed = new Set(cfg.allowHttpHosts.map((h) => h.toLowerCase()));
    const where = describeResource(kind, args.name);
    for (const rule of findOutboundRules(args.props)) {
      for (const uri of rule.uris) {
        if (uri.value === undefined || uri.value === "unknown") continue;
        let url: URL | undefined;
        try {
          url = new URL(uri.value);
        } catch {
          url = undefined;
        }
        if (url?.protocol === "https:") continue;
        if (url?.protocol === "http:" && allowed.has(url.hostname.toLowerCase())) continue;
        // Only the scheme is echoed: a URL may carry a function key in its query string.
        const got = url ? `uses ${url.protocol.replace(/:$/, "")}` : "is not an absolute URL";
        report(
          violation(
            where,
            uri.path,
            `must be an https:// URL (${rule.kind} rule at ${rule.path || "the top level"}), but it ${got}.`,
            `serve the endpoint over TLS and use its https:// URL${allowed.size ? "" : ", or list a test host in allowHttpHosts of rule-endpoints-https"}.`,
          ),
        );
      }
    }
  }),
};
