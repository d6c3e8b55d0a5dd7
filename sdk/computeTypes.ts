/** Compute targets as the API answers them (docs/api.md#compute-targets). */

export interface ComputeTarget {
  name: string;
  type: 'AmlCompute';
  /** `configured`: named by SLUICE_COMPUTE_TARGETS; `registered`: through the API. */
  source: 'registered' | 'configured';
  isDefault: boolean;
  provisioningState: 'Succeeded';
  vmSize: string;
  vmPriority: 'dedicated' | 'lowpriority';
  minNodes: number;
  maxNodes?: number;
  idleSecondsBeforeScaledown?: number;
  description?: string;
  tags: Record<string, string>;
  createdAt?: string;
  createdBy?: string;
  /** The queue its workers serve (`compute-<name>`). */
  queue: string;
  /** Jobs waiting in the queue (approximate). */
  queueDepth: number;
  workerLastSeenAt?: string;
  /** A worker polled the queue within the last two minutes. */
  workerActive: boolean;
  links: Record<string, string>;
}

export interface ComputeTargetList {
  value: ComputeTarget[];
}

/** What PUT /api/compute-targets/{name} takes (every field optional). */
export interface RegisterComputeTargetRequest {
  vmSize?: string;
  vmPriority?: 'dedicated' | 'lowpriority';
  minNodes?: number;
  maxNodes?: number;
  idleSecondsBeforeScaledown?: number;
  description?: string;
  tags?: Record<string, string>;
}
