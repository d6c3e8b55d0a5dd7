import { config } from '../config';
import { summarize, type RunRecord, type RunSummary, type StepRunRecord } from '../store/model';
import { orchestrationLink } from './orchestrationLink';

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

export function stepView(baseUrl: string, s: StepRunRecord) {
  const durationMs =
    s.startedAt && s.endedAt ? Math.max(0, Date.parse(s.endedAt) - Date.parse(s.startedAt)) : undefined;
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
    metrics: s.metrics,
    tags: s.tags,
    reused: s.reused,
    reusedFrom: s.reusedFrom,
    reuseReasons: s.reuseReasons,
    error: s.error,
    links: stepLinks(baseUrl, s.runId, s.step),
  };
}

export function runView(
  baseUrl: string,
  run: RunRecord,
  steps: StepRunRecord[],
  dashboardUrl = config().durableDashboardUrl,
) {
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
    steps: steps.map((s) => stepView(baseUrl, s)),
  };
}
