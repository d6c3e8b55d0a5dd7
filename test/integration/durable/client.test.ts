// The DurableClient surface (called from an HTTP function of the conformance app through df.getClient) and the raw
// /runtime/webhooks/durabletask API, against a `sluice host start` child process on real Azurite.
// Expected values: [SDK] durable-functions 3.5.0 DurableClient (its error texts and status handling);
// [ext] the Durable extension's HttpApiHandler codes and bodies (../shared/docs/durable-protocol.md §1.7, §6).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../host/hostProcess';
import { startDurableHost, type DurableHost, type Status } from './durableHost';

let h: DurableHost;
let api: string;

before(async () => {
  h = await startDurableHost();
  api = `${h.host.baseUrl}/runtime/webhooks/durabletask`;
});
after(async () => {
  await h?.stop();
});

/** Webhook calls carry the system key, as every caller of the Durable HTTP API must. */
const fetch = (url: string, init?: RequestInit) =>
  url.startsWith(api) ? h.webhook(url, init) : globalThis.fetch(url, init);

const statusOf = async (id: string) => (await h.client<Status>('getStatus', { instanceId: id })).result!;

describe('DurableClient against the local host', () => {
  test('startNew with an explicit id; a running id is refused; a finished id may start again', async () => {
    const id = `explicit-${Date.now()}`;
    assert.deepEqual(await h.client('startNew', { name: 'waitEvent', instanceId: id }), { status: 200, result: id });
    // [ext] OrchestrationAlreadyExistsException → 500; [SDK] createGenericError text.
    const again = await h.client('startNew', { name: 'waitEvent', instanceId: id });
    assert.equal(again.status, 500);
    assert.match(
      again.error!,
      /^The operation failed with an unexpected status code: 500\. Details: .*An Orchestration instance with the status (Pending|Running) already exists\./,
    );
    await h.client('raiseEvent', { instanceId: id, eventName: 'go', data: 'first' });
    const first = await h.waitDone(`${api}/instances/${id}`);
    assert.deepEqual(first.body.output, { got: 'first' });
    assert.equal((await h.client('startNew', { name: 'waitEvent', instanceId: id })).result, id);
    await h.waitFor(`${api}/instances/${id}`, (s) => s.runtimeStatus === 'Running');
    await h.client('raiseEvent', { instanceId: id, eventName: 'go', data: 'second' });
    assert.deepEqual((await h.waitDone(`${api}/instances/${id}`)).body.output, { got: 'second' });
  });

  test('startNew of an unknown orchestrator: 400 with the extension’s message', async () => {
    const res = await fetch(`${api}/orchestrators/nope`, { method: 'POST' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { Message: string; ExceptionMessage: string };
    assert.equal(body.Message, 'One or more of the arguments submitted is incorrect');
    assert.match(
      body.ExceptionMessage,
      /^The function 'nope' doesn't exist, is disabled, or is not an orchestrator function\. Additional info: The following are the known orchestrator functions: 'chain', /,
    );
  });

  test('getStatus with input, history and history output flags', async () => {
    const id = (await h.client<string>('startNew', { name: 'chain', input: { note: 'x' } })).result!;
    await h.waitDone(`${api}/instances/${id}`);
    const plain = await statusOf(id);
    assert.equal(plain.runtimeStatus, 'Completed');
    assert.deepEqual(plain.input, { note: 'x' });
    assert.deepEqual(plain.output, ['Hello Tokyo', 'Hello Seattle', 'Hello London']);
    // [SDK] getStatus sends only the flags that are true, so {showInput: false} is the server default (input shown),
    // as against Azure; the HTTP API itself honours showInput=false.
    const viaSdk = await h.client<Status>('getStatus', { instanceId: id, options: { showInput: false } });
    assert.deepEqual(viaSdk.result!.input, { note: 'x' });
    const noInput = (await (await fetch(`${api}/instances/${id}?showInput=false`)).json()) as Status;
    assert.equal(noInput.input, null);
    // [ext] historyEvents: names, scheduling merged into completions, Result only with showHistoryOutput.
    const res = await fetch(`${api}/instances/${id}?showHistory=true&showHistoryOutput=true`);
    const body = (await res.json()) as Status;
    const events = body.historyEvents!;
    assert.deepEqual(
      events.map((e) => e.EventType),
      ['ExecutionStarted', 'TaskCompleted', 'TaskCompleted', 'TaskCompleted', 'ExecutionCompleted'],
    );
    assert.equal(events[1].FunctionName, 'hello');
    assert.equal(events[1].Result, 'Hello Tokyo');
    assert.equal(events[4].OrchestrationStatus, 'Completed');
    const without = (await (await fetch(`${api}/instances/${id}?showHistory=true`)).json()) as Status;
    assert.equal(without.historyEvents![1].Result, undefined);
  });

  test('getStatusAll, getStatusBy and paging with x-ms-continuation-token', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await h.client<string>('startNew', { name: 'chain' })).result!);
    for (const id of ids) await h.waitDone(`${api}/instances/${id}`);
    const all = (await h.client<Status[]>('getStatusAll')).result!;
    for (const id of ids) assert.ok(all.some((s) => s.instanceId === id));
    const by = (await h.client<Status[]>('getStatusBy', { createdTimeFrom: from, runtimeStatus: ['Completed'] }))
      .result!;
    assert.ok(ids.every((id) => by.some((s) => s.instanceId === id)));
    assert.ok(by.every((s) => s.runtimeStatus === 'Completed'));
    const none = (await h.client<Status[]>('getStatusBy', { createdTimeFrom: from, runtimeStatus: ['Terminated'] }))
      .result!;
    assert.ok(none.every((s) => s.runtimeStatus === 'Terminated'));
    // Raw paging: top=2 gives a token; following it returns the rest.
    const first = await fetch(`${api}/instances/?createdTimeFrom=${from}&runtimeStatus=Completed&top=2`);
    const token = first.headers.get('x-ms-continuation-token');
    assert.equal(((await first.json()) as Status[]).length, 2);
    assert.ok(token);
    const second = await fetch(`${api}/instances/?createdTimeFrom=${from}&runtimeStatus=Completed&top=2`, {
      headers: { 'x-ms-continuation-token': token },
    });
    assert.ok(((await second.json()) as Status[]).length >= 1);
  });

  test('terminate with a reason; a second terminate is 410, which the SDK accepts', async () => {
    const id = (await h.client<string>('startNew', { name: 'waitEvent' })).result!;
    await h.waitFor(`${api}/instances/${id}`, (s) => s.runtimeStatus === 'Running');
    assert.deepEqual(await h.client('terminate', { instanceId: id, reason: 'no longer needed' }), {
      status: 200,
      result: null,
    });
    const done = await h.waitDone(`${api}/instances/${id}`);
    assert.equal(done.body.runtimeStatus, 'Terminated');
    assert.equal(done.body.output, 'no longer needed'); // [ext] the reason is not JSON, so it comes back as text
    const res = await fetch(`${api}/instances/${id}/terminate?reason=again`, { method: 'POST' });
    assert.equal(res.status, 410);
    assert.equal((await h.client('terminate', { instanceId: id, reason: 'again' })).status, 200);
  });

  test('suspend holds events until resume', async () => {
    const id = (await h.client<string>('startNew', { name: 'waitEvent' })).result!;
    await h.waitFor(`${api}/instances/${id}`, (s) => s.runtimeStatus === 'Running');
    await h.client('suspend', { instanceId: id, reason: 'pause' });
    await h.waitFor(`${api}/instances/${id}`, (s) => s.runtimeStatus === 'Suspended');
    await h.client('raiseEvent', { instanceId: id, eventName: 'go', data: 'held' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await statusOf(id)).runtimeStatus, 'Suspended');
    await h.client('resume', { instanceId: id, reason: 'continue' });
    const done = await h.waitDone(`${api}/instances/${id}`);
    assert.equal(done.body.runtimeStatus, 'Completed');
    assert.deepEqual(done.body.output, { got: 'held' });
  });

  test('raiseEvent to an unknown instance fails with the SDK’s message', async () => {
    const res = await h.client('raiseEvent', { instanceId: 'no-such-instance', eventName: 'go', data: 1 });
    assert.equal(res.error, "No instance with ID 'no-such-instance' found.");
  });

  test('purgeInstanceHistory and purgeInstanceHistoryBy', async () => {
    const id = (await h.client<string>('startNew', { name: 'chain' })).result!;
    await h.waitDone(`${api}/instances/${id}`);
    assert.deepEqual((await h.client('purge', { instanceId: id })).result, { instancesDeleted: 1 });
    assert.equal((await fetch(`${api}/instances/${id}`)).status, 404);
    assert.deepEqual((await h.client('purge', { instanceId: id })).result, { instancesDeleted: 0 });
    const from = new Date(Date.now() - 500).toISOString();
    const a = (await h.client<string>('startNew', { name: 'waitEvent' })).result!;
    await h.waitFor(`${api}/instances/${a}`, (s) => s.runtimeStatus === 'Running');
    await h.client('terminate', { instanceId: a, reason: 'purge me' });
    await h.waitDone(`${api}/instances/${a}`);
    const purged = await h.client<{ instancesDeleted: number }>('purgeBy', {
      createdTimeFrom: from,
      runtimeStatus: ['Terminated'],
    });
    assert.ok(purged.result!.instancesDeleted >= 1);
    assert.equal((await fetch(`${api}/instances/${a}`)).status, 404);
    // [ext] DELETE /instances/ needs createdTimeFrom, and answers 404 when nothing matched.
    const missing = await fetch(`${api}/instances/`, { method: 'DELETE' });
    assert.equal(missing.status, 400);
    assert.equal(await missing.json(), "Please provide value for 'createdTimeFrom' parameter.");
    const nothing = await fetch(
      `${api}/instances/?createdTimeFrom=2000-01-01T00:00:00Z&createdTimeTo=2000-01-02T00:00:00Z`,
      { method: 'DELETE' },
    );
    assert.equal(nothing.status, 404);
  });

  test('createHttpManagementPayload and waitForCompletionOrCreateCheckStatusResponse', async () => {
    const payload = (await h.client<Record<string, string>>('payload', { instanceId: 'abc' })).result!;
    assert.equal(payload.id, 'abc');
    assert.equal(
      payload.statusQueryGetUri,
      `http://localhost:${h.host.port}/runtime/webhooks/durabletask/instances/abc?taskHub=${h.hub}&connection=Storage` +
        `&code=${encodeURIComponent(h.systemKey)}`,
    );
    const completed = await fetch(`${h.host.baseUrl}/api/wait/chain`, { method: 'POST' });
    assert.equal(completed.status, 200); // [SDK] Completed → 200 with the output as body
    assert.deepEqual(await completed.json(), ['Hello Tokyo', 'Hello Seattle', 'Hello London']);
    const pending = await fetch(`${h.host.baseUrl}/api/wait/waitEvent?timeoutMs=500`, { method: 'POST' });
    assert.equal(pending.status, 202); // [SDK] timeout → createCheckStatusResponse
    const check = (await pending.json()) as { id: string };
    await h.client('terminate', { instanceId: check.id, reason: 'cleanup' });
  });

  test('rewind is not supported: the SDK reports it as the storage provider’s limitation', async () => {
    const id = (await h.client<string>('startNew', { name: 'uncaughtFailure' })).result!;
    await h.waitDone(`${api}/instances/${id}`);
    const res = await h.client('rewind', { instanceId: id, reason: 'retry' });
    assert.equal(res.error, 'The rewind operation is not supported by the underlying storage provider.');
  });
});

