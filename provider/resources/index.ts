export { DistributionPolicy } from "./distributionPolicy";
export { RouterQueue } from "./routerQueue";
export { ClassificationPolicy } from "./classificationPolicy";
export { ExceptionPolicy } from "./exceptionPolicy";
