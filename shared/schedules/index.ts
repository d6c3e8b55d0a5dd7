/** Schedules: definitions (define.ts), the timer's evaluation (evaluate.ts), data changes (dataChange.ts). */
export {
  defineSchedule,
  checkDefinition,
  definitionPatch,
  mergeChanges,
  timingChanged,
  pick,
  type ScheduleInput,
} from './define';
export { evaluateSchedules } from './evaluate';
export { onBlobChanged, watches, normalizeEtag, type BlobEvent } from './dataChange';
export { startScheduledRun, type ScheduledRun, type StartOutcome } from './startRun';
export { scheduleState, previewFireTimes, type ScheduleState } from './state';
export { fireRunId, blobRunId, windowRunId, compactUtc } from './ids';
export type { EvaluationReport } from './report';
export type { OnceLauncher, ScheduleDeps, ScheduleLogger } from './deps';
