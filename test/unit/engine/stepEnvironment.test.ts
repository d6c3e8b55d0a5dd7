import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobMessage } from '../../../shared/compute/messages';
import { resolveParameters } from '../../../shared/engine/parameters';
import { buildRunPlan, toJobMessage } from '../../../shared/engine/plan';
import { reuseKey, reuseKeyComponents } from '../../../shared/reuse/key';
import { parseSpec } from '../../../shared/spec';
import { stepEnvironments } from '../../../shared/api/stepEnvironments';
import { createMemoryStore } from '../../../shared/store';

const specText = (environment?: string) => `
name: env-demo
steps:
  - name: train
    type: python
    source_directory: src
    script: train.py
${environment ?? ''}`;

function plan(environment?: string) {
  const spec = parseSpec(specText(environment));
  return buildRunPlan(spec, {
    runId: 'r1',
    defaultCompute: 'cpu',
    parameters: resolveParameters(spec, {}),
    snapshots: { src: 'snap-1' },
  });
}

const ENV = `    environment:
      name: train-env
      version: "2"
      python: "3.10"
      pip: [scikit-learn==1.3]
      conda: [numpy]
`;

test('a python step’s environment reaches its job message and its reuse key; no environment, no change', () => {
  const withEnv = plan(ENV);
  const job = toJobMessage(withEnv, 'train', { stepRunId: 'r1:train', attempt: 1, instanceId: 'r1', experiment: 'e' });
  const expected = { name: 'train-env', version: '2', python: '3.10', pip: ['scikit-learn==1.3'], conda: ['numpy'] };
  assert.deepEqual(JobMessage.parse(job).environment, expected);

  const key = (p: ReturnType<typeof plan>) => reuseKey(reuseKeyComponents(p.steps.train, { inputs: {} }));
  const without = plan();
  assert.equal(
    toJobMessage(without, 'train', { stepRunId: 'x', attempt: 1, instanceId: 'x', experiment: 'e' }).environment,
    undefined,
  );
  assert.deepEqual(
    reuseKeyComponents(without.steps.train, { inputs: {} }).settings,
    {},
    'no environment: the key is as before',
  );
  assert.notEqual(key(withEnv), key(without));
  assert.notEqual(key(withEnv), key(plan(ENV.replace('scikit-learn==1.3', 'scikit-learn==1.4'))));
});

test('the spec refuses an environment with unknown fields or on a command step, naming the field', () => {
  assert.throws(
    () => parseSpec(specText('    environment: {name: e, pip_packages: [x]}\n')),
    (err: Error & { details?: unknown }) => /steps\[0\]\.environment/.test(JSON.stringify(err.details) + err.message),
  );
  assert.throws(() => parseSpec(specText('    environment: {pip: [x]}\n')), /name/);
  assert.throws(
    () =>
      parseSpec('name: c\nsteps:\n  - name: a\n    type: command\n    command: "true"\n    environment: {name: e}\n'),
    /environment/,
  );
});

test('stepEnvironments reads each python step’s environment from the stored spec', async () => {
  const store = createMemoryStore();
  const { id } = await store.pipelines.put(parseSpec(specText(ENV)));
  const found = await stepEnvironments(store, id);
  assert.deepEqual([...found.keys()], ['train']);
  assert.equal(found.get('train')?.name, 'train-env');
  assert.equal((await stepEnvironments(store, 'missing')).size, 0);
});
