import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRun } from '../../../cli/format/runDetails';
import { createStyle } from '../../../cli/format/style';
import type { Run } from '../../../sdk';
import { runView } from '../../../shared/api/views';
import { loadConfig } from '../../../shared/config';
import type { RunRecord } from '../../../shared/store/model';
import { runView as fakeRunView } from '../sdk/fakeServer';
import { createHarness, PIPELINE } from './harness';

const DASHBOARD =
  'https://dashboard.durabletask.io/?endpoint=https%3A%2F%2Fdts-abc.westus2.durabletask.io&taskhub=SluiceHub';

test("a run's view links its orchestration in the Durable Task Scheduler dashboard only when deployed on it", async () => {
  const h = createHarness();
  const res = await h.call('POST', 'experiments/dts/runs', { json: { pipeline: PIPELINE } });
  assert.equal(res.status, 202, res.text);
  const record = (await h.store.runs.get(res.json.id)) as RunRecord;
  const base = 'http://localhost:7071/api';
  const onDts = runView(base, record, [], { dashboardUrl: DASHBOARD });
  assert.deepEqual(onDts.links, {
    self: `${base}/runs/${record.id}`,
    cancel: `${base}/runs/${record.id}/cancel`,
    orchestration: DASHBOARD,
  });
  assert.equal('orchestration' in runView(base, record, [], { dashboardUrl: undefined }).links, false);
  // Through the API, with no setting (the local host, Azure Storage): no link.
  const got = await h.call('GET', `runs/${record.id}`, { role: 'Sluice.Read' });
  assert.equal(got.status, 200, got.text);
  assert.equal('orchestration' in got.json.links, false);
});

test('SLUICE_DTS_DASHBOARD_URL is read by the configuration and must be a URL', () => {
  assert.equal(loadConfig({ SLUICE_DTS_DASHBOARD_URL: DASHBOARD }).durableDashboardUrl, DASHBOARD);
  assert.equal(loadConfig({ SLUICE_DTS_DASHBOARD_URL: '' }).durableDashboardUrl, undefined);
  assert.throws(
    () => loadConfig({ SLUICE_DTS_DASHBOARD_URL: 'dashboard' }),
    /SLUICE_DTS_DASHBOARD_URL.*"dashboard" is not a URL/,
  );
});

test('`sluice runs show` names the orchestration and where to watch it', () => {
  const plain = createStyle(false);
  const now = Date.parse('2024-05-01T10:01:00.000Z');
  const run = fakeRunView({ links: { self: 'http://x/api/runs/run-1', orchestration: DASHBOARD } }) as unknown as Run;
  const lines = renderRun(run, now, plain);
  assert.ok(lines.includes(`  Orchestration  instance run-1 in ${DASHBOARD}`), lines.join('\n'));
  const without = renderRun(fakeRunView() as unknown as Run, now, plain);
  assert.equal(
    without.some((l) => l.includes('Orchestration')),
    false,
  );
});
