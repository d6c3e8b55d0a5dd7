import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiDeps, ApiRequest } from '../../../shared/api';
import { scheduleState } from '../../../shared/schedules/state';
import type { ScheduleRecord } from '../../../shared/store/scheduleModel';
import { createHarness, readAll } from '../api/harness';

function post(path: string, body: unknown): ApiRequest {
  return {
    method: 'POST',
    url: `http://localhost:7071/api/${path}`,
    headers: new Headers({ 'content-type': 'application/json' }),
    params: {},
    body: [Buffer.from(JSON.stringify(body))],
  };
}

test('POST /api/studio/sessions: 201 with a session for a good code, 401 for a bad one, 404 outside local mode', async () => {
  const h = createHarness();
  const studioSignIn: ApiDeps['studioSignIn'] = async (code) =>
    code === 'good' ? { token: 'tok', expiresAt: '2026-01-01T00:00:00.000Z' } : undefined;
  const ok = await h.api.dispatch(post('studio/sessions', { code: 'good' }), { studioSignIn });
  assert.equal(ok.status, 201);
  assert.equal(ok.headers['cache-control'], 'no-store');
  assert.deepEqual(JSON.parse(await readAll(ok.body)), { token: 'tok', expiresAt: '2026-01-01T00:00:00.000Z' });
  const bad = await h.api.dispatch(post('studio/sessions', { code: 'used' }), { studioSignIn });
  assert.equal(bad.status, 401);
  assert.match(JSON.parse(await readAll(bad.body)).error.message, /npx sluice studio/);
  const empty = await h.api.dispatch(post('studio/sessions', {}), { studioSignIn });
  assert.equal(empty.status, 400);
  assert.match(await readAll(empty.body), /code/);
  const entra = await h.api.dispatch(post('studio/sessions', { code: 'good' }));
  assert.equal(entra.status, 404);
  assert.match(JSON.parse(await readAll(entra.body)).error.message, /local mode/);
});

test('GET /api/pipelines/{id} returns the stored spec; unknown is 404, a malformed id 400', async () => {
  const h = createHarness();
  const spec = { name: 'p', steps: [{ name: 'a', type: 'command', command: 'echo' }] };
  const record = await h.store.pipelines.put(spec, { name: 'p' });
  const res = await h.call('GET', `pipelines/${record.id}`, { role: 'Sluice.Read' });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.spec, spec);
  assert.equal(res.json.name, 'p');
  assert.equal((await h.call('GET', `pipelines/${'0'.repeat(64)}`)).status, 404);
  const bad = await h.call('GET', 'pipelines/xyz');
  assert.equal(bad.status, 400);
  assert.match(bad.text, /pipelineId/);
  assert.equal((await h.call('GET', `pipelines/${record.id}`, { role: null })).status, 401);
});

test('GET answers carry an ETag; If-None-Match with it is a 304 without a body until the resource changes', async () => {
  const h = createHarness();
  const first = await h.call('GET', 'runs', { role: 'Sluice.Read' });
  const etag = first.headers.etag;
  assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
  const same = await h.call('GET', 'runs', { role: 'Sluice.Read', headers: { 'if-none-match': etag } });
  assert.equal(same.status, 304);
  assert.equal(same.text, '');
  assert.equal(same.headers.etag, etag);
  assert.equal(
    (await h.call('GET', 'runs', { role: 'Sluice.Read', headers: { 'if-none-match': `W/${etag}` } })).status,
    304,
  );
  await h.call('POST', 'experiments/e1/runs', {
    json: { pipeline: { name: 'p', steps: [{ name: 'a', type: 'command', command: 'echo' }] } },
  });
  const changed = await h.call('GET', 'runs', { role: 'Sluice.Read', headers: { 'if-none-match': etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.etag, etag);
  // A 304 never skips authorization.
  assert.equal((await h.call('GET', 'runs', { role: null, headers: { 'if-none-match': etag } })).status, 401);
});

test("a schedule's state shows its fire times in its own zone (a Windows id resolved to IANA)", async () => {
  const h = createHarness();
  const record = {
    id: 's1',
    name: 'nightly',
    status: 'Active',
    experimentName: 'e',
    parameters: {},
    dataPaths: {},
    recurrence: { frequency: 'Day', interval: 1, hours: [21], minutes: [30], timeZone: 'Romance Standard Time' },
    createdAt: '2026-03-27T00:00:00Z',
    updatedAt: '2026-03-27T00:00:00Z',
    lastEvaluatedAt: '2026-03-27T00:00:00Z',
  } as ScheduleRecord;
  const state = await scheduleState(h.store, record, new Date('2026-03-27T00:00:00Z'));
  assert.equal(state.timeZone, 'Europe/Paris');
  // Across the change to summer time (29 March 2026): 21:30 stays 21:30 in Paris; its UTC offset moves.
  assert.deepEqual(state.nextFireTimesInZone, [
    '2026-03-27T21:30:00+01:00',
    '2026-03-28T21:30:00+01:00',
    '2026-03-29T21:30:00+02:00',
    '2026-03-30T21:30:00+02:00',
    '2026-03-31T21:30:00+02:00',
  ]);
  assert.deepEqual(state.nextFireTimes.slice(0, 3), [
    '2026-03-27T20:30:00.000Z',
    '2026-03-28T20:30:00.000Z',
    '2026-03-29T19:30:00.000Z',
  ]);
});
