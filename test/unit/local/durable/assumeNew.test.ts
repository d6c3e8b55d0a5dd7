// A client start of an id without a status row has no history: its first episode starts from an empty state
// instead of querying the history table (one request per run fewer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../../local/durable/engine/engine';
import type { TaskHubStorage } from '../../../../local/durable/store/taskHub';
import { readDurableOptions } from '../../../../local/durable/options';

function engineWith(loads: string[]): Engine {
  const hub = {
    names: { controlQueues: ['c-00'], workItemQueue: 'w' },
    history: {
      load: async (id: string) => {
        loads.push(id);
        return { sentinel: undefined, records: [] };
      },
    },
    instances: {},
  } as unknown as TaskHubStorage;
  return new Engine({
    hub,
    options: readDurableOptions({ durableTask: { hubName: 'UnitHub' } } as never),
    orchestrators: () => [],
    activities: () => [],
    runOrchestrator: async () => {
      throw new Error('not used');
    },
    runActivity: async () => ({ result: 'null' }),
    log: () => undefined,
  });
}

test('an instance assumed new is not loaded from the history table; any other is', async () => {
  const loads: string[] = [];
  const engine = engineWith(loads);
  engine.assumeNew('fresh');
  const state = await engine.load(engine.session('fresh'));
  assert.equal(state.status, undefined);
  assert.equal(state.records.length, 0);
  await engine.load(engine.session('other'));
  assert.deepEqual(loads, ['other']);
});

test('an instance already in memory is left as it is', async () => {
  const loads: string[] = [];
  const engine = engineWith(loads);
  const s = engine.session('busy');
  await engine.load(s);
  s.state!.status = 'Running';
  engine.assumeNew('busy');
  assert.equal(s.state!.status, 'Running');
});
