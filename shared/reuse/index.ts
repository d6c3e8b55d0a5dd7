/** Step reuse (docs/design.md#reuse): gathering a step's content facts, the reuse decision, and the dry-run plan. */
export {
  decideStep,
  confirmOutputs,
  toRecord,
  reusedOutputs,
  type StepDecision,
  type StepDecisionInput,
  type DecisionStore,
  type DecideOptions,
} from './decide';
export { gatherFacts, outputLocations, MAX_DETAIL_FILES, type FactSources } from './facts';
export { missingOutput } from './outputsExist';
export { planReuse, type PlannedStep, type ReusePlanOptions } from './plan';
export { readReuseRecord, type ReuseRecord } from './record';
