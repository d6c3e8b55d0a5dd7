import { JOB_MESSAGE_VERSION, type JobMessage } from '../../../shared/compute/messages';

/** A valid job for unit tests. */
export function makeJobForUnit(overrides: Partial<JobMessage> = {}): JobMessage {
  return {
    version: JOB_MESSAGE_VERSION,
    runId: 'run-1',
    stepRunId: 'run-1-train',
    step: 'train',
    attempt: 1,
    instanceId: 'run-1:train',
    experiment: 'exp',
    type: 'python',
    compute: 'cpu',
    program: 'python3',
    args: ['train.py'],
    inputs: [],
    outputs: [],
    env: {},
    timeoutSeconds: 60,
    log: { container: 'logs', path: 'run-1/train/attempt-1.log' },
    ...overrides,
  };
}
