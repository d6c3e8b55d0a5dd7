import type { DatabricksCredentialRef } from '../databricks/credentials';

/**
 * The compute target registry (Azure ML v1's `ComputeTarget.create`). A compute target is a name whose queue
 * (`compute-<name>`) workers serve; registering one records what the user asked for (v1's provisioning
 * configuration, kept for display: Sluice does not size machines) and makes the name valid for steps at once.
 */
export interface ComputeTargetRecord {
  name: string;
  /**
   * v1's `AmlCompute` (a queue Sluice workers serve) or `Databricks` (an attached Azure Databricks workspace that
   * `databricks` steps submit to; no queue, no worker).
   */
  type: 'AmlCompute' | 'Databricks';
  /** `Databricks` only: where the workspace is and how to authenticate (a reference, never a secret). */
  databricks?: DatabricksAttachment;
  vmSize: string;
  vmPriority: 'dedicated' | 'lowpriority';
  minNodes: number;
  maxNodes?: number;
  idleSecondsBeforeScaledown?: number;
  description?: string;
  tags: Record<string, string>;
  createdAt: string;
  createdBy?: string;
}

export interface DatabricksAttachment {
  /** `https://adb-<id>.<n>.azuredatabricks.net`, or a loopback URL of `sluice databricks-local`. */
  workspaceUrl: string;
  credential: DatabricksCredentialRef;
  /** The workspace's ARM resource id, when given at attach (recorded for display). */
  resourceId?: string;
  /** How often a running step polls its Databricks run: first after `initialSeconds`, doubling to `maxSeconds`. */
  poll?: { initialSeconds: number; maxSeconds: number };
}

export interface ComputeTargetRepository {
  /** Creates the registration, or returns the existing one unchanged (`created: false`): registering is idempotent. */
  create(record: ComputeTargetRecord): Promise<{ target: ComputeTargetRecord; created: boolean }>;
  get(name: string): Promise<ComputeTargetRecord | undefined>;
  /** Every registered target, by name. */
  list(): Promise<ComputeTargetRecord[]>;
  /** False when there was no such registration. */
  delete(name: string): Promise<boolean>;
}

export const byTargetName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
