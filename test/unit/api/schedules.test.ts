import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_PIPELINE, scheduleHarness } from '../schedules/harness';

async function setup() {
  const h = scheduleHarness();
  const pp = await h.publish();
  const base = { name: 'nightly', publishedPipelineId: pp, experimentName: 'nightly-exp' };
  return { h, pp, base };
}

test('create, get, list, update, disable, enable and delete a schedule; admin writes, read reads', async () => {
  const { h, pp, base } = await setup();
  h.at('2024-03-09T12:00:00Z');
  const created = await h.create({
    ...base,
    description: 'every day at 02:30 New York time',
    cron: '30 2 * * *',
    timeZone: 'America/New_York',
  });
  assert.equal(created.status, 'Active');
  assert.equal(created.createdBy, 'user-Sluice.Admin');
  // 10 Mar 2024 is the spring-forward night in New York: 02:30 does not exist and fires at 03:00 EDT (07:00Z).
  assert.deepEqual(created.state.nextFireTimes, [
    '2024-03-10T07:00:00.000Z',
    '2024-03-11T06:30:00.000Z',
    '2024-03-12T06:30:00.000Z',
    '2024-03-13T06:30:00.000Z',
    '2024-03-14T06:30:00.000Z',
  ]);
  assert.equal(created.links.self, `http://localhost:7071/api/schedules/${created.id}`);
  assert.equal(created.links.publishedPipeline, `http://localhost:7071/api/published-pipelines/${pp}`);

  const denied = await h.call('POST', 'schedules', { role: 'Sluice.Run', json: { ...base, cron: '* * * * *' } });
  assert.equal(denied.status, 403);
  const got = await h.call('GET', `schedules/${created.id}`, { role: 'Sluice.Read' });
  assert.equal(got.status, 200);
  assert.equal(got.json.description, 'every day at 02:30 New York time');
  const listed = await h.call('GET', 'schedules?status=Active', { role: 'Sluice.Read' });
  assert.deepEqual(
    listed.json.value.map((s: { id: string }) => s.id),
    [created.id],
  );

  // PATCH: recurrence replaces cron and timeZone.
  const patched = await h.call('PATCH', `schedules/${created.id}`, {
    json: { recurrence: { frequency: 'Week', interval: 1, weekDays: ['Monday'], timeOfDay: '09:00', timeZone: 'UTC' } },
  });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.json.cron, undefined);
  assert.equal(patched.json.timeZone, undefined);
  assert.equal(patched.json.state.nextFireTimes[0], '2024-03-11T09:00:00.000Z');
  assert.equal(patched.json.description, 'every day at 02:30 New York time', 'fields not given stay');
  assert.equal((await h.call('PATCH', `schedules/${created.id}`, { role: 'Sluice.Read', json: {} })).status, 403);

  const disabled = await h.call('POST', `schedules/${created.id}/disable`);
  assert.equal(disabled.json.status, 'Disabled');
  assert.equal((await h.call('POST', `schedules/${created.id}/disable`)).json.status, 'Disabled', 'harmless repeat');
  assert.equal((await h.call('POST', `schedules/${created.id}/enable`)).json.status, 'Active');

  assert.equal((await h.call('DELETE', `schedules/${created.id}`)).status, 204);
  const gone = await h.call('GET', `schedules/${created.id}`, { role: 'Sluice.Read' });
  assert.equal(gone.status, 404);
  assert.match(gone.json.error.message, /does not exist; list them with GET \/api\/schedules/);
  assert.equal((await h.call('DELETE', `schedules/${created.id}`)).status, 404);
});

test('validation errors name the field, with Azure ML recurrence messages', async () => {
  const { h, base } = await setup();
  const post = (body: Record<string, unknown>) => h.call('POST', 'schedules', { json: body });

  let res = await post({ ...base, recurrence: { frequency: 'Minute', interval: 1, hours: [25] } });
  assert.equal(res.status, 400);
  assert.ok(
    res.json.error.details.issues.some(
      (i: { path: string; message: string }) =>
        i.path === 'body.recurrence.hours[0]' && i.message === 'Hours must be between 0 and 23.',
    ),
    res.text,
  );
  res = await post({ ...base, recurrence: { frequency: 'Day', interval: 0 } });
  assert.equal(res.json.error.message, 'body.recurrence.interval: Interval must be an integer greater than 0.');
  res = await post({ ...base, recurrence: { frequency: 'Day', interval: 1, weekDays: ['Monday'] } });
  assert.equal(
    res.json.error.message,
    'body.recurrence.weekDays: Can only specify week days if frequency is Week; remove weekDays or set frequency to Week.',
  );
  res = await post({ ...base, cron: '0 9 * *' });
  assert.match(res.json.error.message, /^body\.cron: "0 9 \* \*" has 4 fields; write five/);
  res = await post({ ...base, cron: '0 9 * * *', timeZone: 'Mars/Olympus_Mons' });
  assert.match(res.json.error.message, /^body\.timeZone: "Mars\/Olympus_Mons" is not a known time zone/);

  res = await post(base);
  assert.equal(res.json.error.code, 'InvalidSchedule');
  assert.equal(
    res.json.error.message,
    'body.recurrence: A schedule needs recurrence, cron or dataTrigger; add recurrence {frequency, interval}, a ' +
      'five-field cron, or dataTrigger {datastore, path}.',
  );
  res = await post({ ...base, cron: '* * * * *', dataTrigger: { path: 'in' } });
  assert.equal(
    res.json.error.message,
    'body.dataTrigger: Specify only one of recurrence, cron or dataTrigger, not cron and dataTrigger; remove all but one.',
  );
  res = await post({ ...base, recurrence: { frequency: 'Day', interval: 1 }, timeZone: 'UTC' });
  assert.equal(
    res.json.error.message,
    'body.timeZone: With recurrence, timeZone goes inside it; move timeZone to recurrence.timeZone.',
  );
  res = await post({ ...base, publishedPipelineId: undefined, cron: '* * * * *' });
  assert.match(
    res.json.error.message,
    /^body\.publishedPipelineId: A schedule runs a published pipeline or a pipeline endpoint/,
  );
  res = await post({ ...base, pipelineEndpoint: 'ep', cron: '* * * * *' });
  assert.match(res.json.error.message, /^body\.pipelineEndpoint: Give either publishedPipelineId or pipelineEndpoint/);
  res = await post({ ...base, publishedPipelineId: 'nope', cron: '* * * * *' });
  assert.equal(
    res.json.error.message,
    'body.publishedPipelineId: Published pipeline "nope" does not exist; list them with GET /api/published-pipelines',
  );
  res = await post({ ...base, parameters: { rate: 'fast' }, cron: '* * * * *' });
  assert.equal(res.status, 400);
  assert.match(res.json.error.message, /\n {2}body\.parameters\.rate: "fast" is not a float/);
  assert.equal(res.json.error.details.issues[0].path, 'body.parameters.rate');
  res = await post({ ...base, parameters: { nope: 1 }, cron: '* * * * *' });
  assert.match(res.json.error.message, /body\.parameters\.nope/);
});

