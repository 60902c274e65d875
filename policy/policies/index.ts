// The pack's policies, each exported on its own so tests can call them without starting gRPC.

import type { Policies } from "@pulumi/policy";
import { bypassSelectorsAllowlist } from "./bypassSelectors";
import { classificationFallbackQueue } from "./classificationFallback";
import { concurrentOffersBounds } from "./concurrentOffers";
import { contactCenterEventDeadLetter } from "./contactCenterEvents";
import { exceptionPolicyWaitTime } from "./exceptionWaitTime";
import { idNamingPattern } from "./idNaming";
import { offerExpiryBounds } from "./offerExpiry";
import { queueHasExceptionPolicy } from "./queueExceptionPolicy";
import { referencesResolve } from "./references";
import { credentialSecrecyProbe, ruleCredentialsSecret } from "./ruleCredentials";
import { ruleEndpointsHttps } from "./ruleHttps";
import { serviceLevelGuardrail } from "./serviceLevel";

export * from "./common";
export { forKinds } from "./helpers";
export { findOutboundRules, type OutboundRule, type RuleCredential, type RuleUri } from "./rules";
export { bypassSelectorsAllowlist, type BypassSelectorsConfig } from "./bypassSelectors";
export { classificationFallbackQueue } from "./classificationFallback";
export { concurrentOffersBounds, type ConcurrentOffersConfig } from "./concurrentOffers";
export { contactCenterEventDeadLetter, type ContactCenterEventsConfig } from "./contactCenterEvents";
export { exceptionPolicyWaitTime, type ExceptionWaitTimeConfig } from "./exceptionWaitTime";
export { idNamingPattern, DEFAULT_ID_PATTERN, type IdNamingConfig } from "./idNaming";
export { offerExpiryBounds, type OfferExpiryConfig } from "./offerExpiry";
export { queueHasExceptionPolicy } from "./queueExceptionPolicy";
export { referencesResolve, referencesOf, type Reference, type ReferencesConfig } from "./references";
export { credentialSecrecyProbe, ruleCredentialsSecret, resetCredentialObservations } from "./ruleCredentials";
export { ruleEndpointsHttps, type RuleHttpsConfig } from "./ruleHttps";
export {
  serviceLevelGuardrail,
  SERVICE_LEVEL_GUARDRAIL,
  type ServiceLevelConfig,
  type QueueBound,
} from "./serviceLevel";
export { configProblems, projectDir, rememberStartDir, resolveTrafficFile } from "./serviceLevelConfig";

/**
 * All policies, in the order the engine runs them. The probe comes first: it is the only one that
 * runs in the remediation pass, which the engine completes before any validation of a resource.
 */
export const policies: Policies = [
  credentialSecrecyProbe,
  offerExpiryBounds,
  concurrentOffersBounds,
  bypassSelectorsAllowlist,
  queueHasExceptionPolicy,
  exceptionPolicyWaitTime,
  classificationFallbackQueue,
  ruleEndpointsHttps,
  ruleCredentialsSecret,
  idNamingPattern,
  referencesResolve,
  contactCenterEventDeadLetter,
  serviceLevelGuardrail,
];
