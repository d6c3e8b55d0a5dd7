import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, step, type Stack } from './stack';

/**
 * A datastore registered with a container of another name (Azure ML's `datastore_name` and `container_name`): a
 * step reads its input from that container and writes its output there, where the datastore API and the SDK's
 * `Datastore.download` look — not into a container named like the datastore (which could not even exist: Azure ML's
 * datastore names allow "_").
 */

let stack: Stack;
before(async () => {
  stack = await startStack({ workers: [{ concurrency: 2 }] });
});
after(async () => {
  await stack?.stop();
});

test('a step reads and writes a datastore in its registered container', async () => {
  const registered = await stack.call('datastores/training_data', {
    method: 'PUT',
    token: stack.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ container: 'raw-data', createIfNotExists: true }),
  });
  assert.ok([200, 201].includes(registered.status), await registered.text());
  const raw = stack.clients.blobs.getContainerClient('raw-data');
  await raw.getBlockBlobClient('in/rows.csv').upload('a,b\n1,2\n', 8);

  const id = await stack.submit({
    name: 'registered-container',
    inputs: { raw: { datastore: 'training_data', path: 'in/' } },
    data: { copied: { datastore: 'training_data' } },
    steps: [
      {
        name: 'copy',
        type: 'command',
        command: 'cp',
        arguments: ['-r', '${{inputs.raw}}/.', '${{data.copied}}'],
        inputs: ['raw'],
        outputs: ['copied'],
        allow_reuse: false,
      },
    ],
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  const [output] = step(run, 'copy').outputs;
  assert.equal(output.container, 'raw-data');
  assert.equal(output.datastore, 'training_data', 'the output names its datastore (PortDataReference.datastore_name)');
  assert.deepEqual(
    output.files.map((f) => f.name),
    ['rows.csv'],
  );
  const copied = await raw.getBlobClient(`${output.path}rows.csv`).downloadToBuffer();
  assert.equal(copied.toString(), 'a,b\n1,2\n');

  const listed = await stack.call(`datastores/training_data/blobs?prefix=${encodeURIComponent(output.path)}`, {
    token: stack.readToken,
  });
  assert.equal(listed.status, 200);
  const names = ((await listed.json()) as { value: { path: string }[] }).value.map((b) => b.path);
  assert.deepEqual(names, [`${output.path}rows.csv`], 'the datastore API sees the output where the step wrote it');
});
