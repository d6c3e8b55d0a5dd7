import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Task } from 'durable-functions';
import type { StepPlan } from '../../../shared/engine/plan';
import type { StepWorkContext, StepWorkOutcome } from '../../../shared/steps/kind';
import { databricksWork, type PollResult } from '../../../shared/steps/databricks/work';
import { buildSubmit, stepUris } from '../../../shared/steps/databricks/task';
import { mapRunState } from '../../../shared/steps/databricks/outcome';

type Marker = { kind: 'activity'; name: string; input: unknown } | { kind: 'sleep'; ms: number };

const plan = (over: Partial<StepPlan> = {}): StepPlan =>
  ({
    name: 'feat',
    type: 'databricks',
    dependsOn: [],
    compute: 'dbx',
    args: ['--in', '${{inputs.raw}}', '--rows', '5'],
    argumentTemplates: [],
    env: {},
    envTemplates: {},
    inputs: [{ name: 'raw', source: 'datastore', container: 'workspaceblobstore', path: 'sales/2024' }],
    outputs: [{ name: 'features', container: 'pipelinedata', path: 'runs/r1/feat/features' }],
    parameterValues: {},
    timeoutSeconds: 3600,
    retries: 0,
    allowReuse: true,
    databricks: { notebookParams: {}, jarLibraries: [], pythonScriptPath: 'dbfs:/x/prep.py', existingClusterId: 'c1' },
    ...over,
  }) as StepPlan;

/** Runs the orchestration with activities answered by `answer`; a fake clock moves with each sleep. */
function run(answer: (name: string, input: unknown) => unknown, timeoutSeconds = 3600) {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const calls: Marker[] = [];
  const ctx: StepWorkContext = {
    job: {
      runId: 'r1',
      step: 'feat',
      attempt: 1,
      stepRunId: 'r1:feat',
      instanceId: 'r1',
      experiment: 'e',
      type: 'databricks',
      compute: 'dbx',
      timeoutSeconds,
      log: { container: 'logs', path: 'x' },
    },
    step: plan(),
    startedAt: new Date(now).toISOString(),
    activity: (name, input) => ({ kind: 'activity', name, input }) as unknown as Task,
    sleep: (ms) => ({ kind: 'sleep', ms }) as unknown as Task,
    now: () => new Date(now),
  };
  const gen = databricksWork.orchestrate(ctx);
  let next = gen.next();
  while (!next.done) {
    const m = next.value as unknown as Marker;
    calls.push(m);
    if (m.kind === 'sleep') {
      now += m.ms;
      next = gen.next(undefined);
      continue;
    }
    let value: unknown;
    try {
      value = answer(m.name, m.input);
    } catch (err) {
      next = gen.throw(err);
      continue;
    }
    next = gen.next(value);
  }
  return { outcome: next.value as StepWorkOutcome, calls };
}

const states = (...seq: PollResult[]) => {
  let i = 0;
  return (name: string) => {
    if (name === 'submit') return { runId: 77, poll: { initialSeconds: 10, maxSeconds: 60 } };
    if (name === 'poll') return seq[Math.min(i++, seq.length - 1)];
    if (name === 'collect')
      return {
        outputs: [{ name: 'features' }],
        metrics: [],
        tags: { 'databricks.run_id': '77' },
        error: 'ValueError: bad',
      };
    return undefined;
  };
};

test('polls with backoff 10 s doubling to 60 s until TERMINATED SUCCESS, then collects: Completed with outputs', () => {
  const running: PollResult = { life: 'RUNNING', taskRunId: 78 };
  const { outcome, calls } = run(
    states({ life: 'PENDING' }, running, running, running, running, running, {
      life: 'TERMINATED',
      result: 'SUCCESS',
      taskRunId: 78,
    }),
  );
  assert.equal(outcome.status, 'Completed');
  assert.deepEqual(outcome.outputs, [{ name: 'features' }]);
  const sleeps = calls.filter((c) => c.kind === 'sleep').map((c) => (c as { ms: number }).ms / 1000);
  assert.deepEqual(sleeps, [10, 20, 40, 60, 60, 60]);
  const collect = calls.find((c) => c.kind === 'activity' && c.name === 'collect') as {
    input: { taskRunId: number; ok: boolean };
  };
  assert.equal(collect.input.taskRunId, 78);
  assert.equal(collect.input.ok, true);
});

test('FAILED fails the step with the state message and the task error; no outputs', () => {
  const { outcome } = run(
    states({ life: 'TERMINATED', result: 'FAILED', message: 'Task sluice failed with message: Workload failed.' }),
  );
  assert.equal(outcome.status, 'Failed');
  assert.equal(outcome.errorKind, 'user');
  assert.equal(
    outcome.message,
    'Databricks run 77 FAILED: Task sluice failed with message: Workload failed. — ValueError: bad',
  );
  assert.equal(outcome.outputs, undefined);
});

