import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness, PIPELINE } from './harness';
import { publish } from './publishedHarness';

const put = (h: ReturnType<typeof createHarness>, name: string, json: unknown, role?: 'Sluice.Run') =>
  h.call('PUT', `pipeline-endpoints/${name}`, { json, role });

test('PUT creates an endpoint with version "0" as default; more versions; change the default; repeats change nothing', async () => {
  const h = createHarness();
  const a = await publish(h, PIPELINE, { name: 'a' });
  const b = await publish(h, PIPELINE, { name: 'b' });
  const created = await put(h, 'scoring', { publishedPipelineId: a.id, description: 'stable' });
  assert.equal(created.status, 201, created.text);
  assert.equal(created.headers.location, 'http://localhost:7071/api/pipeline-endpoints/scoring');
  assert.equal(created.json.defaultVersion, '0');
  assert.equal(created.json.endpoint, 'http://localhost:7071/api/pipeline-endpoints/scoring/submit');
  assert.equal(created.json.description, 'stable');
  assert.deepEqual(
    created.json.versions.map((v: { version: string; publishedPipelineId: string; isDefault: boolean }) => [
      v.version,
      v.publishedPipelineId,
      v.isDefault,
    ]),
    [['0', a.id, true]],
  );
  const added = await put(h, 'scoring', { publishedPipelineId: b.id });
  assert.equal(added.status, 200, added.text);
  assert.equal(added.json.defaultVersion, '0', 'a new version is not the default unless asked');
  assert.deepEqual(
    added.json.versions.map((v: { version: string }) => v.version),
    ['0', '1'],
  );
  const again = await put(h, 'scoring', { publishedPipelineId: b.id });
  assert.equal(again.json.versions.length, 2, 'a published pipeline is a version once');
  assert.equal(again.json.updatedAt, added.json.updatedAt, 'nothing changed');
  const def = await put(h, 'scoring', { publishedPipelineId: b.id, makeDefault: true });
  assert.equal(def.json.defaultVersion, '1');
  const back = await put(h, 'scoring', { defaultVersion: '0' });
  assert.equal(back.json.defaultVersion, '0');
  const c = await publish(h, PIPELINE, { name: 'c' });
  const addDefault = await put(h, 'scoring', { publishedPipelineId: c.id, makeDefault: true });
  assert.equal(addDefault.json.defaultVersion, '2');

  const got = await h.call('GET', 'pipeline-endpoints/scoring', { role: 'Sluice.Read' });
  assert.deepEqual(got.json, addDefault.json);
  const versions = await h.call('GET', 'pipeline-endpoints/scoring/versions', { role: 'Sluice.Read' });
  assert.equal(versions.json.defaultVersion, '2');
  assert.deepEqual(
    versions.json.value.map((v: { version: string; publishedPipelineId: string }) => [
      v.version,
      v.publishedPipelineId,
    ]),
    [
      ['0', a.id],
      ['1', b.id],
      ['2', c.id],
    ],
  );
  assert.equal(
    versions.json.value[1].links.submit,
    'http://localhost:7071/api/pipeline-endpoints/scoring/submit?version=1',
  );
  await put(h, 'another', { publishedPipelineId: a.id });
  const list = await h.call('GET', 'pipeline-endpoints', { role: 'Sluice.Read' });
  assert.deepEqual(
    list.json.value.map((e: { name: string }) => e.name),
    ['another', 'scoring'],
  );
});

test('bad PUTs are 400s naming the field; unknown endpoints are 404s; only admins PUT', async () => {
  const h = createHarness();
  const a = await publish(h, PIPELINE);
  const cases: [string, unknown, string][] = [
    ['new', {}, 'body.publishedPipelineId: is required to create pipeline endpoint "new" (its first version)'],
    ['new', { publishedPipelineId: 'nope' }, 'body.publishedPipelineId: no published pipeline with id "nope" exists'],
    [
      'new',
      { publishedPipelineId: a.id, defaultVersion: '3' },
      'body.defaultVersion: a new pipeline endpoint has only version "0"',
    ],
    ['new', { makeDefault: true }, 'body.makeDefault: needs publishedPipelineId'],
    [
      'new',
      { publishedPipelineId: a.id, makeDefault: true, defaultVersion: '0' },
      'body.defaultVersion: give either makeDefault or defaultVersion, not both',
    ],
    ['1bad', { publishedPipelineId: a.id }, 'path.name: must start with a letter'],
  ];
  for (const [name, json, message] of cases) {
    const res = await put(h, name, json);
    assert.equal(res.status, 400, `${name} ${JSON.stringify(json)} → ${res.text}`);
    assert.ok(res.json.error.message.startsWith(message), `${res.json.error.message} starts with ${message}`);
  }
  await put(h, 'ep', { publishedPipelineId: a.id });
  const noVersion = await put(h, 'ep', { defaultVersion: '7' });
  assert.equal(noVersion.status, 400);
  assert.equal(
    noVersion.json.error.message,
    'body.defaultVersion: pipeline endpoint "ep" has no version "7"; its versions: 0',
  );
  const missing = await h.call('GET', 'pipeline-endpoints/nope', { role: 'Sluice.Read' });
  assert.equal(missing.status, 404);
  assert.equal(
    missing.json.error.message,
    'Pipeline endpoint "nope" does not exist; create it with PUT /api/pipeline-endpoints/nope (sluice endpoint set nope --pipeline ID).',
  );
  const runner = await put(h, 'ep2', { publishedPipelineId: a.id }, 'Sluice.Run');
  assert.equal(runner.status, 403);
  assert.equal(await h.store.pipelineEndpoints.get('ep2'), undefined);
});

