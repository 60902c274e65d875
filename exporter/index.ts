// jobrouter-export as a library: read a namespace and get the files of a Pulumi project that adopts it.
export { exportNamespace, exportFrom, ExportOptionError } from "./export";
export type { ExportOptions, ExportResult, ExportedSecret } from "./export";
export { readNamespace } from "./read";
export type { ReadOptions } from "./read";
export { planExport, referencesOf, selectObjects } from "./graph";
export type { PlannedObject, Selection } from "./graph";
export { assignSecrets, credentialPaths } from "./secrets";
export type { SecretSlot } from "./secrets";
export { generateProgram, ExportStyleError } from "./program";
export type { ExportStyle, ProgramOptions } from "./program";
export { idMatcher } from "./select";
export { writeProject } from "./write";
export type { LiveObject, Namespace, Reference } from "./model";
