// The administration endpoints (facts §2.1), one generic implementation for the four collections:
//   GET    /routing/<coll>              list (maxpagesize, nextLink)
//   GET    /routing/<coll>/{id}         200 + ETag/Last-Modified, 404 NotFound when missing
//   PATCH  /routing/<coll>/{id}         merge-patch upsert: 201 created / 200 updated
//   DELETE /routing/<coll>/{id}         204; refused with 400/409 while something uses the object
//   GET    /routing/queues/{id}/statistics

import type { AdminCollection } from "../../provider/client/models";
import { ADMIN_COLLECTIONS } from "../../provider/client/models";
import { errorsOf, stripUnknownProperties, validateAdminBody, validateId } from "../../provider/client/validation";
import type { ErrorDetail, ErrorFactory } from "../errors";
import type { EtagFactory } from "../etag";
import { secondResolution } from "../etag";
import type { EmulatorRequest, EmulatorResponse, JsonObject } from "../http";
import { canonicalJson, isJsonObject, mergePatch } from "../mergePatch";
import { checkPreconditions, objectResponse, pageOf, parsePageRequest } from "../resource";
import type { BlockingReference, RuntimeExtension } from "../runtime";
import type { Store, StoredRecord } from "../store";
import { churnsOnFirstUpdate, fillActionIds, normalize } from "./collections";

export interface AdminContext {
  store: Store;
  errors: ErrorFactory;
  etags: EtagFactory;
  /** Only the runtime's view of references is needed here. */
  runtime: Pick<RuntimeExtension, "referencesTo">;
}

export interface AdminHandler {
  handle(req: EmulatorRequest): Promise<EmulatorResponse | undefined>;
}

function isAdminCollection(s: string | undefined): s is AdminCollection {
  return s !== undefined && (ADMIN_COLLECTIONS as readonly string[]).includes(s);
}

const MERGE_PATCH_TYPES = ["application/merge-patch+json", "application/json"];

/** Order of reasons in a 409 message: the recording lists the active-job reason before the fallback one. */
const REASON_RANK: Record<string, number> = {
  ActiveJobWithQueueExist: 0,
  ClassificationPolicyWithFallbackQueueExist: 1,
  AssignedWorkerWithQueueExist: 2,
};

