import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, PIPELINE } from './harness';
import { recordAttemptEnd } from '../../../shared/engine/attempts';
import { RunView } from '../../../shared/api/schemas';

async function seed(h: ReturnType<typeof createHarness>, experiment: string, count: number) {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await h.call('POST', `experiments/${experiment}/runs`, { json: { pipeline: PIPELINE } });
    assert.equal(res.status, 202, res.text);
    ids.push(res.json.id);
  }
  return ids;
}

test('list runs newest first, page by page with continuation tokens and nextLink', async () => {
  const h = createHarness();
  const ids = [...(await seed(h, 'a', 3)), ...(await seed(h, 'b', 2))];
  const newestFirst = [...ids].reverse();
  const seen: string[] = [];
  let url = 'runs?top=2';
  for (let page = 0; page < 5 && url; page++) {
    const res = await h.call('GET', url, { role: 'Sluice.Read' });
    assert.equal(res.status, 200, res.text);
    seen.push(...res.json.value.map((r: { id: string }) => r.id));
    if (res.json.continuationToken) {
      assert.equal(
        res.json.nextLink,
        `http://localhost:7071/api/runs?top=2&continuationToken=${res.json.continuationToken}`,
      );
      url = res.json.nextLink.replace('http://localhost:7071/api/', '');
    } else url = '';
  }
  assert.deepEqual(seen, newestFirst);
  const first = await h.call('GET', 'runs?top=1');
  assert.deepEqual(Object.keys(first.json.value[0]).sort(), [
    'createdAt',
    'experiment',
    'id',
    'links',
    'pipelineId',
    'pipelineName',
    'status',
    'tags',
    'triggeredBy',
  ]);
});

test('list filters by experiment and status', async () => {
  const h = createHarness();
  const a = await seed(h, 'a', 3);
  await seed(h, 'b', 2);
  await h.store.runs.update(a[1], () => ({ status: 'Running' }));
  const byExp = await h.call('GET', 'runs?experiment=a');
  assert.deepEqual(
    byExp.json.value.map((r: { id: string }) => r.id),
    [...a].reverse(),
  );
  const running = await h.call('GET', 'runs?status=Running');
  assert.deepEqual(
    running.json.value.map((r: { id: string }) => r.id),
    [a[1]],
  );
  const both = await h.call('GET', 'runs?experiment=b&status=Running');
  assert.deepEqual(both.json.value, []);
  assert.equal(both.json.continuationToken, undefined);
});

test('list filters by trigger on the server; the next page keeps the filter; an unknown trigger is a 400', async () => {
  const h = createHarness();
  const a = await seed(h, 'a', 4);
  await h.store.runs.update(a[0], () => ({ triggeredBy: 'schedule' }));
  await h.store.runs.update(a[2], () => ({ triggeredBy: 'schedule' }));
  const first = await h.call('GET', 'runs?trigger=schedule&top=1');
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(
    first.json.value.map((r: { id: string; triggeredBy: string }) => [r.id, r.triggeredBy]),
    [[a[2], 'schedule']],
  );
  assert.match(first.json.nextLink, /[?&]trigger=schedule(&|$)/);
  const second = await h.call('GET', first.json.nextLink.replace('http://localhost:7071/api/', ''));
  assert.deepEqual(
    second.json.value.map((r: { id: string }) => r.id),
    [a[0]],
  );
  const manual = await h.call('GET', 'runs?trigger=manual&experiment=a');
  assert.deepEqual(
    manual.json.value.map((r: { id: string }) => r.id),
    [a[3], a[1]],
  );
  const bad = await h.call('GET', 'runs?trigger=cron');
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /trigger/);
  assert.match(bad.json.error.message, /manual, endpoint, schedule, dataChange/);
});

test('a continuation token from another listing or a made-up one is a 400', async () => {
  const h = createHarness();
  await seed(h, 'a', 3);
  const page = await h.call('GET', 'runs?experiment=a&top=1');
  const mismatched = await h.call('GET', `runs?top=1&continuationToken=${page.json.continuationToken}`);
  assert.equal(mismatched.status, 400);
  assert.equal(
    mismatched.json.error.message,
    'continuationToken: was issued for a listing with different filters; repeat the experiment and status of the first page',
  );
  const garbage = await h.call('GET', 'runs?continuationToken=nonsense');
  assert.equal(garbage.status, 400);
  assert.match(garbage.json.error.message, /^continuationToken: is not a token this API issued/);
});

