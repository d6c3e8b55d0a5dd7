/**
 * Step reuse (docs/design.md#reuse), everything in one place: the key (key.ts), its explanation (explain.ts), a step's
 * content facts (facts.ts), the decision (decide.ts) and its
 * one read of the pipeline's latest rows (candidates.ts), the decision at launch (launch.ts), where reused outputs are
 * read (inputs.ts), the cache entry of a completed step (cacheResult.ts) and the dry-run plan (plan.ts).
 */
export {
  decideStep,
  confirmOutputs,
  toRecord,
  reusedOutputs,
  type StepDecision,
  type StepDecisionInput,
  type DecisionStore,
  type DecideOptions,
  type CacheCandidates,
} from './decide';
export { pipelineCandidates } from './candidates';
export { gatherFacts, outputLocations, MAX_DETAIL_FILES, type FactSources } from './facts';
export { missingOutput } from './outputsExist';
export { planReuse, type PlannedStep, type ReusePlanOptions } from './plan';
export { readReuseRecord, type ReuseRecord } from './record';
export {
  reuseKeyComponents,
  reuseKey,
  keyMaterial,
  datastoreFingerprint,
  REUSE_FORMAT_VERSION,
  type ReuseKeyComponents,
  type ReuseFacts,
  type InputFingerprint,
  type BlobInfo,
  type SnapshotFingerprint,
} from './key';
export { explainReuse, describeDifferences, type ReuseOptions, type ReuseExplanation } from './explain';
export { decideLaunches, type StepLaunch, type ReuseLaunchDeps } from './launch';
export { withProducerLocations, planWithProducerLocations } from './inputs';
export { recordReusableResult } from './cacheResult';
