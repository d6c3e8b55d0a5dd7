import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { DEV_ACCOUNT_2, DEV_KEY_2 } from '../../../local/azurite';
import { SOURCE_ETAG_METADATA } from '../../../shared/steps/data_transfer/copy';
import { startStack, step, type Stack, type StepView } from './stack';

/**
 * DataTransferStep on the real stack (issue 16): a directory of 200 blobs copied server-side between two containers
 * of the workspace's account into intermediate data a downstream step reads, and between Azurite's two accounts
 * into a datastore path; reuse while the source is unchanged and a rerun when one blob changes; a datastore kind
 * Sluice does not serve is a 400.
 */

type TransferStep = StepView & {
  reused: boolean;
  progress?: { unit: string; done: number; total?: number };
};

let stack: Stack;
before(async () => {
  stack = await startStack({ workers: [{ concurrency: 2 }] });
});
after(async () => {
  await stack?.stop();
});

const BLOBS = 200;
const names = Array.from({ length: BLOBS }, (_, i) => `part-${String(i).padStart(3, '0')}.csv`);

async function fill(container: ContainerClient, prefix: string): Promise<void> {
  await container.createIfNotExists();
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map((n, j) => {
        const text = `id,value\n${i + j},${(i + j) * 2}\n`;
        // Half the blobs in a subfolder: names below the source path are kept under the destination.
        const name = i + j < BLOBS / 2 ? `${prefix}${n}` : `${prefix}more/${n}`;
        return container.getBlockBlobClient(name).upload(text, text.length);
      }),
    );
  }
}

