// A ContactCenter's routing maps (keys and references, as a program writes them) as the REST configuration the
// component deploys, for simulating a program's routing without running Pulumi. References resolve exactly as the
// component resolves them (planRouting); values must be plain (an Output is only known at deployment).

import { planRouting, type ContactCenterArgs } from "../components/contactCenter";
import type { RoutingConfig } from "../routing/config";
import { validateConfig } from "./scenario";

type RoutingArgs = Omit<ContactCenterArgs, "communicationServices">;
type Json = unknown;

/** Fail on anything that is not plain JSON data (an Output, a Promise, a function). */
function plain(v: Json, path: string): Json {
  if (v === undefined || v === null || ["string", "number", "boolean"].includes(typeof v)) return v;
  if (Array.isArray(v)) return v.map((x, i) => plain(x, `${path}[${i}]`));
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v as Record<string, Json>)) {
      const p = plain(x, `${path}.${k}`);
      if (p !== undefined) out[k] = p;
    }
    return out;
  }
  throw new Error(`${path}: must be a plain value to be simulated (Outputs are only known at deployment)`);
}

export function configFromContactCenter(args: RoutingArgs, component = "simulation"): RoutingConfig {
  const plan = planRouting(component, { ...args, communicationServices: { existing: { connectionString: "" } } });
  const refId = (refs: Map<string, { id: unknown }>, field: string): Json => refs.get(field)?.id;
  const c: Record<string, Array<Record<string, Json>>> = {
    distributionPolicies: [],
    queues: [],
    classificationPolicies: [],
    exceptionPolicies: [],
  };
  for (const name of plan.order) {
    const p = plan.objects.get(name);
    if (!p) continue;
    const where = `${p.collection}.${p.key}`;
    const refs = p.refs as Map<string, { id: unknown }>;
    let o: Record<string, Json>;
    switch (p.collection) {
      case "distributionPolicies":
        o = {
          id: p.id,
          name: p.spec.name,
          offerExpiresAfterSeconds: p.spec.offerExpiresAfterSeconds,
          mode: p.spec.mode,
        };
        break;
      case "queues":
        o = {
          id: p.id,
          name: p.spec.name,
          distributionPolicyId: refId(refs, "distributionPolicy"),
          exceptionPolicyId: refId(refs, "exceptionPolicy"),
          labels: p.spec.labels,
        };
        break;
      case "classificationPolicies":
        o = {
          id: p.id,
          name: p.spec.name,
          fallbackQueueId: refId(refs, "fallbackQueue"),
          queueSelectorAttachments: p.spec.queueSelectorAttachments,
          prioritizationRule: p.spec.prioritizationRule,
          workerSelectorAttachments: p.spec.workerSelectorAttachments,
        };
        break;
      case "exceptionPolicies":
        o = {
          id: p.id,
          name: p.spec.name,
          exceptionRules: p.spec.exceptionRules.map((rule, i) => ({
            id: rule.id,
            trigger: rule.trigger,
            actions: rule.actions.map((a, j) => {
              const path = `exceptionRules[${i}].actions[${j}]`;
              switch (a.kind) {
                case "cancel":
                  return { kind: a.kind, note: a.note, dispositionCode: a.dispositionCode };
                case "manualReclassify":
                  return {
                    kind: a.kind,
                    queueId: refId(refs, `${path}.queue`),
                    priority: a.priority,
                    workerSelectors: a.workerSelectors,
                  };
                case "reclassify":
                  return {
                    kind: a.kind,
                    classificationPolicyId: refId(refs, `${path}.classificationPolicy`),
                    labelsToUpsert: a.labelsToUpsert,
                  };
              }
            }),
          })),
        };
        break;
    }
    c[p.collection]?.push(plain(o, where) as Record<string, Json>);
  }
  for (const list of Object.values(c)) list.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  return validateConfig(c, component);
}
