import { ConflictError, NotFoundError } from '../errors';
import type { PublishedPipelineRecord } from '../store/publishedModel';
import type { Store } from '../store/repositories';
import type { ScheduleRecord } from '../store/scheduleModel';

/**
 * What a schedule runs: its published pipeline, or the published pipeline of its pipeline endpoint's default
 * version at the moment of the run (so changing an endpoint's default changes what its schedules run).
 */
export async function resolvePublished(
  store: Store,
  s: Pick<ScheduleRecord, 'publishedPipelineId' | 'pipelineEndpoint'>,
): Promise<PublishedPipelineRecord> {
  let id = s.publishedPipelineId;
  if (id === undefined) {
    const name = s.pipelineEndpoint as string;
    const endpoint = await store.pipelineEndpoints.get(name);
    if (!endpoint) throw new NotFoundError(`Pipeline endpoint "${name}" does not exist.`);
    const version = endpoint.versions.find((v) => v.version === endpoint.defaultVersion);
    if (!version) throw new NotFoundError(`Pipeline endpoint "${name}" has no default version.`);
    id = version.publishedPipelineId;
  }
  const published = await store.publishedPipelines.get(id);
  if (!published) throw new NotFoundError(`Published pipeline "${id}" does not exist.`);
  return published;
}

/** Refuses a disabled published pipeline, as its own endpoint does. */
export function assertRunnable(published: PublishedPipelineRecord): void {
  if (published.status === 'Disabled') {
    throw new ConflictError(
      `Published pipeline "${published.id}" (${published.name}) is disabled, so the schedule's run was not started; ` +
        `enable it with POST /api/published-pipelines/${published.id}/enable.`,
      'PipelineDisabled',
    );
  }
}

/**
 * The data-path parameter a data-change run fills: the one the trigger names, else the pipeline's only datapath
 * parameter, else none (the run then reads the pipeline's own inputs).
 */
export function dataPathParameter(
  s: Pick<ScheduleRecord, 'dataTrigger'>,
  published: PublishedPipelineRecord,
): string | undefined {
  if (s.dataTrigger?.dataPathParameterName) return s.dataTrigger.dataPathParameterName;
  const datapaths = published.parameters.filter((p) => p.type === 'datapath');
  return datapaths.length === 1 ? datapaths[0].name : undefined;
}