test('data triggers: path, datastore and data-path parameter are checked', async () => {
  const { h, base } = await setup();
  const post = (dataTrigger: Record<string, unknown>) =>
    h.call('POST', 'schedules', { json: { ...base, dataTrigger } });
  let res = await post({ path: '../up' });
  assert.equal(
    res.json.error.message,
    'body.dataTrigger.path: must be a folder in the datastore such as "incoming" or "data/2024" (no "..", ".", "\\" or empty segments)',
  );
  res = await post({ path: 'in', datastore: 'nostore' });
  assert.equal(
    res.json.error.message,
    'body.dataTrigger.datastore: datastore "nostore" does not exist; known datastores: workspaceblobstore',
  );
  res = await post({ path: 'in', dataPathParameterName: 'rate' });
  assert.equal(
    res.json.error.message,
    'body.dataTrigger.dataPathParameterName: pipeline "ingest" has no data-path parameter "rate"; its data-path parameters: raw',
  );
  res = await post({ path: 'in', batch: 'hourly' });
  assert.match(
    res.json.error.message,
    /^body\.dataTrigger\.batch: must be "perBlob" \(one run per blob, the default\)/,
  );
  res = await post({ path: 'in', pollingIntervalMinutes: 0 });
  assert.equal(
    res.json.error.message,
    'body.dataTrigger.pollingIntervalMinutes: must be a whole number of minutes from 1 to 1440',
  );

  const two = {
    ...DATA_PIPELINE,
    name: 'two',
    inputs: { ...DATA_PIPELINE.inputs, more: { datastore: 'workspaceblobstore', path: 'm/' } },
  };
  two.steps = [
    { ...DATA_PIPELINE.steps[0], inputs: ['raw', 'more'], arguments: ['${{inputs.raw}}', '${{inputs.more}}'] },
  ];
  const pp2 = await h.publish(two);
  res = await h.call('POST', 'schedules', { json: { ...base, publishedPipelineId: pp2, dataTrigger: { path: 'in' } } });
  assert.equal(
    res.json.error.message,
    'body.dataTrigger.dataPathParameterName: is required: pipeline "two" has several data-path parameters (raw, more); name the one that gets the changed blob',
  );
  const ok = await h.create({ ...base, dataTrigger: { path: '/in/coming/' } });
  assert.equal(ok.dataTrigger.path, 'in/coming');
  assert.deepEqual(ok.state.nextFireTimes, []);
});

test('PATCH checks the merged schedule and resets the evaluation point when the timing changes', async () => {
  const { h, base } = await setup();
  h.at('2024-05-01T12:00:00Z');
  const s = await h.create({ ...base, recurrence: { frequency: 'Hour', interval: 1 } });
  h.at('2024-05-01T15:30:00Z');
  let res = await h.call('PATCH', `schedules/${s.id}`, { json: { name: 'renamed' } });
  assert.equal(res.json.state.lastEvaluatedAt, s.state.lastEvaluatedAt, 'a rename keeps the fire times due');
  res = await h.call('PATCH', `schedules/${s.id}`, { json: { cron: '0 * * * *' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.recurrence, undefined);
  assert.notEqual(res.json.state.lastEvaluatedAt, s.state.lastEvaluatedAt);
  res = await h.call('PATCH', `schedules/${s.id}`, { json: { timeZone: 'Nowhere/Land' } });
  assert.equal(res.status, 400);
  res = await h.call('PATCH', `schedules/${s.id}`, { json: { parameters: { rate: 'x' } } });
  assert.match(res.json.error.message, /body\.parameters\.rate: "x" is not a float/);
  res = await h.call('PATCH', `schedules/${s.id}`, { json: { status: 'Disabled' } });
  assert.equal(res.json.error.message, 'body.status: is not a known field; remove it or check its spelling');
});

test('the OpenAPI document lists the schedule routes', async () => {
  const { h } = await setup();
  const doc = await h.call('GET', 'openapi.json', { role: null });
  const paths = Object.keys(doc.json.paths);
  for (const p of [
    '/schedules',
    '/schedules/{id}',
    '/schedules/{id}/runs',
    '/schedules/{id}/enable',
    '/schedules/{id}/disable',
  ]) {
    assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
  }
  assert.ok(doc.json.components.schemas.CreateSchedule);
});
