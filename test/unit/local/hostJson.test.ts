import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTimeSpan, readHostJson, resolveAppSettings } from '../../../local/app/hostJson';

test('parseTimeSpan reads hh:mm:ss, days and -1', () => {
  assert.equal(parseTimeSpan('00:05:00'), 300_000);
  assert.equal(parseTimeSpan('1.02:03:04'), ((24 + 2) * 3600 + 3 * 60 + 4) * 1000);
  assert.equal(parseTimeSpan('00:00:01.5'), 1500);
  assert.equal(parseTimeSpan('-1'), undefined);
  assert.throws(() => parseTimeSpan('5 minutes'), /"5 minutes" is not a TimeSpan; write it as hh:mm:ss/);
});

test('readHostJson takes routePrefix, queues and the function timeout, with the host defaults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hostjson-'));
  assert.equal(readHostJson(dir).routePrefix, 'api');
  assert.equal(readHostJson(dir).queues.maxDequeueCount, 5);
  writeFileSync(
    join(dir, 'host.json'),
    JSON.stringify({
      version: '2.0',
      functionTimeout: '00:00:30',
      extensions: { http: { routePrefix: '/v1/' }, queues: { maxDequeueCount: 3, messageEncoding: 'none' } },
    }),
  );
  const hj = readHostJson(dir);
  assert.equal(hj.routePrefix, 'v1');
  assert.equal(hj.functionTimeoutMs, 30_000);
  assert.equal(hj.queues.maxDequeueCount, 3);
  assert.equal(hj.queues.messageEncoding, 'none');
});

test('resolveAppSettings fills %NAME% and names a missing setting', () => {
  assert.equal(resolveAppSettings('%HUB%Hub', { HUB: 'Sluice' }), 'SluiceHub');
  assert.throws(() => resolveAppSettings('%NOPE%', {}), /app setting "NOPE" used as %NOPE% is not set/);
});
