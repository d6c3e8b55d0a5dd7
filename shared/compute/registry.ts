import type { QueueServiceClient } from '@azure/storage-queue';
import type { ComputeTargetRecord, DatabricksAttachment } from '../store/computeTargetModel';
import { computeQueue } from '../store/names';
import { STALE_AFTER_MS } from './workerPresence';

/**
 * The compute target registry's rules beyond storage: the queues behind targets (created at registration, so a
 * worker and the presence check find them; read for the waiting-job count), and how a target is shown.
 */

/** The queue operations the registry needs (tests pass a fake). */
export interface ComputeQueues {
  /** Creates the target's queue when it does not exist. */
  ensure(compute: string): Promise<void>;
  /** Jobs waiting in the target's queue (approximate, as Azure Storage counts); 0 when it has no queue. */
  depth(compute: string): Promise<number>;
}

export function azureComputeQueues(queues: QueueServiceClient): ComputeQueues {
  return {
    async ensure(compute) {
      await queues.getQueueClient(computeQueue(compute)).createIfNotExists();
    },
    async depth(compute) {
      try {
        return (await queues.getQueueClient(computeQueue(compute)).getProperties()).approximateMessagesCount ?? 0;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return 0;
        throw err;
      }
    },
  };
}

export interface ComputeTargetState {
  /** Jobs waiting in its queue. */
  queueDepth?: number;
  /** When a worker last polled its queue. */
  workerSeen?: Date;
}

/**
 * A target as the API shows it: a registered one with what was asked at registration, a configured one
 * (SLUICE_COMPUTE_TARGETS) with `source: 'configured'`; both with their queue, waiting jobs and worker presence.
 * `provisioningState` is Azure ML's: a registered name is usable at once, so it is always `Succeeded`.
 */
export function computeTargetView(
  baseUrl: string,
  target: { name: string; record?: ComputeTargetRecord; isDefault: boolean },
  state: ComputeTargetState,
  now: Date,
) {
  const { record } = target;
  const seen = state.workerSeen;
  return {
    name: target.name,
    type: record?.type ?? ('AmlCompute' as const),
    ...(record?.databricks ? { databricks: databricksView(record.databricks) } : {}),
    source: record ? ('registered' as const) : ('configured' as const),
    isDefault: target.isDefault,
    provisioningState: 'Succeeded' as const,
    vmSize: record?.vmSize ?? '',
    vmPriority: record?.vmPriority ?? ('dedicated' as const),
    minNodes: record?.minNodes ?? 0,
    maxNodes: record?.maxNodes,
    idleSecondsBeforeScaledown: record?.idleSecondsBeforeScaledown,
    description: record?.description,
    tags: record?.tags ?? {},
    createdAt: record?.createdAt,
    createdBy: record?.createdBy,
    queue: computeQueue(target.name),
    queueDepth: state.queueDepth ?? 0,
    workerLastSeenAt: seen?.toISOString(),
    workerActive: seen !== undefined && now.getTime() - seen.getTime() <= STALE_AFTER_MS,
    links: { self: `${baseUrl}/compute-targets/${encodeURIComponent(target.name)}` },
  };
}

/** A Databricks attachment as shown: the URL and how it authenticates (a setting's name, never a value). */
export function databricksView(d: DatabricksAttachment) {
  const c = d.credential;
  return {
    workspaceUrl: d.workspaceUrl,
    credential: c.type === 'pat' ? { type: c.type, setting: c.setting } : { type: c.type, clientId: c.clientId },
    resourceId: d.resourceId,
    poll: d.poll,
  };
}

/** The registration a PUT asks for, compared field by field with an existing one (a repeat is not a change). */
export function sameRegistration(a: ComputeTargetRecord, b: ComputeTargetRecord): boolean {
  const pick = (r: ComputeTargetRecord) =>
    JSON.stringify([
      r.vmSize,
      r.vmPriority,
      r.minNodes,
      r.maxNodes ?? null,
      r.idleSecondsBeforeScaledown ?? null,
      r.description ?? null,
      Object.entries(r.tags).sort(),
      r.type,
      r.databricks ? JSON.stringify(databricksView(r.databricks)) : null,
    ]);
  return pick(a) === pick(b);
}

/** What a local worker pool must change to serve `known` while it serves `running`. */
export function followPlan(known: readonly string[], running: readonly string[]) {
  return {
    start: known.filter((t) => !running.includes(t)),
    stop: running.filter((t) => !known.includes(t)),
  };
}
