import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHistory, jsonValue, statusTime } from '../../../../local/durable/client/status';
import { durableClientData } from '../../../../local/durable/client/binding';
import { decodeActivityInput } from '../../../../local/durable/engine/activities';
import { ev } from '../../../../local/durable/events';
import { activityFailure, orchestratorFailure } from '../../../../local/durable/failures';
import { buildOrchestrationPayload, outcomeFromError } from '../../../../local/durable/payload';
import { emptyState } from '../../../../local/durable/state';

test('activity failures read as on Azure: double space after "failed:", stack in the details', () => {
  const err = new Error('nope');
  const f = activityFailure('sayHello', err);
  assert.equal(f.reason, "Activity function 'sayHello' failed:  nope");
  const details = JSON.parse(f.details);
  assert.equal(details.ClassName, 'System.Exception');
  assert.equal(details.InnerException.Message, `Result: Failure\nException: nope\nStack: ${err.stack}`);
  assert.equal(orchestratorFailure('orch', 'x').reason, "Orchestrator function 'orch' failed: x");
});

test('activity inputs lose the SDK’s extra string encoding and DTFx’s parameter array', () => {
  assert.equal(decodeActivityInput('["\\"Tokyo\\""]'), 'Tokyo');
  assert.deepEqual(decodeActivityInput('[{"a":1}]'), { a: 1 });
  assert.equal(decodeActivityInput('[null]'), undefined);
  assert.equal(decodeActivityInput('["not json"]'), 'not json');
});

test('the trigger payload marks earlier episodes as played and advertises schema V3', () => {
  const s = emptyState('i1');
  s.input = '{"n":1}';
  const records = [
    ev.orchestratorStarted('2024-01-01T00:00:00.000Z'),
    ev.executionStarted({
      timestamp: '2024-01-01T00:00:00.000Z',
      instanceId: 'i1',
      executionId: 'e',
      name: 'o',
      input: '{"n":1}',
    }),
    ev.taskScheduled(0, '2024-01-01T00:00:00.000Z', 'a', '[null]'),
    ev.orchestratorCompleted('2024-01-01T00:00:00.000Z'),
    ev.orchestratorStarted('2024-01-01T00:00:01.000Z'),
    ev.taskCompleted(0, '2024-01-01T00:00:01.000Z', '1'),
  ].map((event) => ({ event }));
  const payload = JSON.parse(buildOrchestrationPayload(s, records, 4));
  assert.deepEqual(
    payload.history.map((e: { IsPlayed: boolean }) => e.IsPlayed),
    [true, true, true, true, false, false],
  );
  assert.equal(payload.isReplaying, true);
  assert.deepEqual(payload.input, { n: 1 });
  assert.equal(payload.upperSchemaVersion, 1);
  assert.equal(payload.upperSchemaVersionNew, 2);
  assert.equal(payload.maximumShortTimerDuration, '3650.00:00:00');
  const first = JSON.parse(buildOrchestrationPayload(s, records.slice(0, 2), 0));
  assert.equal(first.isReplaying, false);
});

test('a thrown orchestrator state is read back from after the $OutOfProcData$ label', () => {
  const state = { isDone: false, actions: [[]], error: 'bad' };
  const out = outcomeFromError(new Error(`false\n\n$OutOfProcData$:${JSON.stringify(state)}`));
  assert.deepEqual(out, { kind: 'state', state });
  assert.deepEqual(outcomeFromError(new Error('internal')), { kind: 'crash', message: 'internal' });
});

test('status values: JSON parsed, other text kept, times without fractions', () => {
  assert.deepEqual(jsonValue('{"a":1}'), { a: 1 });
  assert.equal(jsonValue('because'), 'because');
  assert.equal(jsonValue(null), null);
  assert.equal(statusTime('2024-05-06T07:08:09.123Z'), '2024-05-06T07:08:09Z');
});

test('history for showHistory: scheduling folded into completions, Result only with showHistoryOutput', () => {
  const events = [
    ev.orchestratorStarted('t0'),
    ev.executionStarted({ timestamp: 't0', instanceId: 'i', executionId: 'e', name: 'orch', input: '1' }),
    ev.taskScheduled(0, 't1', 'act', '[1]'),
    ev.orchestratorCompleted('t1'),
    ev.orchestratorStarted('t2'),
    ev.taskCompleted(0, 't2', '"r"'),
    ev.executionCompleted(1, 't2', 1, '"done"'),
    ev.orchestratorCompleted('t2'),
  ];
  assert.deepEqual(formatHistory(events, true, true), [
    { EventType: 'ExecutionStarted', Timestamp: 't0', Input: '1', Generation: 0, FunctionName: 'orch' },
    {
      EventType: 'TaskCompleted',
      Timestamp: 't2',
      Result: 'r',
      ScheduledTime: 't1',
      FunctionName: 'act',
      Input: '[1]',
    },
    { EventType: 'ExecutionCompleted', Timestamp: 't2', OrchestrationStatus: 'Completed', Result: 'done' },
  ]);
  const brief = formatHistory(events, false, false);
  assert.equal((brief[1] as Record<string, unknown>).Result, undefined);
  assert.equal((brief[0] as Record<string, unknown>).Input, undefined);
});

test('the durable client binding points the SDK at its loopback path and the URLs it hands out carry the system key', () => {
  const data = durableClientData('http://localhost:7071', 'Hub', 'sys/key', 'tok') as Record<
    string,
    Record<string, string> & string
  >;
  assert.equal(data.rpcBaseUrl, 'http://127.0.0.1:7071/runtime/webhooks/durabletask/rpc/tok/');
  assert.equal(data.taskHubName, 'Hub');
  assert.equal(data.requiredQueryStringParameters, 'code=sys%2Fkey');
  assert.equal(
    data.managementUrls.statusQueryGetUri,
    'http://localhost:7071/runtime/webhooks/durabletask/instances/INSTANCEID?taskHub=Hub&connection=Storage&code=sys%2Fkey',
  );
  assert.equal(
    data.creationUrls.createNewInstancePostUri,
    'http://localhost:7071/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?code=sys%2Fkey',
  );
});