test('get run returns the run with its step runs, times, outputs, metrics and log links', async () => {
  const h = createHarness();
  const [id] = await seed(h, 'a', 1);
  await h.store.stepRuns.update(id, 'first', () => ({
    status: 'Completed',
    attempt: 1,
    startedAt: '2024-05-01T12:00:10.000Z',
    endedAt: '2024-05-01T12:00:12.500Z',
    exitCode: 0,
    metrics: [{ name: 'Accuracy', kind: 'scalar', value: 0.9, time: '2024-05-01T12:00:11.000Z' }],
  }));
  const res = await h.call('GET', `runs/${id}`, { role: 'Sluice.Read' });
  assert.equal(res.status, 200);
  assert.equal(res.json.id, id);
  assert.equal(res.json.status, 'NotStarted');
  assert.deepEqual(res.json.parameters, { n: 1 });
  assert.equal(res.json.steps.length, 2);
  const first = res.json.steps[0];
  assert.equal(first.name, 'first');
  assert.equal(first.status, 'Completed');
  assert.equal(first.durationMs, 2500);
  assert.equal(first.metrics[0].name, 'Accuracy');
  assert.equal(first.reused, false);
  assert.equal(first.links.logs, `http://localhost:7071/api/runs/${id}/steps/first/logs`);
  assert.equal(res.json.steps[1].status, 'NotStarted');
  assert.equal('etag' in res.json, false);
});

test("a retried step's earlier attempts are in the run's answer, as the StepRun schema and OpenAPI say", async () => {
  const h = createHarness();
  const [id] = await seed(h, 'a', 1);
  const at = (s: number) => `2024-05-01T12:00:${String(s).padStart(2, '0')}.000Z`;
  for (const attempt of [1, 2]) {
    const base = 20 * (attempt - 1);
    await h.store.stepRuns.update(id, 'first', () => ({
      status: 'Running',
      attempt,
      maxAttempts: 2,
      queuedAt: at(base),
      startedAt: at(base + 1),
      workerId: `w${attempt}`,
    }));
    await recordAttemptEnd(
      h.store,
      attempt === 1
        ? { runId: id, step: 'first', attempt, status: 'Failed', message: 'exit 1' }
        : { runId: id, step: 'first', attempt, status: 'Completed' },
      () => new Date(at(base + 5)),
    );
  }
  const res = await h.call('GET', `runs/${id}`, { role: 'Sluice.Read' });
  assert.equal(res.status, 200, res.text);
  const parsed = RunView.safeParse(res.json);
  assert.equal(parsed.success, true, parsed.success ? '' : JSON.stringify(parsed.error.issues));
  const [first, second] = res.json.steps;
  assert.deepEqual(first.attempts, [
    {
      attempt: 1,
      status: 'Failed',
      queuedAt: at(0),
      startedAt: at(1),
      endedAt: at(5),
      error: { code: 'StepFailed', message: 'exit 1' },
      workerId: 'w1',
    },
  ]);
  assert.deepEqual([first.attempt, first.status, first.queuedAt, first.startedAt], [2, 'Completed', at(20), at(21)]);
  assert.deepEqual(second.attempts, [], 'a step never retried has none');
  const doc = (await h.call('GET', 'openapi.json', { role: null })).json;
  const attempts = doc.components.schemas.StepRun.properties.attempts;
  assert.equal(attempts.type, 'array');
  assert.deepEqual(attempts.items.properties.status.enum, ['Completed', 'Failed', 'Canceled']);
  assert.ok(doc.components.schemas.StepRun.required.includes('attempts'));
});

test("a step's display_name (v1's name with spaces) is shown as displayName; its name stays the id", async () => {
  const h = createHarness();
  const pipeline = {
    name: 'named',
    steps: [{ name: 'Prepare_Data', display_name: 'Prepare Data', type: 'command', command: 'echo' }],
  };
  const { json } = await h.call('POST', 'experiments/e/runs', { json: { pipeline } });
  const view = await h.call('GET', `runs/${json.id}`);
  assert.deepEqual(
    view.json.steps.map((s: { name: string; displayName?: string }) => [s.name, s.displayName]),
    [['Prepare_Data', 'Prepare Data']],
  );
  const bad = await h.call('POST', 'experiments/e/runs', {
    json: { pipeline: { ...pipeline, steps: [{ ...pipeline.steps[0], display_name: '  ' }] } },
  });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error.message, /steps\[0\]\.display_name/);
});
