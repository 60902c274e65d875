import { describe, expect, it } from "vitest";
import {
  ConnectionStringError,
  JobRouterError,
  errorFromException,
  errorFromResponse,
  paginate,
  parseConnectionString,
  parseErrorBody,
  redact,
  type Page,
} from "../../provider/client";

const KEY = "c2VjcmV0LWtleS1ub2JvZHktc2hvdWxkLXNlZS10aGlzLTEyMzQ1Ng==";

describe("parseConnectionString", () => {
  it("parses the Azure form and normalises the endpoint", () => {
    expect(parseConnectionString(`endpoint=https://contoso.communication.azure.com/;accesskey=${KEY}`)).toEqual({
      endpoint: "https://contoso.communication.azure.com",
      accessKey: KEY,
    });
  });

  it("accepts the emulator form, any key case and order, and a trailing ';'", () => {
    expect(parseConnectionString(`AccessKey=${KEY};Endpoint=http://127.0.0.1:4567/;`)).toEqual({
      endpoint: "http://127.0.0.1:4567",
      accessKey: KEY,
    });
  });

  it("keeps '=' padding inside the key", () => {
    expect(parseConnectionString(`endpoint=https://a.b/;accesskey=YQ==`).accessKey).toBe("YQ==");
  });

  const cases: Array<[string, string, RegExp]> = [
    ["empty", "", /non-empty/],
    ["no endpoint", `accesskey=${KEY}`, /endpoint is required/],
    ["no key", "endpoint=https://a.b/", /accesskey is required/],
    ["missing ';' (key glued to endpoint)", `endpoint=https://a.b/accesskey=${KEY}`, /accesskey is required/],
    ["duplicate endpoint", `endpoint=https://a.b/;endpoint=https://c.d/;accesskey=${KEY}`, /exactly once/],
    ["unknown key", `endpoint=https://a.b/;accesskey=${KEY};region=x`, /unknown key "region"/],
    ["bad scheme", `endpoint=ftp://a.b/;accesskey=${KEY}`, /http or https/],
    ["path", `endpoint=https://a.b/routing;accesskey=${KEY}`, /empty path/],
    ["query", `endpoint=https://a.b/?x=1;accesskey=${KEY}`, /query/],
    ["not base64", `endpoint=https://a.b/;accesskey=not base64!`, /base64/],
    ["segment without '='", `endpoint=https://a.b/;${KEY.replace(/=/g, "")}`, /key=value/],
  ];
  for (const [name, input, rule] of cases) {
    it(`rejects ${name}, naming the rule without echoing the input`, () => {
      let err: unknown;
      try {
        parseConnectionString(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConnectionStringError);
      const message = (err as Error).message;
      expect(message).toMatch(rule);
      expect(message).not.toContain(KEY);
      expect(message).not.toContain(KEY.replace(/=/g, ""));
      expect(message).not.toContain("a.b");
    });
  }
});

describe("error envelopes", () => {
  it("parses the real communicationError envelope with details", () => {
    const body = {
      communicationError: {
        code: "BadRequest",
        message: "One or more validation errors occurred.",
        target: "/routing/distributionPolicies/dp1",
        details: [
          { code: "QueueExistsWithDistributionPolicy", message: "There is a queue with this distribution policy" },
        ],
      },
    };
    const err = errorFromResponse({ method: "DELETE", path: "/routing/distributionPolicies/dp1", status: 400, body });
    expect(err).toBeInstanceOf(JobRouterError);
    expect(err.name).toBe("JobRouterError");
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe("BadRequest");
    expect(err.target).toBe("/routing/distributionPolicies/dp1");
    expect(err.details).toEqual([
      { code: "QueueExistsWithDistributionPolicy", message: "There is a queue with this distribution policy" },
    ]);
    expect(err.allCodes()).toEqual(["BadRequest", "QueueExistsWithDistributionPolicy"]);
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      name: "JobRouterError",
      statusCode: 400,
      message: err.message,
    });
    expect(err.message).toContain("DELETE /routing/distributionPolicies/dp1 failed with 400 BadRequest");
    expect(err.message).toContain("QueueExistsWithDistributionPolicy: There is a queue with this distribution policy");
  });

  it("parses the spec's error envelope and innererror", () => {
    const parsed = parseErrorBody({
      error: {
        code: "NotFound",
        message: "gone",
        innererror: { code: "JobNotFound" },
        details: [{ code: "X", message: "y" }],
      },
    });
    expect(parsed).toEqual({
      code: "NotFound",
      message: "gone",
      innerCode: "JobNotFound",
      details: [{ code: "X", message: "y" }],
    });
  });

  it("flattens the 409 multi-line message and falls back to status names for empty or text bodies", () => {
    const conflict = errorFromResponse({
      method: "DELETE",
      path: "/routing/queues/q1",
      status: 409,
      body: {
        communicationError: {
          code: "Conflict",
          message:
            "Validation failed: \r\n -- : There is an assigned worker to this queue\r\n -- : There is active job with this queue",
        },
      },
    });
    expect(conflict.message).toContain(
      "Validation failed: -- : There is an assigned worker to this queue -- : There is active job",
    );
    expect(conflict.details).toEqual([]);

    const empty = errorFromResponse({ method: "GET", path: "/routing/queues/q", status: 401, body: undefined });
    expect(empty.code).toBe("Unauthorized");
    expect(empty.message).toMatch(/access key/);

    const text = errorFromResponse({ method: "GET", path: "/x", status: 502, body: "upstream broke" });
    expect(text.code).toBe("BadGateway");
    expect(text.message).toContain("upstream broke");

    const header = errorFromResponse({ method: "GET", path: "/x", status: 418, body: "", errorCodeHeader: "Teapot" });
    expect(header.code).toBe("Teapot");
  });

  it("explains 412 on an upsert", () => {
    const err = errorFromResponse({ method: "PATCH", path: "/routing/queues/q", status: 412, body: undefined });
    expect(err.code).toBe("PreconditionFailed");
    expect(err.message).toMatch(/changed since you read it/);
    expect(err.message).toMatch(/ETag/);
  });

  it("scrubs keys, signatures and bearer tokens that a server echoes back", () => {
    const body = {
      communicationError: {
        code: "Unauthorized",
        message: `bad Authorization HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=abcDEF123+/= for key ${KEY}`,
        details: [{ code: "Echo", message: "Bearer eyJhbGciOi.payload.sig" }],
      },
    };
    const err = errorFromResponse({ method: "GET", path: "/routing/queues", status: 401, body, secrets: [KEY] });
    const all = [String(err), JSON.stringify(err), err.stack ?? ""].join("\n");
    expect(all).not.toContain(KEY);
    expect(all).not.toContain("abcDEF123");
    expect(all).not.toContain("eyJhbGciOi");
    expect(all).toContain("[REDACTED]");
    expect(redact("short", ["abc"])).toBe("short");
  });

  it("turns thrown pipeline errors into JobRouterError but leaves AbortError alone", () => {
    const sys = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const converted = errorFromException(sys, "GET", "/routing/queues");
    expect(converted).toBeInstanceOf(JobRouterError);
    expect((converted as JobRouterError).code).toBe("ECONNREFUSED");
    expect((converted as JobRouterError).statusCode).toBeUndefined();
    expect(Object.keys(converted)).not.toContain("request");
    const abort = Object.assign(new Error("aborted"), { name: "AbortError" });
    expect(errorFromException(abort, "GET", "/x")).toBe(abort);
  });
});

