/** The pipeline engine: pure rules the orchestrators and the API call (no clock, no randomness, no I/O). */
export { stepDependencies, topologicalOrder, findCycle, downstreamOf, upstreamOf, type StepGraph } from './dag';
export {
  readySteps,
  settleBlockedSteps,
  blockingStep,
  endingOf,
  runStatus,
  type ProgressOptions,
  type Settlement,
  type StepStatuses,
} from './progress';
export {
  STEP_STATUSES,
  RUN_STATUSES,
  isActive,
  isFinished,
  isRunFinished,
  type StepStatus,
  type RunStatus,
} from './status';
export {
  resolveParameters,
  describeParameters,
  formatParameterList,
  coerce,
  coerceDataPath,
  PARAMETERS_ERROR_CODE,
  type ParameterValue,
  type DataPathValue,
  type SubmittedParameters,
  type ResolvedParameters,
  type ParameterDescription,
} from './parameters';
export { bindTemplate, unboundReferences, usedParameters, valueText } from './bind';
export {
  buildRunPlan,
  rebindInputs,
  toJobMessage,
  missingSnapshots,
  dataLocation,
  DEFAULT_TIMEOUT_MINUTES,
  type RunPlan,
  type StepPlan,
  type PlannedInput,
  type PlanOptions,
  type JobContext,
} from './plan';
export { canonicalJson } from '../canonicalJson';