export function createAdminHandler(ctx: AdminContext): AdminHandler {
  const { store, errors, etags, runtime } = ctx;

  function list(req: EmulatorRequest, collection: AdminCollection): EmulatorResponse {
    const page = parsePageRequest(req, errors);
    if ("status" in page) return page;
    return pageOf(req, store.list(collection), page);
  }

  function get(req: EmulatorRequest, collection: AdminCollection, id: string): EmulatorResponse {
    const record = store.get(collection, id);
    if (!record) return errors.notFound(req.path); // [guess] 404 NotFound in the service's envelope
    return objectResponse(record);
  }

  function upsert(req: EmulatorRequest, collection: AdminCollection, id: string): EmulatorResponse {
    const idViolations = validateId(id);
    if (idViolations.length > 0) {
      return errors.badRequest(
        req.path,
        idViolations.map((v) => ({ code: "InvalidId", message: v.message, target: "id" })),
      );
    }
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (contentType !== "" && !MERGE_PATCH_TYPES.includes(contentType)) {
      // [spec] consumes application/merge-patch+json; [guess] plain JSON tolerated, anything else refused
      return {
        status: 415,
        body: {
          communicationError: {
            code: "UnsupportedMediaType",
            message: `Content-Type ${contentType} is not supported; use application/merge-patch+json.`,
            target: req.path,
          },
        },
      };
    }
    if (!isJsonObject(req.body)) {
      return errors.invalidBody(req.path, "The request body must be a JSON object (a JSON merge patch).");
    }
    const existing = store.get(collection, id);
    const failed = checkPreconditions(req, existing, errors);
    if (failed) return failed;

    const patch: JsonObject = structuredClone(req.body);
    // A stray `id` (matching the path) was accepted and ignored [rec]; `etag` is read-only [spec].
    delete patch["id"];
    delete patch["etag"];
    if (collection === "exceptionPolicies") fillActionIds(patch);

    const merged = mergePatch(existing?.body ?? {}, patch);
    const violations = errorsOf(validateAdminBody(collection, merged));
    if (violations.length > 0) {
      // [guess] 400 in the recorded BadRequest shape, one detail per violation (codes are ours)
      return errors.badRequest(
        req.path,
        violations.map((v): ErrorDetail => ({ code: "InvalidValue", message: v.message, target: v.path })),
      );
    }
    const cleaned = stripUnknownProperties(collection, merged);
    if (!isJsonObject(cleaned)) return errors.invalidBody(req.path, "The request body must be a JSON object.");
    const body = normalize(collection, id, cleaned);

    const refusal = checkReferencesOnUpsert(req, collection, body, existing);
    if (refusal) return refusal;

    const now = req.now;
    const unchanged = existing !== undefined && canonicalJson(existing.body) === canonicalJson(body);
    const churn = existing?.meta?.["etagChurnPending"] === true;
    if (existing && unchanged && !churn) {
      // Identical PATCH: 200 with the same ETag and Last-Modified [rec]
      return objectResponse(existing, 200);
    }
    const meta: JsonObject = {};
    if (!existing && churnsOnFirstUpdate(collection)) meta["etagChurnPending"] = true;
    const record = store.put(collection, {
      id,
      etag: etags.admin(now),
      lastModified: secondResolution(now),
      createdAt: existing?.createdAt ?? now.toISOString(),
      body,
      meta,
    });
    return objectResponse(record, existing ? 200 : 201);
  }

  function checkReferencesOnUpsert(
    req: EmulatorRequest,
    collection: AdminCollection,
    body: JsonObject,
    existing: StoredRecord | undefined,
  ): EmulatorResponse | undefined {
    if (collection !== "queues") return undefined;
    const dp = body["distributionPolicyId"];
    // [doc] "the Job Router will validate its existence upon creation of the queue";
    // [guess] also when an update changes it; status 400 and the detail code are ours.
    if (
      typeof dp === "string" &&
      (!existing || existing.body["distributionPolicyId"] !== dp) &&
      !store.get("distributionPolicies", dp)
    ) {
      return errors.badRequest(req.path, [
        {
          code: "DistributionPolicyNotFound",
          message: `Distribution policy '${dp}' does not exist`,
          target: "distributionPolicyId",
        },
      ]);
    }
    return undefined;
  }

  function blockers(collection: AdminCollection, id: string): BlockingReference[] {
    const out: BlockingReference[] = [];
    switch (collection) {
      case "distributionPolicies":
        if (store.list("queues").some((q) => q.body["distributionPolicyId"] === id)) {
          out.push({
            code: "QueueExistsWithDistributionPolicy",
            message: "There is a queue with this distribution policy",
          }); // [rec]
        }
        break;
      case "exceptionPolicies":
        if (store.list("queues").some((q) => q.body["exceptionPolicyId"] === id)) {
          out.push({ code: "QueueExistsWithExceptionPolicy", message: "There is a queue with this exception policy" }); // [rec]
        }
        break;
      case "queues":
        if (store.list("classificationPolicies").some((c) => c.body["fallbackQueueId"] === id)) {
          out.push({
            code: "ClassificationPolicyWithFallbackQueueExist",
            message: "There is classification policy with this queue as fallback queue",
          }); // [rec]
        }
        break;
      case "classificationPolicies":
        break; // only active jobs block it [rec]; that is the runtime's to report
    }
    out.push(...runtime.referencesTo(collection, id));
    return out;
  }

  function remove(req: EmulatorRequest, collection: AdminCollection, id: string): EmulatorResponse {
    if (!store.get(collection, id)) {
      // [guess] 204 for an unknown id (Azure REST guidelines: DELETE is idempotent); the service's answer is unknown
      return { status: 204 };
    }
    const reasons = blockers(collection, id);
    if (reasons.length > 0) {
      if (collection === "queues") {
        // Queues in use: 409 Conflict with the reasons concatenated [rec]
        const sorted = [...reasons].sort((a, b) => (REASON_RANK[a.code] ?? 9) - (REASON_RANK[b.code] ?? 9));
        return errors.conflict(
          req.path,
          sorted.map((r) => r.message),
        );
      }
      // Policies in use: 400 BadRequest with one detail per reason [rec]
      return errors.badRequest(
        req.path,
        reasons.map((r) => ({ code: r.code, message: r.message })),
      );
    }
    store.delete(collection, id);
    return { status: 204 };
  }

  function statistics(req: EmulatorRequest, queueId: string): EmulatorResponse {
    // Real numbers come from the runtime (it sees the request first); without it a queue is empty.
    if (!store.get("queues", queueId)) return errors.notFound(req.path);
    return { status: 200, body: { queueId, length: 0 } };
  }

  return {
    async handle(req) {
      const [collection, id, sub, ...rest] = req.segments;
      if (!isAdminCollection(collection) || rest.length > 0) return undefined;
      if (id === undefined) {
        if (req.method === "GET") return list(req, collection);
        return errors.methodNotAllowed(req.path, req.method, ["GET"]);
      }
      if (sub !== undefined) {
        if (collection === "queues" && sub === "statistics") {
          if (req.method === "GET") return statistics(req, id);
          return errors.methodNotAllowed(req.path, req.method, ["GET"]);
        }
        return undefined;
      }
      switch (req.method) {
        case "GET":
          return get(req, collection, id);
        case "PATCH":
          return upsert(req, collection, id);
        case "DELETE":
          return remove(req, collection, id);
        default:
          return errors.methodNotAllowed(req.path, req.method, ["GET", "PATCH", "DELETE"]);
      }
    },
  };
}
