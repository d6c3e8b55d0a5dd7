import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadedApp } from '../../../../local/app/loadApp';
import { EventType } from '../../../../local/durable/protocol';
import { conformanceApp, MemoryEngine } from './memoryEngine';

let app: LoadedApp;
before(async () => {
  app = await conformanceApp();
});

function outputOf(engine: MemoryEngine, id: string): unknown {
  const s = engine.states.get(id)!;
  return s.output === null ? null : JSON.parse(s.output);
}

describe('episode planner with the real SDK, completions batched as much as possible', () => {
  test('a fan-out of 50 completes in one episode after the fan-out', async () => {
    const engine = new MemoryEngine(app);
    engine.start('fanOut', 'fan', 50);
    await engine.runToEnd();
    assert.equal(engine.states.get('fan')!.status, 'Completed');
    assert.equal(outputOf(engine, 'fan'), (50 * 51 * 101) / 6);
    assert.equal(engine.episodes, 2, 'start + one episode for all 50 completions');
  });

  test('a retry failure and plain completions in one batch: chain ids come first, as the SDK numbers them', async () => {
    const engine = new MemoryEngine(app, true);
    engine.start('retryMixed', 'mixed', { key: 'unit-mixed' });
    await engine.runToEnd();
    const state = engine.states.get('mixed')!;
    assert.equal(state.status, 'Completed', String(state.output));
    assert.deepEqual(outputOf(engine, 'mixed'), { results: [3, 1, 4, 9], after: 'Hello after' });
    // Ids are dense and every completion matches a scheduling event.
    const scheduled = state.records.filter((r) =>
      [EventType.TaskScheduled, EventType.TimerCreated].includes(r.event.EventType as 4 | 10),
    );
    assert.deepEqual(
      scheduled.map((r) => r.event.EventId),
      scheduled.map((_, i) => i),
    );
    const chain = scheduled.filter((r) => r.chainOf === 0).map((r) => r.event.EventType);
    assert.deepEqual(chain, [
      EventType.TimerCreated,
      EventType.TaskScheduled,
      EventType.TimerCreated,
      EventType.TaskScheduled,
    ]);
  });

  test('a retry failure and a completion that resumes the generator in one batch keep the SDK’s numbering', async () => {
    const engine = new MemoryEngine(app, true);
    engine.start('retryRace', 'race', { key: 'unit-race' });
    await engine.runToEnd();
    const state = engine.states.get('race')!;
    assert.equal(state.status, 'Completed', String(state.output));
    assert.deepEqual(outputOf(engine, 'race'), { first: 'plain', next: 'Hello next', attempt: 2 });
    const byId = new Map(
      state.records
        .filter((r) => r.event.EventId >= 0 && r.event.EventType !== EventType.ExecutionCompleted)
        .map((r) => [r.event.EventId, r]),
    );
    assert.equal(byId.get(2)!.event.EventType, EventType.TimerCreated, 'id 2: the retry timer, allocated first');
    assert.equal(byId.get(3)!.event.Name, 'hello', 'id 3: the task the resumed generator scheduled');
  });

  test('sub-orchestrations with retry and a caught failure', async () => {
    const engine = new MemoryEngine(app);
    engine.start('parent', 'p', 'unit-sub');
    await engine.runToEnd();
    const out = outputOf(engine, 'p') as { first: { instanceId: string }; failed: string };
    assert.equal(out.first.instanceId, 'p-explicit');
    assert.equal(
      out.failed,
      "Orchestrator function 'child' failed: Activity function 'flaky' failed:  attempt 1 of unit-sub-always failed",
    );
  });

  test('continueAsNew starts new executions until the counter reaches 5', async () => {
    const engine = new MemoryEngine(app);
    engine.start('counter', 'c', 0);
    await engine.runToEnd();
    const state = engine.states.get('c')!;
    assert.equal(state.status, 'Completed');
    assert.equal(state.generation, 5);
    assert.equal(outputOf(engine, 'c'), 5);
  });

  test('an orchestrator that uses entities fails with a clear message', async () => {
    const engine = new MemoryEngine(app);
    engine.start('usesEntity', 'e', undefined);
    await engine.runToEnd();
    const state = engine.states.get('e')!;
    assert.equal(state.status, 'Failed');
    assert.match(
      state.output!,
      /^Orchestrator function 'usesEntity' failed: Durable entities are not supported by the Sluice local host/,
    );
  });

  test('an unknown orchestrator fails with the extension’s message', async () => {
    const engine = new MemoryEngine(app);
    engine.start('nope', 'n', undefined);
    await engine.runToEnd();
    assert.match(
      engine.states.get('n')!.output!,
      /^Orchestrator function 'nope' failed: The function 'nope' doesn't exist, is disabled, or is not an orchestrator function\./,
    );
  });
});
