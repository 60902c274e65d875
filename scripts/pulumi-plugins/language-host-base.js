// @ts-check
// What this repository's two language hosts (language-host.js for Node.js, python-language-host.js for Python) share:
// the gRPC server on a free port announced on stdout, the engine address, the child programs stopped on SIGTERM, and
// the LanguageRuntime calls both answer the same way (no plugins or packages to report, dependencies installed by
// someone else). Each host adds its own `run` (and whatever else it serves).
"use strict";

const fs = require("node:fs");

/**
 * @param {{
 *   name: string,
 *   sdkRequire: NodeRequire,
 *   version: string,
 *   installMessage: string,
 *   about?: (resp: any) => void,
 *   serverOptions?: Record<string, number>,
 * }} o
 */
function createLanguageHost(o) {
  /** @type {typeof import("@grpc/grpc-js")} */
  const grpc = o.sdkRequire("@grpc/grpc-js");
  const languageGrpc = o.sdkRequire("./proto/language_grpc_pb.js");
  const languagePb = o.sdkRequire("./proto/language_pb.js");
  const pluginPb = o.sdkRequire("./proto/plugin_pb.js");
  const emptyPb = o.sdkRequire("google-protobuf/google/protobuf/empty_pb.js");

  // The engine passes its own address as the last argument; flags (e.g. -tracing) come first.
  const positional = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  let engineAddress = positional[positional.length - 1] ?? "";
  /** @type {Set<import("node:child_process").ChildProcess>} */
  const children = new Set();

  /** @type {Record<string, Function>} */
  const common = {
    handshake(call, callback) {
      const req = call.request;
      if (req.getEngineAddress()) engineAddress = req.getEngineAddress();
      callback(null, new languagePb.LanguageHandshakeResponse());
    },
    getRequiredPlugins(_call, callback) {
      const resp = new languagePb.GetRequiredPluginsResponse();
      resp.setPluginsList([]);
      callback(null, resp);
    },
    getRequiredPackages(_call, callback) {
      const resp = new languagePb.GetRequiredPackagesResponse();
      resp.setPackagesList([]);
      callback(null, resp);
    },
    getPluginInfo(_call, callback) {
      const resp = new pluginPb.PluginInfo();
      resp.setVersion(o.version);
      callback(null, resp);
    },
    installDependencies(call) {
      // Say who installs them instead of silently succeeding.
      const resp = new languagePb.InstallDependenciesResponse();
      resp.setStdout(Buffer.from(`${o.installMessage}\n`));
      call.write(resp);
      call.end();
    },
    about(_call, callback) {
      const resp = new languagePb.AboutResponse();
      o.about?.(resp);
      callback(null, resp);
    },
    getProgramDependencies(_call, callback) {
      callback(null, new languagePb.GetProgramDependenciesResponse());
    },
    cancel(_call, callback) {
      callback(null, new emptyPb.Empty());
    },
  };

  /** Serve the common calls plus the host's own until SIGTERM/SIGINT, which also stops the programs it started. */
  function serve(/** @type {Record<string, Function>} */ own) {
    if (!fs.existsSync(process.execPath)) throw new Error(`node executable not found: ${process.execPath}`);
    const server = new grpc.Server(o.serverOptions);
    server.addService(languageGrpc.LanguageRuntimeService, { ...common, ...own });
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) {
        console.error(`${o.name}: could not listen: ${err.message}`);
        process.exit(1);
      }
      // The engine reads the port from the first line of stdout.
      process.stdout.write(`${port}\n`);
    });
    const stop = () => {
      for (const child of children) child.kill("SIGTERM");
      server.forceShutdown();
      process.exit(0);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  }

  return { languagePb, children, engineAddress: () => engineAddress, serve };
}

module.exports = { createLanguageHost };