describe('the HTTP API’s answers for bad requests [ext]', () => {
  test('unknown instance: 404 with an empty body on status, terminate, raiseEvent and purge', async () => {
    for (const [method, path] of [
      ['GET', '/instances/none'],
      ['POST', '/instances/none/terminate'],
      ['POST', '/instances/none/suspend'],
      ['POST', '/instances/none/raiseEvent/x'],
      ['DELETE', '/instances/none'],
      ['GET', '/nothing-here'],
    ]) {
      const res = await fetch(api + path, {
        method,
        headers: { 'content-type': 'application/json' },
        body: method === 'POST' ? '1' : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(await res.text(), '');
    }
  });

  test('raiseEvent needs application/json and valid JSON; finished instances answer 410', async () => {
    const id = (await h.client<string>('startNew', { name: 'waitEvent' })).result!;
    await h.waitFor(`${api}/instances/${id}`, (s) => s.runtimeStatus === 'Running');
    const text = await fetch(`${api}/instances/${id}/raiseEvent/go`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '1',
    });
    assert.equal(text.status, 400);
    assert.deepEqual(await text.json(), { Message: 'Only application/json request content is supported' });
    const bad = await fetch(`${api}/instances/${id}/raiseEvent/go`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { Message: string }).Message, 'Invalid JSON content');
    await h.client('raiseEvent', { instanceId: id, eventName: 'go', data: 1 });
    await h.waitDone(`${api}/instances/${id}`);
    const gone = await fetch(`${api}/instances/${id}/raiseEvent/go`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '1',
    });
    assert.equal(gone.status, 410);
  });

  test('start with invalid JSON: 400; invalid instance id: 400', async () => {
    const bad = await fetch(`${api}/orchestrators/chain`, { method: 'POST', body: '{oops' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { Message: string }).Message, 'Invalid JSON content');
    const at = await fetch(`${api}/orchestrators/chain/@bad`, { method: 'POST' });
    assert.equal(at.status, 400);
    assert.equal(
      ((await at.json()) as { ExceptionMessage: string }).ExceptionMessage,
      'Orchestration instance ids must not start with @.',
    );
  });

  test('restart starts the same orchestration again with its input, under a new id by default', async () => {
    const id = (await h.client<string>('startNew', { name: 'fanOut', input: 3 })).result!;
    await h.waitDone(`${api}/instances/${id}`);
    const res = await fetch(`${api}/instances/${id}/restart`, { method: 'POST' });
    assert.equal(res.status, 202);
    const check = (await res.json()) as { id: string; statusQueryGetUri: string };
    assert.notEqual(check.id, id);
    assert.equal((await h.waitDone(check.statusQueryGetUri)).body.output, 14);
    const unknown = await fetch(`${api}/instances/never/restart`, { method: 'POST' });
    assert.equal(unknown.status, 400);
    assert.equal(
      ((await unknown.json()) as { Message: string }).Message,
      'InstanceId does not match a valid orchestration instance.',
    );
  });
});

describe('webhook keys', () => {
  test('the webhooks require the durabletask_extension system key or the master key, as code= or x-functions-key', async () => {
    const statusUrl = `${api}/instances/`;
    const without = await globalThis.fetch(statusUrl);
    assert.equal(without.status, 401);
    assert.equal(await without.text(), '');
    assert.equal((await globalThis.fetch(`${statusUrl}?code=wrong`)).status, 401);
    const start = await globalThis.fetch(`${api}/orchestrators/chain`, { method: 'POST' });
    assert.equal(start.status, 401, 'starting an orchestration needs the key too');
    assert.equal((await globalThis.fetch(`${statusUrl}?code=${encodeURIComponent(h.systemKey)}`)).status, 200);
    assert.equal((await h.webhook(statusUrl)).status, 200);
    const { masterKey } = JSON.parse(
      readFileSync(join(fixture('durable-conformance'), '.sluice', 'keys.json'), 'utf8'),
    );
    assert.equal((await globalThis.fetch(statusUrl, { headers: { 'x-functions-key': masterKey } })).status, 200);
    // The app's own client (df.getClient) still reaches the API: its calls go through the binding's rpcBaseUrl.
    assert.equal((await h.start('chain')).status, 202);
  });
});
