// Field rules for job and worker upserts and for action bodies. Messages name the property path and
// the rule, as everywhere in this repository. Where the service's rule is unknown the choice is a
// guess, marked so.

import { errorsOf, validateJobBody, validateWorkerBody, type Violation } from "../../provider/client/validation";

export interface FieldError {
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class Checker {
  readonly errors: FieldError[] = [];
  add(path: string, message: string): void {
    this.errors.push({ path, message: `${path}: ${message}` });
  }
  string(o: Obj, key: string, path: string): void {
    const v = o[key];
    if (v !== undefined && v !== null && typeof v !== "string") this.add(path, "must be a string");
  }
  bool(o: Obj, key: string, path: string): void {
    const v = o[key];
    if (v !== undefined && v !== null && typeof v !== "boolean") this.add(path, "must be a boolean");
  }
  dateTime(o: Obj, key: string, path: string, required = false): void {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.add(path, "is required");
      return;
    }
    if (typeof v !== "string" || Number.isNaN(Date.parse(v))) this.add(path, "must be an RFC 3339 date-time");
  }
}

/** The shared field rules (provider/client/validation.ts), as this module's FieldErrors; warnings do not refuse. */
function fieldErrors(violations: readonly Violation[]): FieldError[] {
  return errorsOf(violations).map((v) => ({ path: v.path, message: v.message }));
}

/** A job as it will be stored (the merge patch already applied). */
export function validateJob(body: Obj, creating: boolean): FieldError[] {
  const c = new Checker();
  c.errors.push(...fieldErrors(validateJobBody(body)));
  if (creating) {
    // [guess: the SDKs make channelId a required constructor argument of a job]
    if (typeof body.channelId !== "string" || body.channelId === "") c.add("channelId", "is required");
    // [doc] "If classification policy does not specify a queue selector or a default queue id, then you must specify a queue."
    if (typeof body.queueId !== "string" && typeof body.classificationPolicyId !== "string") {
      c.add("queueId", "is required when no classificationPolicyId is given");
    }
  }
  return c.errors;
}

export function validateWorker(body: Obj): FieldError[] {
  return fieldErrors(validateWorkerBody(body));
}

/** Optional action bodies: `{}` or absent is fine; known fields are type-checked. */
export function validateActionBody(
  body: unknown,
  fields: Record<string, "string" | "boolean" | "dateTime">,
): FieldError[] {
  if (body === undefined || body === null) return [];
  const c = new Checker();
  if (!isObject(body)) {
    c.add("body", "must be a JSON object");
    return c.errors;
  }
  for (const [k, t] of Object.entries(fields)) {
    if (t === "string") c.string(body, k, k);
    else if (t === "boolean") c.bool(body, k, k);
    else c.dateTime(body, k, k);
  }
  return c.errors;
}
