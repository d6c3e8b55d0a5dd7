import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../../../shared/spec/parse';
import type { PipelineSpec } from '../../../shared/spec/schema';
import type { JobMessage, ResultMessage } from '../../../shared/compute/messages';

export function fixtureSpec(name: string): PipelineSpec {
  return parseSpec(readFileSync(join(__dirname, '..', '..', 'fixtures', 'specs', name), 'utf8'), { filename: name });
}

/** A worker's result for `job`, as the worker would post it: no outputs, metrics or models unless the test adds them. */
export function resultFor(job: JobMessage, status: ResultMessage['status'] = 'Completed'): ResultMessage {
  return {
    version: 1,
    runId: job.runId,
    stepRunId: job.stepRunId,
    step: job.step,
    attempt: job.attempt,
    instanceId: job.instanceId,
    status,
    exitCode: status === 'Completed' ? 0 : 1,
    ...(status === 'Failed' && { error: { kind: 'user' as const, message: '"true" failed with exit code 1' } }),
    startedAt: '2024-05-01T00:00:01.000Z',
    endedAt: '2024-05-01T00:00:02.000Z',
    processMs: 5,
    outputs: [],
    metrics: [],
    tags: {},
    uploads: [],
    runMetrics: [],
    runTags: {},
    models: [],
    workerId: 'w',
  };
}
