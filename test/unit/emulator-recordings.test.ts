// Conformance: replay the recorded real-service traffic for the administration suites
// (../shared/jobrouter-recordings, read at test time, never copied) against one emulator, in recorded
// order, and compare each answer with what the service answered.
//
// Comparison rules (each one a known, documented difference in *state*, not in behaviour):
// - PATCH 200 and 201 are equivalent: the recorded service already held objects from earlier runs.
// - `etag` values and server-generated exception action ids differ by nature; both are checked for format.
// - A list is compared on the items both sides have (the recorded account held objects of other suites).

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import { SdkClient } from "../fixtures/emulator/harness";

const RECORDINGS = join(__dirname, "..", "..", "..", "shared", "jobrouter-recordings");
const SUITES = [
  "jobrouterclient_classification_policy_operations",
  "jobrouterclient_distribution_policy_operations",
  "jobrouterclient_exception_policy_operations",
  "jobrouterclient_queue_operations",
];
const STEP_ORDER = ["create", "get", "update", "list", "delete"];

interface Entry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders: Record<string, string>;
  RequestBody: unknown;
  StatusCode: number;
  ResponseHeaders: Record<string, string>;
  ResponseBody: unknown;
}

interface Recording {
  file: string;
  suite: string;
  step: number;
  startedAt: number;
  entries: Entry[];
}

function load(): Recording[] {
  const out: Recording[] = [];
  for (const suite of SUITES) {
    for (const file of readdirSync(join(RECORDINGS, suite))) {
      const data = JSON.parse(readFileSync(join(RECORDINGS, suite, file), "utf8")) as { Entries: Entry[] };
      const first = data.Entries[0];
      out.push({
        file: `${suite}/${file}`,
        suite,
        step: STEP_ORDER.findIndex((s) => file.includes(`should_${s}`)),
        startedAt: Date.parse(first?.RequestHeaders["x-ms-date"] ?? ""),
        entries: data.Entries,
      });
    }
  }
  // Recorded order: by the first request's x-ms-date (one-second resolution), then by the suite's own
  // test order within the same second.
  return out.sort((a, b) => a.startedAt - b.startedAt || (a.suite === b.suite ? a.step - b.step : 0));
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ETAG = /^"[0-9a-f]{8}-0000-0700-0000-[0-9a-f]{12}"$/;

/** Replace values that differ by nature (ETags, generated action ids) after checking their format. */
function normalise(value: unknown, problems: string[], path = "$"): unknown {
  if (Array.isArray(value)) return value.map((v, i) => normalise(v, problems, `${path}[${i}]`));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "etag") {
        if (typeof v !== "string" || !ETAG.test(v)) problems.push(`${path}.etag: bad format ${JSON.stringify(v)}`);
        out[k] = "<etag>";
      } else if (k === "id" && /\.actions\[\d+\]$/.test(path) && typeof v === "string" && GUID.test(v)) {
        out[k] = "<generated>";
      } else out[k] = normalise(v, problems, `${path}.${k}`);
    }
    return out;
  }
  return value;
}

function itemsById(body: unknown): Map<string, unknown> {
  const value = (body as { value?: Array<{ id: string }> }).value ?? [];
  return new Map(value.map((v) => [v.id, v]));
}

