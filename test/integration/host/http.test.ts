import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { drainQueue, fixture, readBlobText, startHostProcess, type HostProcess } from './hostProcess';

describe('sluice host start: HTTP triggers (fixture host-basic)', () => {
  let azurite: RunningAzurite;
  let host: HostProcess;
  let keys: { masterKey: string; functionKeys: { default: string } };

  before(async () => {
    azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    host = await startHostProcess([
      '--app',
      fixture('host-basic'),
      '--port',
      '0',
      '--storage',
      azurite.connectionString,
    ]);
    keys = JSON.parse(readFileSync(join(fixture('host-basic'), '.sluice', 'keys.json'), 'utf8'));
  });
  after(async () => {
    await host?.stop();
    await azurite?.stop();
  });

  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(host.baseUrl + path, init);
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  test('prints the function list with URLs and the keys', () => {
    const out = host.output();
    assert.match(out, new RegExp(`itemById +\\[GET\\] http://localhost:${host.port}/api/items/\\{id:int\\}`));
    assert.match(out, new RegExp(`master key: ${keys.masterKey}`));
    assert.match(out, new RegExp(keys.functionKeys.default));
  });

  test('route templates and constraints pick the right function', async () => {
    const cases: [string, number, string?, Record<string, string>?][] = [
      ['/api/hello', 200],
      ['/api/items/42', 200, 'int', { id: '42' }],
      ['/api/items/abc', 200, 'alpha', { name: 'abc' }],
      ['/api/items/special', 200, 'literal', {}],
      ['/API/Items/SPECIAL', 200, 'literal', {}],
      ['/api/items/4a', 404],
      ['/api/files/a/b/c.txt', 200, 'catchall', { rest: 'a/b/c.txt' }],
      ['/api/files', 200, 'catchall', {}],
      ['/api/things/0f8fad5b-d9cb-469f-a165-70867728950e', 200, 'guid'],
      ['/api/things/not-a-guid', 404],
      ['/api/pages/5', 200, 'range', { n: '5' }],
      ['/api/pages/11', 404],
      ['/api/codes/ab1', 200, 'regex', { code: 'ab1' }],
      ['/api/codes/abc', 404],
      ['/api/len/abc', 200, 'length'],
      ['/api/len/abcd', 404],
      ['/api/flags/TRUE', 200, 'bool'],
      ['/api/flags/maybe', 404],
      ['/api/docs/readme.v2.md', 200, 'complex', { name: 'readme.v2', ext: 'md' }],
      ['/api/lang', 200, 'default', { lang: 'en' }],
      ['/api/lang/fr', 200, 'default', { lang: 'fr' }],
      ['/api/ages/17', 404],
      ['/api/ages/30', 200, 'int+min', { age: '30' }],
      ['/api/namedroute', 200, 'name'],
      ['/api/nowhere', 404],
      ['/hello', 404],
    ];
    for (const [path, status, kind, params] of cases) {
      const res = await get(path);
      assert.equal(res.status, status, `${path}: ${res.text}`);
      if (kind) assert.equal(JSON.parse(res.text).kind, kind, path);
      if (params) assert.deepEqual(JSON.parse(res.text).params, params, path);
    }
    assert.equal((await get('/api/hello/Ada')).text, 'Hello, Ada');
  });

  test('methods: a POST-only route does not answer GET; a GET route answers HEAD', async () => {
    assert.equal((await get('/api/submit')).status, 404);
    assert.equal((await get('/api/submit', { method: 'POST' })).status, 200);
    const head = await fetch(host.baseUrl + '/api/hello', { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  test('keys: 401 without, 200 with a function key (header or ?code=); admin needs the master key', async () => {
    assert.equal((await get('/api/open')).status, 200);
    assert.equal((await get('/api/secure')).status, 401);
    assert.equal((await get('/api/secure?code=wrong')).status, 401);
    assert.equal((await get('/api/secure', { headers: { 'x-functions-key': keys.functionKeys.default } })).status, 200);
    assert.equal((await get(`/api/secure?code=${encodeURIComponent(keys.functionKeys.default)}`)).text, 'secure ok');
    assert.equal((await get('/api/secure', { headers: { 'x-functions-key': keys.masterKey } })).status, 200);
    assert.equal(
      (await get('/api/adminOnly', { headers: { 'x-functions-key': keys.functionKeys.default } })).status,
      401,
    );
    assert.equal((await get('/api/adminOnly', { headers: { 'x-functions-key': keys.masterKey } })).status, 200);
  });

  test('request body, query and headers reach the handler; status, headers and cookies come back', async () => {
    const res = await fetch(host.baseUrl + '/api/echo?q=1', {
      method: 'POST',
      headers: { 'x-custom': 'c' },
      body: 'hello body',
    });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-echo-method'), 'POST');
    assert.equal(res.headers.get('set-cookie'), 'session=abc; Path=/; HttpOnly');
    assert.equal(await res.text(), '1|c|hello body|echo');
  });

  test('InvocationContext and context.log / warn / error, printed with function name and level', async () => {
    const body = JSON.parse((await get('/api/context')).text);
    assert.equal(body.functionName, 'context');
    assert.match(body.invocationId, /^[0-9a-f-]{36}$/);
    await host.waitForOutput(/Functions\.context \[Error\]: error line from context/);
    assert.match(host.output(), /Functions\.context \[Information\]: info line from context/);
    assert.match(host.output(), /WARNING: Functions\.context \[Warning\]: warn line from context/);
  });

  test('hooks run: appStart before requests, pre/post invocation around the handler', async () => {
    const res = await get('/api/hooks');
    assert.deepEqual(JSON.parse(res.text), { started: true });
    assert.equal(res.headers.get('x-post-hook'), 'ran');
  });

  test('a throwing handler is a 500 and its stack is logged; no response is 204', async () => {
    assert.equal((await get('/api/fail')).status, 500);
    await host.waitForOutput(
      /Executed 'Functions\.fail' \(Failed[^\n]*Error: deliberate failure\n\s+at handler \([^)]*behaviour\.js/,
    );
    assert.equal((await get('/api/nothing')).status, 204);
  });

  test('host.json functionTimeout is enforced', async () => {
    assert.equal((await get('/api/slow')).status, 500);
    await host.waitForOutput(/Timeout value of 00:00:02 exceeded by function 'Functions\.slow'/);
  });

  test('blob output, blob input and queue output bindings with route values in their paths', async () => {
    const put = await get('/api/notes/n1', { method: 'PUT', body: 'note text' });
    assert.equal(put.status, 204);
    assert.equal(await readBlobText(azurite.connectionString, 'notes', 'n1.txt'), 'note text');
    assert.equal((await get('/api/notes/n1')).text, 'note text');
    assert.equal((await get('/api/notes/missing')).status, 404);
    const messages = await drainQueue(azurite.connectionString, 'note-events', 2);
    assert.deepEqual(messages.sort(), ['plain n1', JSON.stringify({ id: 'n1', op: 'put' })].sort());
  });

  test('an unsupported binding: one warning at start, a clear error on invocation, the others still run', async () => {
    assert.match(
      host.output(),
      /WARNING: Function "withServiceBus" cannot run on the Sluice host: its out binding "serviceBusOutput\w+" \(type "serviceBus"\) is not supported/,
    );
    assert.match(
      host.output(),
      /WARNING: Function "eventHubListener" cannot run on the Sluice host: its trigger "events" \(type "eventHubTrigger"\)/,
    );
    const res = await get('/api/servicebus');
    assert.equal(res.status, 500);
    assert.match(res.text, /Function "withServiceBus" cannot run on the Sluice host/);
    assert.equal((await get('/api/open')).status, 200);
  });

  test('the admin API needs the master key', async () => {
    assert.equal((await get('/admin/host/status')).status, 401);
    const ok = await get('/admin/host/status', { headers: { 'x-functions-key': keys.masterKey } });
    assert.equal(JSON.parse(ok.text).state, 'Running');
  });
});
