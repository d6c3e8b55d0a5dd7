// The API's JSON as Studio reads it (docs/api.md; only the fields used here).

export interface RunSummary {
  id: string;
  experiment: string;
  status: string;
  pipelineId: string;
  pipelineName?: string;
  description?: string;
  triggeredBy?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  tags?: Record<string, string>;
}

export interface Metric {
  name: string;
  kind: string;
  value: unknown;
}

export interface StepRun {
  name: string;
  status: string;
  attempt: number;
  type?: string;
  compute?: string;
  dependsOn: string[];
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  outputs: { name: string; container: string; path: string; files?: { name: string; size?: number }[] }[];
  metrics: Metric[];
  models: { name: string; version?: number }[];
  reused: boolean;
  reusedFrom?: { runId: string; step: string; attempt?: number };
  note?: string;
  reuseReasons?: { reuse?: boolean; reasons?: string[]; comparedWith?: { runId: string; step: string } };
  error?: { code: string; message: string };
}

export interface Run extends RunSummary {
  cancelRequested: boolean;
  parameters: Record<string, unknown>;
  dataPaths?: Record<string, unknown>;
  snapshots?: Record<string, string>;
  scheduleId?: string;
  publishedPipelineId?: string;
  triggerBlobs?: { datastore: string; path: string }[];
  error?: { code: string; message: string };
  metrics: Record<string, unknown>;
  steps: StepRun[];
  warnings?: { compute: string; steps: string[]; message: string }[];
}

export interface Page<T> {
  value: T[];
  continuationToken?: string;
}

export interface PipelineSpec {
  name?: string;
  data?: Record<string, unknown>;
  steps: { name: string; inputs?: unknown[]; outputs?: unknown[]; output?: unknown }[];
}

export interface PlanView {
  steps: { name: string; reuse: boolean; certain: boolean; reasons: string[]; reusedFrom?: { runId: string } }[];
  summary: { reused: number; run: number };
}

export interface PublishedParameter {
  name: string;
  type: 'string' | 'int' | 'float' | 'bool' | 'datapath';
  default?: unknown;
  required: boolean;
  description?: string;
}

export interface Published {
  id: string;
  name: string;
  description?: string;
  version?: string;
  status: string;
  endpoint: string;
  parameters: PublishedParameter[];
  pipelineName: string;
  createdAt: string;
}

export interface Schedule {
  id: string;
  name: string;
  description?: string;
  status: string;
  publishedPipelineId?: string;
  pipelineEndpoint?: string;
  experimentName: string;
  recurrence?: { frequency?: string; interval?: number; hours?: number[]; minutes?: number[]; weekDays?: string[] };
  cron?: string;
  timeZone?: string;
  dataTrigger?: { datastore?: string; pathOnDatastore?: string; path?: string };
  state: {
    nextFireTimes: string[];
    lastFireTime?: string;
    lastRun?: { id: string; status?: string };
    lastError?: { message: string };
  };
}

export interface Model {
  id: string;
  name: string;
  version: number;
  description?: string;
  framework?: string;
  tags?: Record<string, string>;
  files: { name: string; size: number }[];
  runId?: string;
  step?: string;
  createdAt: string;
}
