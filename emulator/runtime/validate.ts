// Field rules for job and worker upserts and for action bodies. Messages name the property path and
// the rule, as everywhere in this repository. Where the service's rule is unknown the choice is a
// guess, marked so.

import { LABEL_OPERATORS } from "../../provider/client/models";

export interface FieldError {
  path: string;
  message: string;
}

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): boolean {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
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
  int(o: Obj, key: string, path: string, min?: number, max?: number): void {
    const v = o[key];
    if (v === undefined || v === null) return;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      this.add(path, "must be an integer");
      return;
    }
    if (min !== undefined && v < min) this.add(path, `must be >= ${min} (got ${v})`);
    if (max !== undefined && v > max) this.add(path, `must be <= ${max} (got ${v})`);
  }
  labels(o: Obj, key: string, path: string): void {
    const v = o[key];
    if (v === undefined || v === null) return;
    if (!isObject(v)) {
      this.add(path, "must be an object of label values");
      return;
    }
    for (const [k, lv] of Object.entries(v)) {
      if (!isPrimitive(lv)) this.add(`${path}.${k}`, "must be a string, number, boolean or null");
    }
  }
  dateTime(o: Obj, key: string, path: string, required = false): void {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.add(path, "is required");
      return;
    }
    if (typeof v !== "string" || Number.isNaN(Date.parse(v))) this.add(path, "must be an RFC 3339 date-time");
  }
  selector(v: unknown, path: string, worker: boolean): void {
    if (!isObject(v)) {
      this.add(path, "must be an object");
      return;
    }
    if (typeof v.key !== "string" || v.key === "") this.add(`${path}.key`, "is required (a non-empty string)");
    if (typeof v.labelOperator !== "string" || !(LABEL_OPERATORS as readonly string[]).includes(v.labelOperator)) {
      this.add(`${path}.labelOperator`, `must be one of ${LABEL_OPERATORS.join(", ")}`);
    }
    if (v.value !== undefined && !isPrimitive(v.value))
      this.add(`${path}.value`, "must be a string, number, boolean or null");
    if (worker) {
      const e = v.expiresAfterSeconds;
      if (e !== undefined && e !== null && (typeof e !== "number" || !(e > 0)))
        this.add(`${path}.expiresAfterSeconds`, "must be a number > 0");
      this.bool(v, "expedite", `${path}.expedite`);
    }
  }
}

const MATCHING_KINDS = ["queueAndMatch", "scheduleAndSuspend", "suspend"];

/** A job as it will be stored (the merge patch already applied). */
export function validateJob(body: Obj, creating: boolean): FieldError[] {
  const c = new Checker();
  for (const k of ["channelReference", "channelId", "classificationPolicyId", "queueId", "dispositionCode"])
    c.string(body, k, k);
  // [spec] "Value must be between -100 to 100."
  c.int(body, "priority", "priority", -100, 100);
  c.labels(body, "labels", "labels");
  c.labels(body, "tags", "tags");
  const rws = body.requestedWorkerSelectors;
  if (rws !== undefined && rws !== null) {
    if (!Array.isArray(rws)) c.add("requestedWorkerSelectors", "must be an array");
    else rws.forEach((s, i) => c.selector(s, `requestedWorkerSelectors[${i}]`, true));
  }
  const notes = body.notes;
  if (notes !== undefined && notes !== null) {
    if (!Array.isArray(notes)) c.add("notes", "must be an array");
    else
      notes.forEach((n, i) => {
        if (!isObject(n) || typeof n.message !== "string") c.add(`notes[${i}].message`, "is required (a string)");
        else c.dateTime(n, "addedAt", `notes[${i}].addedAt`);
      });
  }
  const mm = body.matchingMode;
  if (mm !== undefined && mm !== null) {
    if (!isObject(mm) || typeof mm.kind !== "string" || !MATCHING_KINDS.includes(mm.kind)) {
      c.add("matchingMode.kind", `must be one of ${MATCHING_KINDS.join(", ")}`);
    } else if (mm.kind === "scheduleAndSuspend") {
      c.dateTime(mm, "scheduleAt", "matchingMode.scheduleAt", true); // [spec] required
    }
  }
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
  const c = new Checker();
  c.int(body, "capacity", "capacity", 0);
  c.labels(body, "labels", "labels");
  c.labels(body, "tags", "tags");
  c.bool(body, "availableForOffers", "availableForOffers");
  const q = body.queues;
  if (q !== undefined && q !== null) {
    if (!Array.isArray(q)) c.add("queues", "must be an array of queue ids");
    else q.forEach((v, i) => typeof v !== "string" && c.add(`queues[${i}]`, "must be a string"));
  }
  const ch = body.channels;
  if (ch !== undefined && ch !== null) {
    if (!Array.isArray(ch)) c.add("channels", "must be an array");
    else
      ch.forEach((v, i) => {
        const p = `channels[${i}]`;
        if (!isObject(v)) {
          c.add(p, "must be an object");
          return;
        }
        if (typeof v.channelId !== "string" || v.channelId === "")
          c.add(`${p}.channelId`, "is required (a non-empty string)");
        if (v.capacityCostPerJob === undefined || v.capacityCostPerJob === null)
          c.add(`${p}.capacityCostPerJob`, "is required");
        c.int(v, "capacityCostPerJob", `${p}.capacityCostPerJob`, 0);
        c.int(v, "maxNumberOfJobs", `${p}.maxNumberOfJobs`, 1); // [spec] > 0
      });
  }
  return c.errors;
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
