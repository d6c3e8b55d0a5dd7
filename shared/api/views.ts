import type { ComputeWarning } from '../compute/workerPresence';
import { config } from '../config';
import { stepRunId, summarize, type RunRecord, type RunSummary, type StepRunRecord } from '../store/model';
import { orchestrationLink } from './orchestrationLink';
import type { StepEnvironment } from '../spec/environment';
import type { StepDatasetInput } from './stepEnvironments';

/** Records → API JSON: storage details (ETags, row layout) stay out, links to related resources go in. */

const enc = encodeURIComponent;

export function runLinks(baseUrl: string, runId: string): Record<string, string> {
  const self = `${baseUrl}/runs/${enc(runId)}`;
  return { self, cancel: `${self}/cancel` };
}

export function stepLinks(baseUrl: string, runId: string, step: string): Record<string, string> {
  return { logs: `${baseUrl}/runs/${enc(runId)}/steps/${enc(step)}/logs` };
}

export function summaryView(baseUrl: string, run: RunSummary) {
  return { ...summarize(run), links: runLinks(baseUrl, run.id) };
}

/**
 * A step run as the API shows it. A reused step did not run: its metrics, models and log are those of the step run
 * whose result it reused (`source`, when still stored), marked by `reusedFrom` (with that step run's id, times and
 * exit code) and a `note`; its outputs point at that run's blobs already.
 */
export function stepView(baseUrl: string, s: StepRunRecord, source?: StepRunRecord) {
  const durationMs =
    s.startedAt && s.endedAt ? Math.max(0, Date.parse(s.endedAt) - Date.parse(s.startedAt)) : undefined;
  const from = s.reused ? s.reusedFrom : undefined;
  const shown = from && source ? source : s;
  return {
    name: s.step,
    status: s.status,
    attempt: s.attempt,
    type: s.type,
    compute: s.compute,
    dependsOn: s.dependsOn,
    queuedAt: s.queuedAt,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    durationMs,
    exitCode: s.exitCode,
    outputs: s.outputs,
    metrics: shown.metrics,
    tags: s.tags,
    models: shown.models ?? [],
    reused: s.reused,
    reusedFrom: from && {
      runId: from.runId,
      step: from.step,
      stepRunId: stepRunId(from.runId, from.step),
      ...(source && {
        attempt: source.attempt,
        startedAt: source.startedAt,
        endedAt: source.endedAt,
        exitCode: source.exitCode,
      }),
    },
    note: from ? reusedNote(from, source !== undefined) : undefined,
    reuseReasons: s.reuseReasons,
    error: s.error,
    progress: s.progress,
    external: s.external,
    attempts: s.attempts ?? [],
    links: {
      ...stepLinks(baseUrl, s.runId, s.step),
      ...(from && { reusedFrom: runLinks(baseUrl, from.runId).self }),
    },
  };
}

export function reusedNote(from: { runId: string; step: string }, found: boolean): string {
  return found
    ? `Reused without running: the outputs, metrics, models and log shown are those of run ${from.runId} ` +
        `(step ${from.step}), which produced this result.`
    : `Reused without running from run ${from.runId} (step ${from.step}), whose record is gone; its outputs are ` +
        'shown, its metrics and log are not.';
}

/** What a run's view shows beside its records. */
export interface RunViewExtras {
  /** For reused steps, the step runs they reused, by step name (see stepView). */
  sources?: ReadonlyMap<string, StepRunRecord>;
  /** Compute targets that waiting steps need and no worker serves (shared/compute/workerPresence.ts). */
  warnings?: readonly ComputeWarning[];
  /** The Durable Task Scheduler dashboard of the deployment, when it runs on one (default: the setting). */
  dashboardUrl?: string;
  /** The environments python steps declared, by step name (shared/api/stepEnvironments.ts). */
  environments?: ReadonlyMap<string, StepEnvironment>;
  /** The registered datasets python steps read, by step name (shared/api/stepEnvironments.ts). */
  datasets?: ReadonlyMap<string, readonly StepDatasetInput[]>;
  /** The steps' display names (spec `display_name`), by step name. */
  displayNames?: ReadonlyMap<string, string>;
}

export function runView(baseUrl: string, run: RunRecord, steps: StepRunRecord[], extras: RunViewExtras = {}) {
  const {
    sources = new Map(),
    warnings = [],
    environments = new Map(),
    datasets = new Map(),
    displayNames = new Map(),
  } = extras;
  const dashboardUrl = 'dashboardUrl' in extras ? extras.dashboardUrl : config().durableDashboardUrl;
  return {
    ...summaryView(baseUrl, run),
    links: { ...runLinks(baseUrl, run.id), ...orchestrationLink(dashboardUrl) },
    cancelRequested: run.cancelRequested,
    parameters: run.parameters,
    dataPaths: run.dataPaths,
    snapshots: run.snapshots,
    regenerateOutputs: run.regenerateOutputs,
    continueOnStepFailure: run.continueOnStepFailure,
    scheduleId: run.scheduleId,
    triggerBlobs: run.triggerBlobs,
    publishedPipelineId: run.publishedPipelineId,
    createdBy: run.createdBy,
    error: run.error,
    metrics: run.metrics,
    ...(run.kind === 'interactive' && { kind: run.kind }),
    steps: steps.map((s) => {
      const environment = environments.get(s.step);
      const datasetInputs = datasets.get(s.step);
      const displayName = displayNames.get(s.step);
      return {
        ...stepView(baseUrl, s, sources.get(s.step)),
        ...(displayName !== undefined && { displayName }),
        ...(environment && { environment }),
        ...(datasetInputs && { datasetInputs: [...datasetInputs] }),
      };
    }),
    ...(warnings.length > 0 && { warnings: [...warnings] }),
  };
}
