// The Job Router REST client (api-version 2023-11-01): models, client, errors, paging, connection strings.
export * from "./models";
export * from "./client";
export * from "./errors";
export * from "./paging";
export * from "./connectionString";
export * from "./validation";
export { COMMUNICATION_SCOPE, MAX_TIMEOUT_RETRIES, type JobRouterRetryOptions } from "./pipeline";
export { UNREACHABLE_CODES, type RetryEvent } from "./retryPolicy";