describe("paginate", () => {
  function fakePages(pages: Record<string, Page<number>>) {
    const calls: string[] = [];
    const iter = paginate<number>({
      first: async (max) => {
        calls.push(`first:${max ?? "-"}`);
        const p = pages.first;
        if (!p) throw new Error("no first page");
        return p;
      },
      next: async (link) => {
        calls.push(link);
        const p = pages[link];
        if (!p) throw new Error(`unexpected link ${link}`);
        return p;
      },
    });
    return { iter, calls };
  }

  it("iterates items across pages and stops on absent, null or 'null' nextLink", async () => {
    const { iter, calls } = fakePages({
      first: { value: [1, 2], nextLink: "/a" },
      "/a": { value: [3], nextLink: "/b" },
      "/b": { value: [4], nextLink: "null" },
    });
    const got: number[] = [];
    for await (const x of iter) got.push(x);
    expect(got).toEqual([1, 2, 3, 4]);
    expect(calls).toEqual(["first:-", "/a", "/b"]);
  });

  it("byPage exposes continuation tokens and resumes from one", async () => {
    const { iter, calls } = fakePages({ first: { value: [1], nextLink: "/a" }, "/a": { value: [2] } });
    const pages = [];
    for await (const p of iter.byPage({ maxPageSize: 1 })) pages.push(p);
    expect(pages).toEqual([{ value: [1], nextLink: "/a", continuationToken: "/a" }, { value: [2] }]);
    expect(calls).toEqual(["first:1", "/a"]);

    const resumed = fakePages({ first: { value: [9] }, "/a": { value: [2] } });
    const rest = [];
    for await (const p of resumed.iter.byPage({ continuationToken: "/a" })) rest.push(...p.value);
    expect(rest).toEqual([2]);
    expect(resumed.calls).toEqual(["/a"]);
  });

  it("refuses a nextLink loop", async () => {
    const { iter } = fakePages({ first: { value: [1], nextLink: "/a" }, "/a": { value: [2], nextLink: "/a" } });
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const x of iter) got.push(x);
      })(),
    ).rejects.toMatchObject({ name: "JobRouterError", code: "InvalidNextLink" });
    expect(got).toEqual([1, 2]);
  });
});
