export * from "./contactCenter";
export * from "./eventTypes";
export * from "./references";
export type { AzureNativeResource } from "./azureNativeResource";