test('submit to an endpoint runs its default version or ?version=; errors name the versions; 409 when disabled', async () => {
  const h = createHarness();
  const a = await publish(h);
  const b = await publish(h, PIPELINE, { name: 'b' });
  await put(h, 'ep', { publishedPipelineId: a.id });
  await put(h, 'ep', { publishedPipelineId: b.id });
  const submit = (query: string, json: unknown, headers: Record<string, string> = {}) =>
    h.call('POST', `pipeline-endpoints/ep/submit${query}`, { json, headers, role: 'Sluice.Run' });

  const def = await submit('', { ExperimentName: 'ep-runs', ParameterAssignments: { epochs: 5 } });
  assert.equal(def.status, 202, def.text);
  assert.equal(def.json.publishedPipelineId, a.id);
  const run = (await h.store.runs.get(def.json.Id))!;
  assert.equal(run.publishedPipelineId, a.id);
  assert.equal(run.triggeredBy, 'endpoint');
  assert.deepEqual(run.parameters.epochs, 5);

  const v1 = await submit('?version=1', { experimentName: 'ep-runs', parameterAssignments: { n: 3 } });
  assert.equal(v1.status, 202, v1.text);
  assert.equal((await h.store.runs.get(v1.json.id))!.publishedPipelineId, b.id);

  const params = await submit('', { ExperimentName: 'ep-runs', ParameterAssignments: { n: 3 } });
  assert.equal(params.status, 400, 'version 0 has no parameter n and needs epochs');
  assert.match(params.json.error.message, /body\.ParameterAssignments\.n: unknown parameter "n"/);

  const none = await submit('?version=9', { ExperimentName: 'ep-runs' });
  assert.equal(none.status, 400);
  assert.equal(none.json.error.message, 'query.version: pipeline endpoint "ep" has no version "9"; its versions: 0, 1');
  const missing = await h.call('POST', 'pipeline-endpoints/nope/submit', { json: { ExperimentName: 'e' } });
  assert.equal(missing.status, 404);

  await h.call('POST', `published-pipelines/${b.id}/disable`);
  const disabled = await submit('?version=1', { ExperimentName: 'ep-runs' });
  assert.equal(disabled.status, 409);
  assert.equal(disabled.json.error.code, 'PipelineDisabled');
  const reader = await h.call('POST', 'pipeline-endpoints/ep/submit', {
    json: { ExperimentName: 'e', ParameterAssignments: { epochs: 1 } },
    role: 'Sluice.Read',
  });
  assert.equal(reader.status, 403);
  assert.equal(h.store.runs.rows.size, 2);
});

test('endpoint submits honour Idempotency-Key: the version (query) is part of the request', async () => {
  const h = createHarness();
  const a = await publish(h, PIPELINE, { name: 'a' });
  const b = await publish(h, PIPELINE, { name: 'b' });
  await put(h, 'ep', { publishedPipelineId: a.id });
  await put(h, 'ep', { publishedPipelineId: b.id });
  const key = { 'Idempotency-Key': 'ep-key' };
  const body = { ExperimentName: 'e', ParameterAssignments: { n: 2 } };
  const first = await h.call('POST', 'pipeline-endpoints/ep/submit', { json: body, headers: key });
  assert.equal(first.status, 202);
  // The default changes between the request and its retry: the retry still gets the run it started.
  await put(h, 'ep', { defaultVersion: '1' });
  const retry = await h.call('POST', 'pipeline-endpoints/ep/submit', { json: body, headers: key });
  assert.equal(retry.status, 202);
  assert.equal(retry.json.Id, first.json.Id);
  assert.equal(retry.headers['idempotent-replayed'], 'true');
  const otherVersion = await h.call('POST', 'pipeline-endpoints/ep/submit?version=1', { json: body, headers: key });
  assert.equal(otherVersion.status, 409);
  assert.equal(otherVersion.json.error.code, 'IdempotencyKeyReused');
  const otherBody = await h.call('POST', 'pipeline-endpoints/ep/submit', {
    json: { ...body, ParameterAssignments: { n: 3 } },
    headers: key,
  });
  assert.equal(otherBody.status, 409);
  assert.equal(h.store.runs.rows.size, 1);
  assert.deepEqual(h.launched, [first.json.Id]);
});
