import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarness } from './harness';

test('environments: the same definition keeps its version, another gets the next; list shows the latest of each', async () => {
  const h = createHarness();
  const first = await h.call('POST', 'environments', {
    role: 'Sluice.Run',
    json: { name: 'train-env', python: '3.10', pip: ['scikit-learn==1.3'] },
  });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.json.id, 'train-env:1');
  assert.equal(first.headers.location, first.json.links.self);
  assert.equal(first.json.definitionHash, undefined, 'storage details stay out');
  const again = await h.call('POST', 'environments', {
    json: { name: 'train-env', python: '3.10', pip: ['scikit-learn==1.3'], conda: [] },
  });
  assert.equal(again.status, 200);
  assert.equal(again.json.version, 1);
  const second = await h.call('POST', 'environments', { json: { name: 'train-env', pip: ['scikit-learn==1.4'] } });
  assert.equal(second.json.version, 2);
  await h.call('POST', 'environments', { json: { name: 'a-env', conda: ['numpy'] } });

  const list = await h.call('GET', 'environments', { role: 'Sluice.Read' });
  assert.deepEqual(
    list.json.value.map((e: { id: string }) => e.id),
    ['a-env:1', 'train-env:2'],
  );
  const versions = await h.call('GET', 'environments?name=train-env', { role: 'Sluice.Read' });
  assert.deepEqual(
    versions.json.value.map((e: { version: number }) => e.version),
    [2, 1],
  );
  const v1 = await h.call('GET', 'environments/train-env/versions/1', { role: 'Sluice.Read' });
  assert.deepEqual(v1.json.pip, ['scikit-learn==1.3']);
  assert.equal((await h.call('GET', 'environments/train-env/versions/latest')).json.version, 2);
});

test('environments: unknown names and versions are 404s saying what exists; bad bodies 400s; tokens required', async () => {
  const h = createHarness();
  await h.call('POST', 'environments', { json: { name: 'e1' } });
  const noVersion = await h.call('GET', 'environments/e1/versions/5');
  assert.equal(noVersion.status, 404);
  assert.match(noVersion.json.error.message, /has no version 5; its latest is 1/);
  const noName = await h.call('GET', 'environments/nope/versions/latest');
  assert.match(noName.json.error.message, /does not exist; list environments/);
  const bad = await h.call('POST', 'environments', { json: { name: 'e1', pip_packages: ['x'] } });
  assert.equal(bad.status, 400);
  assert.match(bad.text, /pip_packages/);
  const badName = await h.call('POST', 'environments', { json: { name: '-bad' } });
  assert.equal(badName.status, 400);
  assert.equal(badName.json.error.details.issues[0].path, 'body.name');
  assert.equal((await h.call('GET', 'environments', { role: null })).status, 401);
  assert.equal((await h.call('POST', 'environments', { role: 'Sluice.Read', json: { name: 'x' } })).status, 403);
});
