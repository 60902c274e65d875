// The emulator's own request/response shapes. Handlers (admin, runtime) see parsed requests and
// return plain responses; the server turns them into HTTP. Keeping node:http out of the handlers
// lets the runtime engineer and the tests drive handlers directly.

import type { AdminCollection } from "../provider/client/models";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface EmulatorRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** Decoded path without the query, e.g. `/routing/queues/q1`. */
  path: string;
  /** Path segments after `/routing/`, decoded, e.g. `["queues", "q1"]`. */
  segments: string[];
  /** Query parameters (the first value of each name). */
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Raw body text ("" when absent). */
  rawBody: string;
  /** Parsed JSON body; `undefined` when the body is empty. The server answers 400 on malformed JSON. */
  body: JsonValue | undefined;
  /** The emulator's clock at the time the request arrived. */
  now: Date;
}

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialized as JSON when present; absent means no body (e.g. 204). */
  body?: unknown;
}

export type { AdminCollection };
