// `prepack` of the repository root: the root is the private development package, never a package to install.
// Stops `npm pack` here (and an `npm install <git URL>` of this repository, which packs the root) with the way
// to get the real packages.
"use strict";
console.error(
  "This repository's root is its development package (pulumi-jobrouter-dev), not the library.\n" +
    "Run `npm run package` to build and pack pulumi-jobrouter, jobrouter-emulator and pulumi-jobrouter-policy, and\n" +
    "install those tarballs (see README.md, Install).",
);
process.exit(1);
