// The emulator through the same stack the Job Router JS SDK (communication-job-router-rest) is built on:
// @azure-rest/core-client's getClient, the communication HMAC policy, the api-version policy, and
// paging by following `nextLink` with pathUnchecked, as the RLC's paginate helper does (facts §4).

import { getClient } from "@azure-rest/core-client";
import { createCommunicationAccessKeyCredentialPolicy } from "@azure/communication-common";
import { AzureKeyCredential } from "@azure/core-auth";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import type { RunningEmulator } from "../../emulator";

describe("emulator via @azure-rest/core-client", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("upserts with merge-patch, reads back, and pages through nextLink with pathUnchecked", async () => {
    emu = await startEmulator();
    const client = getClient(emu.endpoint, { apiVersion: "2023-11-01", allowInsecureConnection: true });
    client.pipeline.addPolicy(createCommunicationAccessKeyCredentialPolicy(new AzureKeyCredential(emu.accessKey)));

    const created = await client.path("/routing/distributionPolicies/{distributionPolicyId}", "dp").patch({
      contentType: "application/merge-patch+json",
      body: { offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } },
    });
    expect(created.status).toBe("201");
    for (let i = 0; i < 5; i++) {
      const q = await client.path("/routing/queues/{queueId}", `queue-${i}`).patch({
        contentType: "application/merge-patch+json",
        body: { name: `Queue ${i}`, distributionPolicyId: "dp", labels: {} },
      });
      expect(q.status).toBe("201");
      expect(q.body).toMatchObject({ id: `queue-${i}`, labels: { Id: `queue-${i}` } });
    }

    const ids: string[] = [];
    let pages = 0;
    let response = await client.path("/routing/queues").get({ queryParameters: { maxpagesize: 2 } });
    for (;;) {
      expect(response.status).toBe("200");
      const page = response.body as { value: Array<{ id: string }>; nextLink?: string };
      pages += 1;
      ids.push(...page.value.map((v) => v.id));
      if (!page.nextLink) break;
      response = await client.pathUnchecked(page.nextLink).get();
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(["queue-0", "queue-1", "queue-2", "queue-3", "queue-4"]);
    // Every request, including the followed links, carried exactly the emulator's api-version and a valid signature.
    expect(emu.requests.every((r) => r.auth === "hmac" && r.query["api-version"] === "2023-11-01")).toBe(true);
    expect(emu.requests.filter((r) => r.method === "GET").map((r) => r.query["maxpagesize"])).toEqual(["2", "2", "2"]);
  });

  it("surfaces the service's error envelope to the RLC caller", async () => {
    emu = await startEmulator();
    const client = getClient(emu.endpoint, { apiVersion: "2023-11-01", allowInsecureConnection: true });
    client.pipeline.addPolicy(createCommunicationAccessKeyCredentialPolicy(new AzureKeyCredential(emu.accessKey)));
    const missing = await client.path("/routing/exceptionPolicies/{exceptionPolicyId}", "nope").get();
    expect(missing.status).toBe("404");
    expect(missing.body).toEqual({
      communicationError: {
        code: "NotFound",
        message: "The requested resource was not found.",
        target: "/routing/exceptionPolicies/nope",
      },
    });
  });
});
