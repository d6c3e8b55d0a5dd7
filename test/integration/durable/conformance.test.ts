// Every orchestration pattern of the conformance app, driven over HTTP through the createCheckStatusResponse URLs of
// a `sluice host start` child process on real Azurite. Expected values and where they come from:
//  [SDK]  durable-functions 3.5.0 (createCheckStatusResponse, Task.all/any, RetryOptions), its docs and source
//  [ext]  the Durable extension's HttpApiHandler / TaskActivityShim / OutOfProcOrchestrationShim texts and codes,
//         as summarised in ../shared/docs/durable-protocol.md (§1.7, §2.6, §3, §6)
//  [doc]  ../shared/docs/durable-protocol.md §2.5/§2.8 (retry ids and delays)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueServiceClient } from '@azure/storage-queue';
import { startDurableHost, type DurableHost } from './durableHost';

let h: DurableHost;

before(async () => {
  h = await startDurableHost();
});
after(async () => {
  await h?.stop();
});

describe('durable conformance over HTTP', () => {
  test('chaining: the check-status response and its URLs, 202 while running, 200 with the output', async () => {
    const started = await h.start('chain');
    // [SDK] createCheckStatusResponse: 202, Location = statusQueryGetUri, Retry-After 10, every management URL.
    assert.equal(started.status, 202);
    assert.equal(started.headers.get('location'), started.body.statusQueryGetUri);
    assert.equal(started.headers.get('retry-after'), '10');
    // [SDK] the URLs take the origin of the request the starter received (the host presents it as localhost:<port>).
    const base = `http://localhost:${h.host.port}/runtime/webhooks/durabletask/instances/${started.body.id}`;
    const q = `taskHub=${h.hub}&connection=Storage&code=${encodeURIComponent(h.systemKey)}`;
    // [ext] HttpApiHandler.GetClientResponseLinks shapes.
    assert.deepEqual(started.body, {
      id: started.body.id,
      statusQueryGetUri: `${base}?${q}`,
      sendEventPostUri: `${base}/raiseEvent/{eventName}?${q}`,
      terminatePostUri: `${base}/terminate?reason={text}&${q}`,
      rewindPostUri: `${base}/rewind?reason={text}&${q}`,
      purgeHistoryDeleteUri: `${base}?${q}`,
      restartPostUri: `${base}/restart?${q}`,
      suspendPostUri: `${base}/suspend?reason={text}&${q}`,
      resumePostUri: `${base}/resume?reason={text}&${q}`,
    });
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.equal(done.status, 200);
    assert.equal(done.body.runtimeStatus, 'Completed');
    assert.equal(done.body.name, 'chain');
    assert.deepEqual(done.body.output, ['Hello Tokyo', 'Hello Seattle', 'Hello London']);
    // [ext] status times are yyyy-MM-ddTHH:mm:ssZ.
    assert.match(done.body.createdTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('a running instance answers 202 with Location and Retry-After 5 [ext]', async () => {
    const started = await h.start('waitEvent');
    const res = await fetch(started.body.statusQueryGetUri);
    const body = (await res.json()) as { runtimeStatus: string };
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('retry-after'), '5');
    assert.equal(res.headers.get('location'), started.body.statusQueryGetUri);
    assert.match(body.runtimeStatus, /^(Pending|Running)$/);
    assert.equal(await h.raise(started.body, 'go', 1), 202);
    assert.deepEqual((await h.waitDone(started.body.statusQueryGetUri)).body.output, { got: 1 });
  });

  test('fan-out/fan-in 100 wide', async () => {
    const started = await h.start('fanOut', 100);
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.equal(done.body.output, (100 * 101 * 201) / 6); // sum of squares 1..100
  });

  test('retry with backoff: delays 200 ms then min(400, max 300) ms, ids as DTFx numbers them [doc]', async () => {
    const started = await h.start('retry', { key: 'backoff', failTimes: 2, maxAttempts: 3 });
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.equal(done.body.output, 3);
    const res = await fetch(`${started.body.statusQueryGetUri}&showHistory=true`);
    const history = ((await res.json()) as { historyEvents: Record<string, string>[] }).historyEvents;
    assert.deepEqual(
      history.map((e) => e.EventType),
      [
        'ExecutionStarted',
        'TaskFailed',
        'TimerCreated',
        'TimerFired',
        'TaskFailed',
        'TimerCreated',
        'TimerFired',
        'TaskCompleted',
        'ExecutionCompleted',
      ],
    );
    const timers = history.filter((e) => e.EventType === 'TimerCreated');
    assert.deepEqual(
      timers.map((t) => Date.parse(t.FireAt) - Date.parse(t.Timestamp)),
      [200, 300],
    );
  });

  test('retry exhausted: the last error reaches the orchestrator after the trailing dummy timer [doc]', async () => {
    const started = await h.start('retry', { key: 'exhausted', failTimes: 5, maxAttempts: 2 });
    const done = await h.waitDone(started.body.statusQueryGetUri);
    // [ext] TaskFailed.Reason: "Activity function '<name>' failed: <text after 'Exception:'>" (note the double space).
    assert.deepEqual(done.body.output, { error: "Activity function 'flaky' failed:  attempt 2 of exhausted failed" });
    const res = await fetch(`${started.body.statusQueryGetUri}&showHistory=true`);
    const history = ((await res.json()) as { historyEvents: Record<string, string>[] }).historyEvents;
    const timers = history.filter((e) => e.EventType === 'TimerCreated');
    assert.equal(timers.length, 2);
    assert.equal(Date.parse(timers[1].FireAt), Date.parse(timers[1].Timestamp), 'the dummy timer fires at once');
  });

  test('retry timeout: after it passes, the remaining attempts fail at once with the last error', async () => {
    const started = await h.start('retryTimeout', { key: 'timeout' });
    const done = await h.waitDone(started.body.statusQueryGetUri);
    // Attempt 1 fails at once, attempt 2 runs 2 s later (past the 1.5 s timeout): no attempt 3..5 runs.
    assert.deepEqual(done.body.output, {
      error: "Activity function 'flaky' failed:  attempt 2 of timeout failed",
      ran: 2,
    });
  });

  test('a retried task and plain activities completing in the same batches keep their ids apart', async () => {
    const started = await h.start('retryMixed', { key: 'mixed' });
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.deepEqual(done.body.output, { results: [3, 1, 4, 9], after: 'Hello after' });
  });

  test('sub-orchestrations: explicit and generated ids, retry, and a failing child caught by the parent', async () => {
    const started = await h.start('parent', 'sub');
    const done = await h.waitDone(started.body.statusQueryGetUri);
    const out = done.body.output as Record<string, { greeting: string; instanceId: string; parent: string }> & {
      failed: string;
    };
    const id = started.body.id;
    assert.deepEqual(out.first, { greeting: 'Hello first', instanceId: `${id}-explicit`, parent: id });
    // [doc] a child without an id gets "<parent execution id>:<sequence id>".
    assert.match(out.generated.instanceId, /^[0-9a-f]{32}:1$/);
    assert.equal(out.generated.parent, id);
    assert.equal(out.retried.greeting, 'Hello retried');
    // [ext] the child's failure reason is its output: "Orchestrator function '<name>' failed: <error>".
    assert.equal(
      out.failed,
      "Orchestrator function 'child' failed: Activity function 'flaky' failed:  attempt 1 of sub-always failed",
    );
    const child = await h.waitDone(started.body.statusQueryGetUri.replace(id, `${id}-explicit`));
    assert.equal(child.body.runtimeStatus, 'Completed');
  });

  test('timers: one that fires, and one cancelled when the activity wins Task.any', async () => {
    const fired = await h.start('shortTimer', 1000);
    assert.equal((await h.waitDone(fired.body.statusQueryGetUri)).body.output, true);
    const cancelled = await h.start('timerCancel');
    assert.equal((await h.waitDone(cancelled.body.statusQueryGetUri)).body.output, 'Hello race');
  });

  test('a 10-day timer is stored in the queue (visibility capped at 7 days) and cancelled by an event', async () => {
    const queues = QueueServiceClient.fromConnectionString(h.azurite.connectionString);
    const controlCount = async () => {
      let n = 0;
      for (let i = 0; i < 4; i++) {
        const props = await queues.getQueueClient(`${h.hub.toLowerCase()}-control-0${i}`).getProperties();
        n += props.approximateMessagesCount ?? 0;
      }
      return n;
    };
    const started = await h.start('longTimer');
    await h.waitFor(started.body.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
    const withTimer = await controlCount();
    assert.ok(withTimer >= 1, 'the TimerFired message waits in a control queue');
    assert.equal(await h.raise(started.body, 'stop', true), 202);
    assert.equal((await h.waitDone(started.body.statusQueryGetUri)).body.output, 'stopped');
    const deadline = Date.now() + 10_000;
    while ((await controlCount()) >= withTimer && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await controlCount()) < withTimer, 'the cancelled timer message was deleted');
  });

  test('external events, one raised before the orchestrator waits for it', async () => {
    const started = await h.start('eventsEarly');
    // B first: the orchestrator waits for A before it waits for B, so B is raised before its wait [SDK].
    assert.equal(await h.raise(started.body, 'B', 2), 202);
    assert.equal(await h.raise(started.body, 'A', 1), 202);
    assert.deepEqual((await h.waitDone(started.body.statusQueryGetUri)).body.output, [1, 2]);
  });

  test('human interaction: approval before the timeout, and the timeout', async () => {
    const approved = await h.start('approval', { timeoutMs: 60_000 });
    await h.waitFor(approved.body.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
    assert.equal(await h.raise(approved.body, 'Approval', { by: 'ana' }), 202);
    assert.deepEqual((await h.waitDone(approved.body.statusQueryGetUri)).body.output, { approved: { by: 'ana' } });
    const timedOut = await h.start('approval', { timeoutMs: 1000 });
    assert.equal((await h.waitDone(timedOut.body.statusQueryGetUri)).body.output, 'timed out');
  });

  test('continueAsNew: a counter that restarts itself five times', async () => {
    const started = await h.start('counter', 0);
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.equal(done.body.runtimeStatus, 'Completed');
    assert.equal(done.body.output, 5);
    assert.equal(done.body.input, 5, 'the status shows the last generation’s input');
  });

  test('custom status is visible while running and after completion', async () => {
    const started = await h.start('customStatus');
    const waiting = await h.waitFor(
      started.body.statusQueryGetUri,
      (s) => JSON.stringify(s.customStatus) === '{"stage":"waiting"}',
    );
    assert.equal(waiting.runtimeStatus, 'Running');
    await h.raise(started.body, 'go', null);
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.deepEqual(done.body.customStatus, { stage: 'done' });
    assert.equal(done.body.output, 'ok');
  });

  test('newGuid and currentUtcDateTime replay to the same values', async () => {
    const started = await h.start('deterministic');
    assert.deepEqual((await h.waitDone(started.body.statusQueryGetUri)).body.output, { same: true, second: true });
  });

  test('a caught activity failure carries the message and the stack in details [ext]', async () => {
    const started = await h.start('catchFailure');
    const out = (await h.waitDone(started.body.statusQueryGetUri)).body.output as { message: string; cleanup: string };
    const [reason, details] = out.message.split(' \n ');
    assert.equal(reason, "Activity function 'fail' failed:  boom: caught");
    const parsed = JSON.parse(details) as { Message: string; InnerException: { RemoteStackTrace: string } };
    assert.equal(parsed.Message, ' boom: caught');
    assert.match(
      parsed.InnerException.RemoteStackTrace,
      /^Error: boom: caught\n\s+at handler \(.*durable-conformance\/index\.js/,
    );
    assert.equal(out.cleanup, 'Hello cleanup');
  });

  test('an uncaught failure fails the instance with the error as output; 500 on request [ext]', async () => {
    const started = await h.start('uncaughtFailure');
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.equal(done.status, 200);
    assert.equal(done.body.runtimeStatus, 'Failed');
    assert.match(
      done.body.output as string,
      /^Orchestrator function 'uncaughtFailure' failed: Activity function 'fail' failed: {2}boom: uncaught \n \{"\$type":"System.Exception/,
    );
    const strict = await fetch(`${started.body.statusQueryGetUri}&returnInternalServerErrorOnFailure=true`);
    assert.equal(strict.status, 500);
    const thrown = await h.start('orchestratorThrows');
    const failed = await h.waitDone(thrown.body.statusQueryGetUri);
    assert.equal(failed.body.output, "Orchestrator function 'orchestratorThrows' failed: orchestrator gave up");
  });

  test('entities: a warning at start-up, a clear failure when used, 501 on the entities API', async () => {
    assert.match(
      h.host.output(),
      /Durable entity function 'counterEntity' is registered, but the Sluice local host does not support entities/,
    );
    const started = await h.start('usesEntity');
    const done = await h.waitDone(started.body.statusQueryGetUri);
    assert.equal(done.body.runtimeStatus, 'Failed');
    assert.match(
      done.body.output as string,
      /^Orchestrator function 'usesEntity' failed: Durable entities are not supported by the Sluice local host/,
    );
    const res = await h.webhook(`${h.host.baseUrl}/runtime/webhooks/durabletask/entities/counterEntity/k`);
    assert.equal(res.status, 501);
  });
});
