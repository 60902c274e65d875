import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchHttpCaller } from "../../emulator/runtime/rules";
import { evaluateRule, RuleError, TokenCache, toPriority, type RuleContext } from "../../routing/rules";

interface Seen {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", headers: req.headers, body });
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/priority") {
        const job = (JSON.parse(body) as { job: { urgent?: boolean } }).job;
        res.end(JSON.stringify(job.urgent ? 10 : 5));
      } else if (url.pathname === "/token") {
        const form = new URLSearchParams(body);
        if (form.get("client_secret") !== "s3cret") {
          res.statusCode = 401;
          res.end("{}");
          return;
        }
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ access_token: "tok-1", expires_in: 3600 }));
      } else if (url.pathname === "/hook") {
        if (req.headers.authorization !== "Bearer tok-1") {
          res.statusCode = 403;
          res.end();
          return;
        }
        res.end('"queue-from-hook"');
      } else if (url.pathname === "/fail") {
        res.statusCode = 500;
        res.end("boom");
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function ctx(labels: Record<string, string | number | boolean | null>, extra: Partial<RuleContext> = {}): RuleContext {
  return { scope: { job: labels }, payload: { job: labels }, directMapLabels: labels, http: fetchHttpCaller, ...extra };
}

describe("router rules", () => {
  it("static returns its value (Blank when absent)", async () => {
    expect(await evaluateRule({ kind: "static", value: 7 }, ctx({}))).toBe(7);
    expect(await evaluateRule({ kind: "static" }, ctx({}))).toBeNull();
  });

  it("directMap returns the job's labels", async () => {
    expect(await evaluateRule({ kind: "directMap" }, ctx({ Region: "NA" }))).toEqual({ Region: "NA" });
  });

  it("expression evaluates PowerFx against the job labels", async () => {
    expect(
      await evaluateRule({ kind: "expression", expression: "If(job.VIP = true, 10, 1)" }, ctx({ VIP: true })),
    ).toBe(10);
  });

  it("expression errors become a RuleError naming the expression", async () => {
    await expect(evaluateRule({ kind: "expression", expression: "job.VIP +" }, ctx({}))).rejects.toThrow(RuleError);
  });

  it("function posts the labels with x-functions-key and uses the JSON answer", async () => {
    seen.length = 0;
    const v = await evaluateRule(
      { kind: "function", functionUri: `${base}/priority`, credential: { functionKey: "fk-123" } },
      ctx({ urgent: true }),
    );
    expect(toPriority(v, "p")).toBe(10);
    expect(seen[0]?.headers["x-functions-key"]).toBe("fk-123");
    expect(JSON.parse(seen[0]?.body ?? "")).toEqual({ job: { urgent: true } });
  });

  it("function with an app key sends it as code with clientId", async () => {
    seen.length = 0;
    await evaluateRule(
      { kind: "function", functionUri: `${base}/priority`, credential: { appKey: "ak-9", clientId: "default" } },
      ctx({ urgent: false }),
    );
    const u = new URL(seen[0]?.path ?? "", "http://x");
    expect(u.searchParams.get("code")).toBe("ak-9");
    expect(u.searchParams.get("clientId")).toBe("default");
  });

  it("function failures never echo the key", async () => {
    const p = evaluateRule(
      { kind: "function", functionUri: `${base}/fail?code=topsecret`, credential: { functionKey: "fk-xyz" } },
      ctx({}),
    );
    await expect(p).rejects.toThrow(/answered HTTP 500/);
    await p.catch((err: Error) => {
      expect(err.message).not.toContain("topsecret");
      expect(err.message).not.toContain("fk-xyz");
    });
  });

  it("webhook gets an OAuth2 client-credentials token, then posts with the bearer token (token cached)", async () => {
    seen.length = 0;
    const tokens = new TokenCache();
    const rule = {
      kind: "webhook" as const,
      authorizationServerUri: `${base}/token`,
      clientCredential: { clientId: "cid", clientSecret: "s3cret" },
      webhookUri: `${base}/hook`,
    };
    expect(await evaluateRule(rule, ctx({ a: 1 }, { tokens }))).toBe("queue-from-hook");
    expect(await evaluateRule(rule, ctx({ a: 1 }, { tokens }))).toBe("queue-from-hook");
    const tokenCalls = seen.filter((s) => s.path === "/token");
    expect(tokenCalls).toHaveLength(1);
    const form = new URLSearchParams(tokenCalls[0]?.body);
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.get("client_id")).toBe("cid");
  });

  it("webhook with a wrong secret fails without showing it", async () => {
    const p = evaluateRule(
      {
        kind: "webhook",
        authorizationServerUri: `${base}/token`,
        clientCredential: { clientId: "cid", clientSecret: "nope-secret" },
        webhookUri: `${base}/hook`,
      },
      ctx({}),
    );
    await expect(p).rejects.toThrow(/answered HTTP 401/);
    await p.catch((err: Error) => expect(err.message).not.toContain("nope-secret"));
  });
});
