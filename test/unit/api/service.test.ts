import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROUTES } from '../../../shared/api';
import { createHarness } from './harness';

test('health is anonymous and reports the version', async () => {
  const h = createHarness();
  const res = await h.call('GET', 'health', { role: null });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { status: 'ok', version: '9.9.9' });
});

test('datastores lists the default datastore', async () => {
  const h = createHarness();
  const res = await h.call('GET', 'datastores', { role: 'Sluice.Read' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.value, [
    {
      name: 'workspaceblobstore',
      container: 'workspaceblobstore',
      accountName: 'devstoreaccount1',
      description: 'The default datastore (blob container workspaceblobstore).',
      isDefault: true,
      datastoreType: 'AzureBlob',
    },
  ]);
});

test('the OpenAPI document is 3.1, anonymous, and lists every route with its parameters and roles', async () => {
  const h = createHarness();
  const res = await h.call('GET', 'openapi.json', { role: null });
  assert.equal(res.status, 200);
  const doc = res.json;
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, '9.9.9');
  assert.deepEqual(doc.servers, [{ url: 'http://localhost:7071/api' }]);
  for (const route of ROUTES) {
    const op = doc.paths[`/${route.path}`]?.[route.method.toLowerCase()];
    assert.ok(op, `${route.method} /${route.path} is documented`);
    assert.equal(op.operationId, route.name);
    assert.equal(op['x-sluice-role'], route.access);
    assert.deepEqual(op.security, route.access === 'anonymous' ? [] : [{ bearer: [] }]);
    for (const name of [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
      assert.ok(
        op.parameters.some(
          (p: { in: string; name: string; required: boolean }) => p.in === 'path' && p.name === name && p.required,
        ),
        `${route.name} declares path parameter ${name}`,
      );
    }
    for (const status of Object.keys(op.responses)) assert.match(status, /^[1-5]\d\d$/);
  }
  // Every $ref resolves to a component.
  for (const [, name] of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
    assert.ok(doc.components.schemas[name], `component ${name} exists`);
  }
  const submit = doc.paths['/experiments/{experiment}/runs'].post;
  assert.ok(
    submit.parameters.some((p: { name: string; in: string }) => p.name === 'Idempotency-Key' && p.in === 'header'),
  );
  assert.equal(submit.requestBody.content['application/json'].schema.$ref, '#/components/schemas/SubmitRun');
  assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  const list = doc.paths['/runs'].get.parameters.map((p: { name: string }) => p.name);
  assert.deepEqual(list, ['experiment', 'status', 'trigger', 'top', 'continuationToken']);
  const trigger = doc.paths['/runs'].get.parameters.find((p: { name: string }) => p.name === 'trigger');
  assert.deepEqual(trigger.schema.enum, ['manual', 'endpoint', 'schedule', 'dataChange']);
});