// The recordings live in ../shared beside the clone. A developer without them skips this file; CI (CI=true) always
// has them, so there a missing folder fails instead of passing silently.
describe.skipIf(!existsSync(RECORDINGS) && process.env["CI"] !== "true")(
  "recorded admin traffic replayed against the emulator",
  () => {
    it("answers every recorded request as the service did (modulo state and generated values)", async () => {
      const recordings = load();
      expect(recordings).toHaveLength(20);
      const emu = await startEmulator();
      const client = new SdkClient(emu.endpoint, emu.accessKey);
      const problems: string[] = [];
      let compared = 0;
      let etagTransitions = 0;
      const etags = new Map<string, { recorded: string; mine: string }>();
      try {
        for (const rec of recordings) {
          for (const [i, entry] of rec.entries.entries()) {
            const url = new URL(entry.RequestUri);
            const body =
              entry.RequestBody === null || entry.RequestBody === undefined
                ? undefined
                : JSON.stringify(entry.RequestBody);
            const r = await client.send(
              entry.RequestMethod,
              `${url.pathname}${url.search}`,
              body === undefined ? {} : { body },
            );
            const where = `${rec.file}#${i} ${entry.RequestMethod} ${url.pathname}`;
            const statusOk =
              r.status === entry.StatusCode ||
              (entry.RequestMethod === "PATCH" &&
                [200, 201].includes(r.status) &&
                [200, 201].includes(entry.StatusCode));
            if (!statusOk) problems.push(`${where}: status ${r.status}, recorded ${entry.StatusCode}: ${r.text}`);
            if (entry.ResponseHeaders["ETag"] !== undefined && r.headers["etag"] === undefined)
              problems.push(`${where}: no ETag header`);
            if (entry.ResponseHeaders["ETag"] === undefined && r.headers["etag"] !== undefined)
              problems.push(`${where}: unexpected ETag header`);
            if (entry.ResponseHeaders["Last-Modified"] !== undefined && r.headers["last-modified"] === undefined)
              problems.push(`${where}: no Last-Modified`);
            if (entry.ResponseHeaders["Content-Type"] !== r.headers["content-type"]) {
              problems.push(
                `${where}: content-type ${r.headers["content-type"]}, recorded ${entry.ResponseHeaders["Content-Type"]}`,
              );
            }
            if (entry.ResponseHeaders["api-supported-versions"] !== r.headers["api-supported-versions"])
              problems.push(`${where}: api-supported-versions`);
            const mine = normalise(r.body, problems, where);
            const theirs = normalise(entry.ResponseBody ?? undefined, [], where);
            if (url.pathname.split("/").length === 3 && entry.RequestMethod === "GET") {
              const a = itemsById(mine);
              const b = itemsById(theirs);
              const shared = [...a.keys()].filter((id) => b.has(id));
              if (shared.length === 0) problems.push(`${where}: no listed item in common`);
              for (const id of shared) {
                if (JSON.stringify(a.get(id)) !== JSON.stringify(b.get(id)))
                  problems.push(`${where}: item ${id}: ${JSON.stringify(a.get(id))} != ${JSON.stringify(b.get(id))}`);
              }
              if ((r.body as { nextLink?: unknown }).nextLink !== undefined)
                problems.push(`${where}: nextLink present`);
            } else if (JSON.stringify(mine) !== JSON.stringify(theirs)) {
              // JSON.stringify also pins the field order, which the service keeps stable.
              problems.push(`${where}: body ${JSON.stringify(mine)} != recorded ${JSON.stringify(theirs)}`);
            }
            // ETag churn: where the service kept an object's ETag between two answers, so must the emulator,
            // and where it changed, the emulator's must change too.
            const recordedTag = entry.ResponseHeaders["ETag"];
            const myTag = r.headers["etag"];
            if (entry.RequestMethod === "DELETE" && r.status === 204) etags.delete(url.pathname);
            if (recordedTag !== undefined && myTag !== undefined) {
              const previous = etags.get(url.pathname);
              if (previous && (previous.recorded === recordedTag) !== (previous.mine === myTag)) {
                problems.push(
                  `${where}: recorded ETag ${previous.recorded === recordedTag ? "kept" : "changed"}, emulator's ${previous.mine === myTag ? "kept" : "changed"}`,
                );
              }
              etags.set(url.pathname, { recorded: recordedTag, mine: myTag });
              etagTransitions += previous ? 1 : 0;
            }
            compared += 1;
          }
        }
      } finally {
        await emu.close();
      }
      expect(problems).toEqual([]);
      expect(compared).toBe(recordings.reduce((n, r) => n + r.entries.length, 0));
      expect(compared).toBe(74);
      // 32 ETag transitions of the same object are compared in the 74 recorded answers.
      expect(etagTransitions).toBe(32);
    });
  },
);
