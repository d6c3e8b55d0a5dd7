import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeKey, historyRowKey, partitionOf, taskHubNames, unescapeKey } from '../../../../local/durable/names';
import { readDurableOptions } from '../../../../local/durable/options';
import type { HostJson } from '../../../../local/app/hostJson';
import { retryDelayMs, retryTimedOut, parseRetryOptions } from '../../../../local/durable/retry';

test('task hub artifacts are named as DurableTask.AzureStorage names them', () => {
  assert.deepEqual(taskHubNames('SluiceHub', 4), {
    hub: 'SluiceHub',
    historyTable: 'SluiceHubHistory',
    instancesTable: 'SluiceHubInstances',
    controlQueues: ['sluicehub-control-00', 'sluicehub-control-01', 'sluicehub-control-02', 'sluicehub-control-03'],
    workItemQueue: 'sluicehub-workitems',
    largeMessagesContainer: 'sluicehub-largemessages',
    leasesContainer: 'sluicehub-leases',
  });
});

test('instances route to a control queue by FNV-1a of the UTF-8 id', () => {
  // FNV-1a 32-bit reference values: "" → 0x811c9dc5, "a" → 0xe40c292c.
  assert.equal(partitionOf('', 16), 0x811c9dc5 % 16);
  assert.equal(partitionOf('a', 4), 0xe40c292c % 4);
  // Hashed over the UTF-8 bytes (C3 A9), not the UTF-16 code unit: FNV-1a("é") = 0x1e9de8c1.
  assert.equal(partitionOf('é', 7), 0x1e9de8c1 % 7);
});

test('table keys escape / \\ # ? ^ and control characters, and row keys are 16 hex digits', () => {
  assert.equal(escapeKey('a/b\\c#d?e^f\u0001'), 'a^2Fb^5Cc^23d^3Fe^5Ef^01');
  assert.equal(unescapeKey(escapeKey('a/b\\c#d?e^f\u0001')), 'a/b\\c#d?e^f\u0001');
  assert.equal(historyRowKey(10), '000000000000000A');
});

function hostJson(durableTask: Record<string, unknown>): HostJson {
  return { raw: {}, routePrefix: 'api', functionTimeoutMs: undefined, queues: {} as HostJson['queues'], durableTask };
}

test('durable options: defaults, %SETTING% hub names and clear errors', () => {
  const d = readDurableOptions(hostJson({}), {});
  assert.equal(d.hubName, 'TestHubName');
  assert.equal(d.maxConcurrentActivityFunctions, 10);
  assert.equal(d.partitionCount, 4);
  assert.equal(d.maxPollingIntervalMs, 1000);
  assert.equal(readDurableOptions(hostJson({ hubName: '%HUB%' }), { HUB: 'MyHub1' }).hubName, 'MyHub1');
  assert.throws(
    () => readDurableOptions(hostJson({ hubName: 'my-hub' }), {}),
    /The task hub name "my-hub" \(host.json extensions.durableTask.hubName\) is not valid: use 3 to 45 letters or digits, starting with a letter/,
  );
  assert.throws(
    () => readDurableOptions(hostJson({ maxConcurrentActivityFunctions: 0 }), {}),
    /host.json extensions.durableTask.maxConcurrentActivityFunctions must be a whole number from 1 to/,
  );
  assert.throws(
    () => readDurableOptions(hostJson({ hubName: '%NOPE%' }), {}),
    /app setting "NOPE" used as %NOPE% is not set/,
  );
  const fast = readDurableOptions(hostJson({ storageProvider: { controlQueueVisibilityTimeout: '00:00:02' } }), {});
  assert.equal(fast.controlQueueVisibilityMs, 2000);
});

test('retry delays: first * backoff^(k-1), capped, zero after the last attempt; timeout from the first attempt', () => {
  const o = parseRetryOptions(
    {
      firstRetryIntervalInMilliseconds: 100,
      maxNumberOfAttempts: 4,
      backoffCoefficient: 3,
      maxRetryIntervalInMilliseconds: 500,
    },
    'f',
  );
  assert.deepEqual(
    [1, 2, 3, 4].map((k) => retryDelayMs(o, k)),
    [100, 300, 500, 0],
  );
  const plain = parseRetryOptions({ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 3 }, 'f');
  assert.deepEqual(
    [1, 2].map((k) => retryDelayMs(plain, k)),
    [1000, 1000],
  );
  assert.equal(retryTimedOut({ ...plain, retryTimeoutInMilliseconds: 5000 }, 0, 4999), false);
  assert.equal(retryTimedOut({ ...plain, retryTimeoutInMilliseconds: 5000 }, 0, 5000), true);
  assert.throws(
    () => parseRetryOptions({ firstRetryIntervalInMilliseconds: 0, maxNumberOfAttempts: 1 }, 'act'),
    /The retry options for 'act' need firstRetryIntervalInMilliseconds > 0/,
  );
});