async function register(name: string, body: Record<string, unknown>): Promise<Response> {
  return stack.call(`datastores/${name}`, {
    method: 'PUT',
    token: stack.adminToken,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A downstream command step: python3 counts the files under its input and checks one blob's content. */
const countStep = (input: string, expr: string, extra: Record<string, unknown> = {}) => ({
  name: 'count',
  type: 'command',
  command: 'python3',
  arguments: [
    '-c',
    'import os,sys; files=[os.path.join(d,f) for d,_,fs in os.walk(sys.argv[1]) for f in fs]; ' +
      `assert len(files)==${BLOBS}, len(files); ` +
      "assert open(os.path.join(sys.argv[1],'part-007.csv')).read()=='id,value\\n7,14\\n'",
    expr,
  ],
  inputs: [input],
  ...extra,
});

test('200 blobs between two containers into intermediate data: progress, output files, a reader; reuse; one change reruns', async () => {
  const source = stack.clients.blobs.getContainerClient('dt-src');
  await fill(source, 'in/');
  const reg = await register('dtsrc', { container: 'dt-src' });
  assert.equal(reg.status, 201, await reg.text());
  const pipeline = {
    name: 'transfer-within',
    inputs: { raw: { datastore: 'dtsrc', path: 'in/' } },
    data: { staged: {} },
    steps: [
      { name: 'copy', type: 'data_transfer', source: 'raw', destination: 'staged' },
      countStep('staged', '${{data.staged}}'),
    ],
  };
  const first = await stack.waitForRun(await stack.submit(pipeline));
  assert.equal(first.status, 'Completed', JSON.stringify(first.steps.map((s) => [s.name, s.status, s.error])));
  const copy = step(first, 'copy') as TransferStep;
  assert.deepEqual(copy.progress && [copy.progress.unit, copy.progress.done, copy.progress.total], ['blobs', 200, 200]);
  assert.equal(copy.outputs[0].files.length, BLOBS);
  assert.ok(
    copy.outputs[0].files.some((f) => f.name === 'more/part-199.csv'),
    'subfolders kept',
  );
  assert.deepEqual(
    copy.metrics.filter((m) => m.name === 'blobs_copied').map((m) => m.value),
    [BLOBS],
  );
  const log = await (await stack.call(`runs/${first.id}/steps/copy/logs`, { token: stack.readToken })).text();
  assert.match(log, /Copying 200 blob\(s\), \d+ bytes, from dtsrc:in\/ to pipeline-data:/);
  assert.match(log, /Batch 4\/4: 50 copied — 200\/200/);
  assert.equal(step(first, 'count').status, 'Completed', 'the reader saw all 200 files');

  const again = await stack.waitForRun(await stack.submit(pipeline));
  assert.equal(again.status, 'Completed');
  assert.deepEqual(
    again.steps.map((s) => [s.name, (s as TransferStep).reused]),
    [
      ['copy', true],
      ['count', true],
    ],
  );

  const changed = 'id,value\n42,0\n';
  await source.getBlockBlobClient('in/part-042.csv').upload(changed, changed.length);
  const third = await stack.waitForRun(await stack.submit(pipeline));
  assert.equal(third.status, 'Completed');
  assert.equal((step(third, 'copy') as TransferStep).reused, false, 'one changed blob reruns the copy');
});

test('200 blobs from the second Azurite account into a datastore path, read by the next step; the same copy again copies nothing', async () => {
  const second = new BlobServiceClient(
    `http://127.0.0.1:${stack.azurite.blobPort}/${DEV_ACCOUNT_2}`,
    new StorageSharedKeyCredential(DEV_ACCOUNT_2, DEV_KEY_2),
  );
  await fill(second.getContainerClient('landing'), 'drop/');
  const landing = await register('landing', {
    container: 'landing',
    accountName: DEV_ACCOUNT_2,
    credential: { type: 'account_key', secret: DEV_KEY_2 },
  });
  const text = await landing.text();
  assert.equal(landing.status, 201, text);
  assert.ok(!text.includes(DEV_KEY_2), 'the key is never returned');
  assert.equal((await register('dtdest', { container: 'dtdest', createIfNotExists: true })).status, 201);
  const pipeline = {
    name: 'transfer-across',
    inputs: {
      drop: { datastore: 'landing', path: 'drop/' },
      copied: { datastore: 'dtdest', path: 'copied/' },
    },
    steps: [
      { name: 'copy', type: 'data_transfer', source: 'drop', destination: { datastore: 'dtdest', path: 'copied/' } },
      countStep('copied', '${{inputs.copied}}', { run_after: ['copy'] }),
    ],
  };
  const run = await stack.waitForRun(await stack.submit(pipeline));
  assert.equal(run.status, 'Completed', JSON.stringify(run.steps.map((s) => [s.name, s.status, s.error])));
  const dest = stack.clients.blobs.getContainerClient('dtdest');
  const props = await dest.getBlobClient('copied/more/part-150.csv').getProperties();
  const sourceProps = await second
    .getContainerClient('landing')
    .getBlobClient('drop/more/part-150.csv')
    .getProperties();
  assert.equal(props.metadata?.[SOURCE_ETAG_METADATA], sourceProps.etag!.replace(/"/g, ''));

  // allow_reuse: false runs the copy again; every blob is there with its source ETag, so nothing is copied twice.
  const rerun = {
    ...pipeline,
    steps: [{ ...pipeline.steps[0], allow_reuse: false }, pipeline.steps[1]],
  };
  const etagsBefore = (await dest.getBlobClient('copied/part-007.csv').getProperties()).etag;
  const second_ = await stack.waitForRun(await stack.submit(rerun));
  assert.equal(second_.status, 'Completed');
  const copyStep = step(second_, 'copy') as TransferStep;
  assert.deepEqual(
    copyStep.metrics.filter((m) => m.name === 'blobs_copied').map((m) => m.value),
    [0],
  );
  assert.equal((await dest.getBlobClient('copied/part-007.csv').getProperties()).etag, etagsBefore);
});

test('datastore kinds Sluice does not serve are a 400 naming the kind', async () => {
  const res = await register('sqldb', { container: 'whatever', datastoreType: 'AzureSqlDatabase' });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'UnsupportedDatastoreType');
  assert.match(body.error.message, /AzureSqlDatabase \(Azure SQL Database\) datastores are not supported/);
});
