import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { LocalKeyStore } from '../../../shared/auth';
import { createStorageClients } from '../../../shared/store/clients';
import { appSettings, ROOT, sleep, startHostProcess, waitUntil, type HostProcess } from '../support';

/**
 * A DataTransferStep's copy survives its host: the host (Functions app and Durable engine, where the copy runs as
 * the step's own orchestration, one activity per batch of 50 blobs) is SIGKILLed once some batches are done and
 * restarted. The run completes, every blob is at the destination, and every blob that was there at the kill still
 * has the same ETag afterwards: completed blobs are not copied twice (a repeated batch skips the blobs whose
 * destination already carries their source ETag).
 */

const BLOBS = 600;
let azurite: RunningAzurite;
let host: HostProcess | undefined;
before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
});
after(async () => {
  host?.child.kill('SIGKILL');
  await azurite?.stop();
});

interface StepView {
  name: string;
  status: string;
  attempt: number;
  progress?: { done: number; total?: number };
}

test('the host SIGKILLed mid-copy: the copy finishes after a restart without copying a completed blob again', async () => {
  // A batch whose host was killed comes back after 5 s instead of the host's 10 minutes.
  const env = { ...appSettings(azurite.connectionString, 'TransferCrash'), SLUICE_HOST_QUEUE_LEASE_SECONDS: '5' };
  const token = await (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Run', subject: 'transfer-crash' });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  host = await startHostProcess(azurite.connectionString, env);

  const container = createStorageClients({
    kind: 'connectionString',
    connectionString: azurite.connectionString,
  }).blobs.getContainerClient('workspaceblobstore');
  await container.createIfNotExists();
  for (let i = 0; i < BLOBS; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) => {
        const text = `row ${i + j}\n`;
        return container
          .getBlockBlobClient(`crash-in/part-${String(i + j).padStart(4, '0')}.txt`)
          .upload(text, text.length);
      }),
    );
  }
  const res = await fetch(`${host.origin}/api/experiments/transfer-crash/runs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      pipeline: {
        name: 'copy-then-crash',
        inputs: { raw: { datastore: 'workspaceblobstore', path: 'crash-in/' } },
        steps: [
          {
            name: 'copy',
            type: 'data_transfer',
            source: 'raw',
            destination: { datastore: 'workspaceblobstore', path: 'crash-out/' },
          },
        ],
      },
    }),
  });
  const text = await res.text();
  assert.equal(res.status, 202, text);
  const id = (JSON.parse(text) as { id: string }).id;
  const copyStep = async () => {
    const view = (await (await fetch(`${host!.origin}/api/runs/${id}`, { headers })).json()) as {
      status: string;
      steps: StepView[];
    };
    return { run: view, step: view.steps.find((s) => s.name === 'copy')! };
  };

  // Kill once two batches are done, while the copy is still going.
  const before = await waitUntil(
    'two batches of the copy to be done',
    async () => {
      const { step } = await copyStep();
      return (step.progress?.done ?? 0) >= 100 ? step : undefined;
    },
    120_000,
  );
  const exited = new Promise((r) => host!.child.once('exit', r));
  host.child.kill('SIGKILL');
  await exited;
  assert.ok((before.progress?.done ?? 0) < BLOBS, 'the host was killed before the copy ended');
  const copiedBefore = new Map<string, string>();
  for await (const blob of container.listBlobsFlat({ prefix: 'crash-out/' })) {
    copiedBefore.set(blob.name, blob.properties.etag!);
  }
  assert.ok(
    copiedBefore.size >= 100 && copiedBefore.size < BLOBS,
    `${copiedBefore.size} blobs were copied at the kill`,
  );

  await sleep(500);
  host = await startHostProcess(azurite.connectionString, env);
  const { run, step } = await waitUntil(
    'the run to end after the restart',
    async () => {
      const now = await copyStep();
      return ['Completed', 'Failed', 'Canceled'].includes(now.run.status) ? now : undefined;
    },
    240_000,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- host ---\n${host!.output().slice(-3000)}`);
  });
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  assert.deepEqual([step.status, step.attempt], ['Completed', 1], 'the kill did not become a retry');
  const after = new Map<string, string>();
  for await (const blob of container.listBlobsFlat({ prefix: 'crash-out/' }))
    after.set(blob.name, blob.properties.etag!);
  assert.equal(after.size, BLOBS, 'every blob is at the destination');
  const recopied = [...copiedBefore].filter(([name, etag]) => after.get(name) !== etag).map(([name]) => name);
  assert.deepEqual(recopied, [], 'no blob copied before the kill was copied again');
});
