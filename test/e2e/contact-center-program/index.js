// One ContactCenter over an existing Communication Services resource (the emulator, through the secret stack
// config `jobrouter:connectionString`), run by the real Node language host. Its routing (the ContactCenter
// arguments other than communicationServices) comes from the stack config `e2e:routing` (JSON).
"use strict";
const pulumi = require("@pulumi/pulumi");
const { ContactCenter } = require("pulumi-jobrouter");

const routing = new pulumi.Config("e2e").requireObject("routing");
const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
new ContactCenter("contoso", { communicationServices: { existing: { connectionString } }, ...routing });
