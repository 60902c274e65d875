// TLS for the emulator: the official SDKs' `from_connection_string` always dials https, so the emulator can serve
// it. Either the user's own certificate and key (PEM files), or a self-signed certificate for 127.0.0.1, ::1 and
// localhost that the emulator generates (with the `selfsigned` library, not hand-made ASN.1). A generated
// certificate is kept under `<data dir>/_tls/` when a data directory is given, so clients that trust it keep
// trusting it across restarts; otherwise it lives in a temporary directory removed on close.
//
// The generated certificate is its own CA (basicConstraints cA, keyCertSign), so one PEM file serves both as the
// server certificate and as what clients trust: REQUESTS_CA_BUNDLE / SSL_CERT_FILE for Python, NODE_EXTRA_CA_CERTS
// (or the client's `ca` option) for Node.

import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** `https` of startEmulator: `true` generates a certificate; files name the user's own. */
export type HttpsOption = true | { certFile: string; keyFile: string };

export interface TlsMaterial {
  cert: string;
  key: string;
  /** A PEM file clients can trust (the generated certificate, or the user's certificate file). */
  caCertPath: string;
  /** Removes what only this run needed (a temporary directory). */
  dispose(): void;
}

/** The names the generated certificate is valid for. */
export const GENERATED_NAMES = { dns: ["localhost"], ip: ["127.0.0.1", "::1"] } as const;

/** [guess: long enough to outlive a development setup, short enough that clients with validity caps accept it] */
const VALIDITY_DAYS = 365;
/** A stored certificate this close to its end is replaced. */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;

export const TLS_DIR = "_tls";

async function generateCertificate(now: Date): Promise<{ cert: string; key: string }> {
  const notAfter = new Date(now.getTime() + VALIDITY_DAYS * 24 * 3600 * 1000);
  // Loaded only when a certificate is generated: plain-HTTP runs (and copies of the emulator without
  // node_modules) never need it.
  const { generate } = await import("selfsigned");
  const pems = await generate([{ name: "commonName", value: "Job Router emulator (localhost)" }], {
    keyType: "rsa",
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      // Its own CA: the one file is what clients put in their trust store.
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          ...GENERATED_NAMES.dns.map((value) => ({ type: 2 as const, value })),
          ...GENERATED_NAMES.ip.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A stored pair is reused while it parses, covers our names and is not about to expire. */
function usable(certPem: string, now: Date): boolean {
  try {
    const x = new X509Certificate(certPem);
    if (Date.parse(x.validTo) - now.getTime() < RENEW_BEFORE_MS) return false;
    return x.checkHost("localhost") !== undefined && x.checkIP("127.0.0.1") !== undefined;
  } catch {
    return false;
  }
}

function readPem(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${what}: cannot read ${file} (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}

/** The certificate and key to serve with, and the PEM file clients trust. */
export async function resolveTls(https: HttpsOption, dataDir: string | undefined, now: Date): Promise<TlsMaterial> {
  if (https !== true) {
    const cert = readPem(https.certFile, "https.certFile");
    const key = readPem(https.keyFile, "https.keyFile");
    try {
      new X509Certificate(cert);
    } catch (e) {
      throw new Error(`https.certFile: ${https.certFile} is not a PEM certificate`, { cause: e });
    }
    return { cert, key, caCertPath: path.resolve(https.certFile), dispose: () => undefined };
  }
  const keep = dataDir !== undefined;
  const dir = keep ? path.join(dataDir, TLS_DIR) : fs.mkdtempSync(path.join(os.tmpdir(), "jobrouter-emulator-tls-"));
  fs.mkdirSync(dir, { recursive: true });
  const certPath = path.join(dir, "cert.pem");
  const keyPath = path.join(dir, "key.pem");
  if (keep && fs.existsSync(certPath) && fs.existsSync(keyPath)) {
    const cert = fs.readFileSync(certPath, "utf8");
    if (usable(cert, now))
      return { cert, key: fs.readFileSync(keyPath, "utf8"), caCertPath: certPath, dispose: () => undefined };
  }
  const { cert, key } = await generateCertificate(now);
  // The key first and private: a certificate never sits next to a key that does not belong to it.
  fs.writeFileSync(keyPath, key, { mode: 0o600 });
  fs.writeFileSync(certPath, cert);
  return {
    cert,
    key,
    caCertPath: certPath,
    dispose: () => {
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
