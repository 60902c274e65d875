export { JobRouterProvider } from "./provider";
export { installGrpcHooks } from "./grpcHooks";
export { installConfig, pluginConfig, recordConfigure } from "./config";
export { PACKAGE, collectionOf, ownerOfUrn, parseUrn, tokenOf } from "./urn";
export { unwrap, unwrapBag, wrapKeys, wrapSecret, isWrappedSecret } from "./wire";
export { schemaText, schemaVersion } from "./schema";
