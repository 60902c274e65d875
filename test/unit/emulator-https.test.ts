// HTTPS: the official SDKs' `from_connection_string` always dials https, so the emulator can serve TLS with a
// certificate it generates (self-signed, for 127.0.0.1, ::1 and localhost) or with the user's own. Real TLS
// verification throughout: the client trusts only what the emulator names as its CA.

import { spawn } from "node:child_process";
import { createHmac, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { authenticate, contentHash, startEmulator, type RunningEmulator } from "../../emulator";
import { parseArgs } from "../../emulator/cli";
import { JobRouterClient, JobRouterError } from "../../provider/client";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(options: Parameters<typeof startEmulator>[0]): Promise<RunningEmulator> {
  const e = await startEmulator(options);
  cleanups.push(() => e.close());
  return e;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "jobrouter-https-"));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function trustingClient(e: RunningEmulator, endpoint = e.endpoint): JobRouterClient {
  const ca = readFileSync(e.caCertPath ?? "", "utf8");
  return JobRouterClient.fromConnectionString(`endpoint=${endpoint};accesskey=${e.accessKey}`, {
    retryOptions: { maxRetries: 0 },
    extraCaCertificates: [ca],
  });
}

describe("startEmulator({ https: true })", () => {
  it("serves https with a generated certificate for 127.0.0.1, ::1 and localhost that clients can trust", async () => {
    const e = await start({ https: true });
    expect(e.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    expect(e.connectionString).toBe(`endpoint=${e.endpoint};accesskey=${e.accessKey}`);
    const pem = readFileSync(e.caCertPath ?? "", "utf8");
    const cert = new X509Certificate(pem);
    expect(cert.checkHost("localhost")).toBe("localhost");
    expect(cert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(cert.checkIP("::1")).toBe("::1");
    expect(cert.ca).toBe(true); // its own CA: the one file is what clients trust

    const client = trustingClient(e);
    await client.upsertDistributionPolicy("q", { name: "q", mode: { kind: "roundRobin" } });
    expect((await client.getDistributionPolicy("q")).name).toBe("q");
    // The same certificate is valid for the name localhost.
    const viaName = trustingClient(e, `https://localhost:${e.port}/`);
    expect((await viaName.getDistributionPolicy("q")).name).toBe("q");
  });

  it("NODE_EXTRA_CA_CERTS is enough for a Node process using the installed client", async () => {
    const e = await start({ https: true });
    const script = [
      'const { JobRouterClient } = require("pulumi-jobrouter/client");',
      "const c = JobRouterClient.fromConnectionString(process.env.CS, { retryOptions: { maxRetries: 0 } });",
      'c.upsertDistributionPolicy("from-child", { name: "child", mode: { kind: "roundRobin" } }).then(() => console.log("ok"), (e) => { console.error(e.message); process.exit(1); });',
    ].join("\n");
    const child = spawn(process.execPath, ["-e", script], {
      cwd: join(__dirname, "..", ".."),
      env: { ...process.env, CS: e.connectionString, NODE_EXTRA_CA_CERTS: e.caCertPath ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: "ok" });
    expect(e.store.get("distributionPolicies", "from-child")?.body["name"]).toBe("child");
  });

  it("refuses clients that do not trust the certificate (verification is real)", async () => {
    const e = await start({ https: true });
    const untrusting = JobRouterClient.fromConnectionString(e.connectionString, { retryOptions: { maxRetries: 0 } });
    const err = await untrusting.getDistributionPolicy("q").then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(JobRouterError);
    expect(String((err as JobRouterError).message)).toMatch(/certificate/i);
  });

  it("keeps the generated certificate in the data directory, stable across restarts; the key is private", async () => {
    const dir = tempDir();
    const first = await startEmulator({ https: true, dataDir: dir });
    const firstPem = readFileSync(first.caCertPath ?? "", "utf8");
    expect(first.caCertPath).toBe(join(dir, "_tls", "cert.pem"));
    await first.close();
    expect(existsSync(join(dir, "_tls", "cert.pem"))).toBe(true); // not removed on close
    expect(statSync(join(dir, "_tls", "key.pem")).mode & 0o077).toBe(0);
    const second = await start({ https: true, dataDir: dir });
    expect(readFileSync(second.caCertPath ?? "", "utf8")).toBe(firstPem);
    await trustingClient(second).upsertDistributionPolicy("q", { name: "q", mode: { kind: "roundRobin" } });
  });

  it("without a data directory the certificate lives in a temporary directory removed on close", async () => {
    const e = await startEmulator({ https: true });
    const path = e.caCertPath ?? "";
    expect(existsSync(path)).toBe(true);
    await e.close();
    expect(existsSync(path)).toBe(false);
  });

  it("serves the user's own certificate and key ({ certFile, keyFile }); clients trust that file", async () => {
    const dir = tempDir();
    const maker = await startEmulator({ https: true, dataDir: dir });
    await maker.close();
    const certFile = join(dir, "_tls", "cert.pem");
    const keyFile = join(dir, "_tls", "key.pem");
    const e = await start({ https: { certFile, keyFile } });
    expect(e.caCertPath).toBe(certFile);
    await trustingClient(e).upsertDistributionPolicy("q", { name: "q", mode: { kind: "roundRobin" } });
  });

  it("names the option when a certificate file cannot be read", async () => {
    await expect(
      startEmulator({ https: { certFile: "/nonexistent/c.pem", keyFile: "/nonexistent/k.pem" } }),
    ).rejects.toThrow("https.certFile: cannot read /nonexistent/c.pem");
  });

  it("plain HTTP stays the default", async () => {
    const e = await start({});
    expect(e.endpoint).toMatch(/^http:\/\//);
    expect(e.caCertPath).toBeUndefined();
  });
});

describe("HMAC over https: the default port is signed either way", () => {
  const key = Buffer.from("https-test-key-https-test-key-01").toString("base64");
  const path = "/routing/queues?api-version=2023-11-01";
  /** A signature over `signedHost` (as a client computes it), checked against the Host header sent. */
  const verify = (hostHeader: string, signedHost: string): boolean => {
    const date = new Date().toUTCString();
    const hash = contentHash("");
    const signature = createHmac("sha256", Buffer.from(key, "base64"))
      .update(`GET\n${path}\n${date};${signedHost};${hash}`, "utf8")
      .digest("base64");
    return authenticate({
      method: "GET",
      rawUrl: path,
      headers: {
        host: hostHeader,
        "x-ms-date": date,
        "x-ms-content-sha256": hash,
        authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
      },
      rawBody: Buffer.from(""),
      scheme: "https",
      accessKey: key,
      allowBearer: false,
      now: new Date(),
    }).ok;
  };

  it("Host without a port and a signature over host:443, and the reverse; another port still fails", () => {
    expect(verify("localhost", "localhost")).toBe(true);
    expect(verify("localhost", "localhost:443")).toBe(true);
    expect(verify("localhost:443", "localhost")).toBe(true);
    expect(verify("localhost", "localhost:8443")).toBe(false);
    expect(verify("localhost:8443", "localhost:443")).toBe(false);
  });
});

describe("jobrouter-emulator --https", () => {
  it("parses --https and --cert/--key (which imply it); one without the other is refused", () => {
    expect(parseArgs(["--https"])).toEqual({ https: true });
    expect(parseArgs(["--cert", "c.pem", "--key", "k.pem"])).toEqual({
      https: { certFile: "c.pem", keyFile: "k.pem" },
    });
    expect(() => parseArgs(["--cert", "c.pem"])).toThrow("--cert and --key: give both or neither");
  });

  const cli = join(__dirname, "..", "..", "dist", "emulator", "cli.js");
  it.skipIf(!existsSync(cli))(
    "prints the https connection string and JOBROUTER_CA_CERT, which a client trusts (needs npm run build)",
    async () => {
      const dir = tempDir();
      const child = spawn(process.execPath, [cli, "--https", "--port", "0", "--data", dir], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.on("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      );
      let stdout = "";
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const lines = await new Promise<string[]>((resolve, reject) => {
        child.stdout.on("data", (c: Buffer) => {
          stdout += c.toString();
          const l = stdout.split("\n");
          if (l.length >= 3) resolve(l.slice(0, 2));
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const cs = /^JOBROUTER_CONNECTION_STRING=(endpoint=https:\/\/127\.0\.0\.1:\d+\/;accesskey=.+)$/.exec(
        lines[0] ?? "",
      );
      expect(cs).not.toBeNull();
      expect(lines[1]).toBe(`JOBROUTER_CA_CERT=${join(dir, "_tls", "cert.pem")}`);
      const client = JobRouterClient.fromConnectionString(cs?.[1] ?? "", {
        retryOptions: { maxRetries: 0 },
        extraCaCertificates: [readFileSync(join(dir, "_tls", "cert.pem"), "utf8")],
      });
      await client.upsertDistributionPolicy("q", { name: "q", mode: { kind: "roundRobin" } });
      expect((await client.getDistributionPolicy("q")).name).toBe("q");
    },
  );
});