test('a cancel seen by a poll ends the attempt Canceled', () => {
  const { outcome } = run(states({ life: 'RUNNING' }, { canceled: true }));
  assert.equal(outcome.status, 'Canceled');
});

test("the step's timeout cancels the Databricks run and fails the attempt as a timeout", () => {
  const { outcome, calls } = run(states({ life: 'RUNNING' }), 100);
  assert.equal(outcome.status, 'Failed');
  assert.equal(outcome.errorKind, 'timeout');
  assert.ok(calls.some((c) => c.kind === 'activity' && c.name === 'cancel'));
});

test('a refused submit fails with its reason; polls that keep failing fail the step after a few tries', () => {
  const refused = run((name) =>
    name === 'submit' ? { refused: 'compute target "x" is not an attached Databricks workspace' } : undefined,
  );
  assert.equal(refused.outcome.status, 'Failed');
  assert.match(refused.outcome.message ?? '', /not an attached Databricks workspace/);
  let polls = 0;
  const flaky = run((name) => {
    if (name === 'submit') return { runId: 1, poll: { initialSeconds: 1, maxSeconds: 1 } };
    polls++;
    throw new Error('ECONNRESET');
  });
  assert.equal(flaky.outcome.status, 'Failed');
  assert.equal(flaky.outcome.errorKind, 'system');
  assert.equal(polls, 6);
  const recovered = run((name) => {
    if (name === 'submit') return { runId: 1, poll: { initialSeconds: 1, maxSeconds: 1 } };
    if (name === 'collect') return { outputs: [], metrics: [], tags: {} };
    if (++polls < 10) throw new Error('ECONNRESET');
    return { life: 'TERMINATED', result: 'SUCCESS' };
  });
  assert.equal(recovered.outcome.status, 'Completed', 'a few failed polls in a row are ridden out');
});

test('state mapping: running states, success, cancel, internal error, timeout', () => {
  const m = (life: string, result?: string, msg?: string) =>
    mapRunState({ run_id: 5, state: { life_cycle_state: life, result_state: result, state_message: msg } as never });
  for (const life of ['QUEUED', 'PENDING', 'RUNNING', 'TERMINATING', 'BLOCKED']) assert.equal(m(life).done, false);
  assert.equal(m('TERMINATED', 'SUCCESS').status, 'Completed');
  assert.equal(m('TERMINATED', 'CANCELED').status, 'Canceled');
  assert.deepEqual(m('INTERNAL_ERROR', 'FAILED', 'Notebook not found: /x'), {
    done: true,
    status: 'Failed',
    errorKind: 'system',
    message: 'Databricks run 5 INTERNAL_ERROR: Notebook not found: /x',
  });
  assert.equal(m('TERMINATED', 'TIMEDOUT').errorKind, 'timeout');
});

test('the submit binds inputs and outputs as ABFSS URIs: widgets for a notebook, --name uri for a script', () => {
  const uris = stepUris('devstoreaccount1', plan());
  assert.deepEqual(uris, {
    inputs: { raw: 'abfss://workspaceblobstore@devstoreaccount1.dfs.core.windows.net/sales/2024' },
    outputs: { features: 'abfss://pipelinedata@devstoreaccount1.dfs.core.windows.net/runs/r1/feat/features' },
  });
  const script = buildSubmit(plan(), { instanceId: 'work:r1:feat:1', runId: 'r1', uris });
  assert.deepEqual(script.tasks[0]!.spark_python_task, {
    python_file: 'dbfs:/x/prep.py',
    parameters: ['--in', uris.inputs.raw, '--rows', '5', '--raw', uris.inputs.raw, '--features', uris.outputs.features],
  });
  assert.equal(script.tasks[0]!.existing_cluster_id, 'c1');
  assert.ok(script.idempotency_token!.length <= 64);
  assert.equal(
    script.idempotency_token,
    buildSubmit(plan(), { instanceId: 'work:r1:feat:1', runId: 'r1', uris }).idempotency_token,
  );
  const notebook = buildSubmit(
    plan({
      databricks: {
        notebookPath: '/Shared/nb',
        notebookParams: { src: '${{inputs.raw}}', rows: '5' },
        jarLibraries: [],
        newCluster: {
          spark_version: '14.3.x',
          node_type_id: 'Standard_DS3_v2',
          num_workers: 2,
          init_scripts: ['dbfs:/i.sh'],
        },
        libraries: [{ pypi: { package: 'pandas' } }],
      },
    }),
    { instanceId: 'x', runId: 'r1', uris },
  );
  const task = notebook.tasks[0]!;
  assert.deepEqual(task.notebook_task?.base_parameters, {
    src: uris.inputs.raw,
    rows: '5',
    raw: uris.inputs.raw,
    features: uris.outputs.features,
  });
  assert.deepEqual(task.new_cluster?.init_scripts, [{ dbfs: { destination: 'dbfs:/i.sh' } }]);
  assert.deepEqual(task.libraries, [{ pypi: { package: 'pandas' } }]);
});
