import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SluiceApiError, SluiceClient } from '../../../sdk';
import { runView, sendJson, startFakeServer, stepView, type FakeServer } from './fakeServer';

describe('waitForRun and watchRun', () => {
  let server: FakeServer;
  let client: SluiceClient;
  before(async () => {
    server = await startFakeServer();
    client = new SluiceClient({ url: server.url, token: 't' });
  });
  after(() => server.close());
  beforeEach(() => (server.requests.length = 0));

  /**
   * Answers GET /api/runs/<runId> with the next response of `script` (the last one repeats). Tests that end a wait
   * mid-request use a run id of their own, so a request still in flight cannot take the next test's first answer.
   */
  function script(responses: (() => [number, unknown])[], runId = 'run-1') {
    let i = 0;
    server.on(`GET /api/runs/${runId}`, (_req, res) => {
      const [status, body] = responses[Math.min(i++, responses.length - 1)]();
      sendJson(res, status, body);
    });
  }
  const running = () => [200, runView({ status: 'Running' }, [{ status: 'Running', attempt: 1 }])] as [number, unknown];
  const completed = () =>
    [200, runView({ status: 'Completed', metrics: { Accuracy: 0.9 } }, [{ status: 'Completed', attempt: 1 }])] as [
      number,
      unknown,
    ];
  const unavailable = () => [503, { error: { code: 'ServiceUnavailable', message: 'busy' } }] as [number, unknown];

  test('watchRun yields only when the run changed, and ends when it ends', async () => {
    script([running, running, running, completed]);
    const seen: string[] = [];
    for await (const run of client.watchRun('run-1', { minIntervalMs: 1, maxIntervalMs: 4 })) seen.push(run.status);
    assert.deepEqual(seen, ['Running', 'Completed']);
    assert.equal(server.requests.length, 4);
  });

  test('waitForRun returns the finished run and tolerates a few transient failures', async () => {
    script([running, unavailable, unavailable, completed]);
    const updates: string[] = [];
    const run = await client.waitForRun('run-1', {
      minIntervalMs: 1,
      maxIntervalMs: 2,
      onUpdate: (r) => updates.push(r.status),
    });
    assert.equal(run.status, 'Completed');
    assert.deepEqual(run.metrics, { Accuracy: 0.9 });
    assert.deepEqual(updates, ['Running', 'Completed']);
  });

  test('too many transient failures in a row, or a non-transient one, end the wait', async () => {
    script([running, unavailable]);
    const err = await client
      .waitForRun('run-1', { minIntervalMs: 1, maxIntervalMs: 2, maxConsecutiveErrors: 3 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof SluiceApiError);
    assert.equal(err.status, 503);
    assert.equal(server.requests.length, 4);

    server.requests.length = 0;
    script([() => [404, { error: { code: 'NotFound', message: 'Run "run-1" does not exist.' } }]]);
    const missing = await client.waitForRun('run-1', { minIntervalMs: 1 }).catch((e: unknown) => e);
    assert.equal((missing as SluiceApiError).code, 'NotFound');
    assert.equal(server.requests.length, 1);
  });

  test('timeoutMs gives up with a Timeout error naming the last status', async () => {
    script([running], 'run-timeout');
    const err = await client
      .waitForRun('run-timeout', { minIntervalMs: 5, maxIntervalMs: 5, timeoutMs: 500 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof SluiceApiError);
    assert.equal(err.code, 'Timeout');
    assert.equal(err.message, 'Run run-timeout did not end within 500 ms (last status: Running)');
  });

  test('an abort signal ends the wait with an Aborted error', async () => {
    script([running], 'run-abort');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const err = await client
      .waitForRun('run-abort', { minIntervalMs: 5, signal: controller.signal })
      .catch((e: unknown) => e);
    assert.equal((err as SluiceApiError).code, 'Aborted');
  });

  test('step changes count as changes', async () => {
    script([
      () => [200, runView({}, [stepView({ status: 'Queued', attempt: 1 })])],
      () => [200, runView({}, [stepView({ status: 'Running', attempt: 1 })])],
      () => [200, runView({ status: 'Failed' }, [stepView({ status: 'Failed', attempt: 1 })])],
    ]);
    const seen: string[] = [];
    for await (const run of client.watchRun('run-1', { minIntervalMs: 1 })) seen.push(run.steps[0].status);
    assert.deepEqual(seen, ['Queued', 'Running', 'Failed']);
  });
});
