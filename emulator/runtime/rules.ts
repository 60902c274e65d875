// Rule evaluation lives in the routing core (routing/rules.ts); this is only the HTTP caller the emulator injects
// for function and webhook rules and event delivery.

import type { HttpCaller } from "../../routing/rules";

/** The default caller: global fetch with a 10 s timeout (the service's documented request timeout). */
export const fetchHttpCaller: HttpCaller = async (req) => {
  const res = await fetch(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
};
