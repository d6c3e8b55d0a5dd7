import type { RunStatus } from '../../../store/model';
import type { ScheduleRecord, ScheduleRunEntry } from '../../../store/scheduleModel';
import type { ScheduleState } from '../../../schedules/state';
import { runLinks } from '../../views';

/** Schedule records → API JSON: the definition, its state, and links; ETags and row layout stay out. */

const enc = encodeURIComponent;

export function scheduleLinks(baseUrl: string, s: ScheduleRecord): Record<string, string> {
  const self = `${baseUrl}/schedules/${enc(s.id)}`;
  const links: Record<string, string> = {
    self,
    runs: `${self}/runs`,
    enable: `${self}/enable`,
    disable: `${self}/disable`,
  };
  if (s.publishedPipelineId) links.publishedPipeline = `${baseUrl}/published-pipelines/${enc(s.publishedPipelineId)}`;
  if (s.pipelineEndpoint) links.pipelineEndpoint = `${baseUrl}/pipeline-endpoints/${enc(s.pipelineEndpoint)}`;
  return links;
}

export function scheduleView(baseUrl: string, s: ScheduleRecord, state: ScheduleState) {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    status: s.status,
    publishedPipelineId: s.publishedPipelineId,
    pipelineEndpoint: s.pipelineEndpoint,
    experimentName: s.experimentName,
    parameters: s.parameters,
    dataPaths: s.dataPaths,
    continueOnStepFailure: s.continueOnStepFailure,
    recurrence: s.recurrence,
    cron: s.cron,
    timeZone: s.timeZone,
    dataTrigger: s.dataTrigger,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    updatedAt: s.updatedAt,
    updatedBy: s.updatedBy,
    state: {
      ...state,
      lastRun: state.lastRun && { ...state.lastRun, links: runLinks(baseUrl, state.lastRun.id) },
    },
    links: scheduleLinks(baseUrl, s),
  };
}

export function scheduleRunView(baseUrl: string, entry: ScheduleRunEntry, status: RunStatus | undefined) {
  return {
    id: entry.runId,
    triggeredBy: entry.triggeredBy,
    fireTime: entry.fireTime,
    createdAt: entry.createdAt,
    status,
    blobs: entry.blobs,
    blobCount: entry.blobCount,
    links: runLinks(baseUrl, entry.runId),
  };
}
