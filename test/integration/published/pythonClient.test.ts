import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { endpointCommand } from '../../../cli/commands/endpoint';
import { publishCommand } from '../../../cli/commands/publish';
import { publishedCommand } from '../../../cli/commands/published';
import { submitCommand } from '../../../cli/commands/submit';
import type { CliIo } from '../../../cli/format/io';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { SluiceClient, staticToken } from '../../../sdk';
import { LocalKeyStore } from '../../../shared/auth';
import { caller, ROOT, startStack, waitFor, type Stack } from './stack';

/**
 * Done-when (1): a Python client using only urllib.request submits to a published pipeline's endpoint with a bearer
 * token and Azure ML's payload, reads `Id`, and the diabetes run completes with reg_rate = 0.1 on the train step.
 * Also the CLI's publish / published / endpoint / submit commands against the same real stack.
 */

const SAMPLE = join(ROOT, 'samples', 'diabetes');
let azurite: RunningAzurite;
let stack: Stack;
let origin = '';
const tokens = { admin: '', run: '', read: '' };
let call: ReturnType<typeof caller>;

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A CliIo that records output and signs requests with `token`. */
function io(token: string) {
  let out = '';
  let err = '';
  const cli: CliIo = {
    stdout: { write: (t: string) => (out += t), isTTY: false, columns: 120 },
    stderr: { write: (t: string) => (err += t) },
    env: {},
    now: () => Date.now(),
    client: (url) => new SluiceClient({ url, token, userAgent: 'sluice-cli-test' }),
    onInterrupt: () => () => {},
    every: () => () => {},
  };
  return { cli, token: staticToken(token), stdout: () => out, stderr: () => err };
}

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const keys = await LocalKeyStore.loadOrCreate(ROOT);
  tokens.admin = await keys.sign({ role: 'Sluice.Admin', subject: 'publisher' });
  tokens.run = await keys.sign({ role: 'Sluice.Run', subject: 'python-client' });
  tokens.read = await keys.sign({ role: 'Sluice.Read', subject: 'reader' });
  stack = await startStack(azurite.connectionString, { worker: true });
  origin = stack.base.replace(/\/api$/, '');
  call = caller(stack.base);

  // The diabetes data, uploaded where the sample's raw_data input reads it: workspaceblobstore/diabetes/.
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-published-'));
  const csv = join(scratch, 'diabetes.csv');
  const generated = await run('python3', [
    join(SAMPLE, 'generate_data.py'),
    '--rows',
    '3000',
    '--seed',
    '7',
    '--output',
    csv,
  ]);
  assert.equal(generated.code, 0, generated.stderr);
  const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
  const container = blobs.getContainerClient('workspaceblobstore');
  await container.createIfNotExists();
  const text = readFileSync(csv);
  await container.getBlockBlobClient('diabetes/diabetes.csv').upload(text, text.length);
});

after(async () => {
  await stack?.stop();
  await azurite?.stop();
});

let publishedId = '';
let endpoint = '';

test('sluice publish uploads the snapshots and publishes the diabetes pipeline with its parameters', async () => {
  const f = io(tokens.admin);
  const code = await publishCommand(
    [join(SAMPLE, 'pipeline.yaml'), '--name', 'diabetes-endpoint', '--version', '1.0', '--url', origin, '--json'],
    f.cli,
  );
  assert.equal(code, 0, f.stderr());
  const published = JSON.parse(f.stdout());
  publishedId = published.id;
  endpoint = published.endpoint;
  assert.equal(endpoint, `${origin}/api/published-pipelines/${publishedId}/submit`);
  assert.equal(published.status, 'Active');
  assert.equal(published.version, '1.0');
  assert.equal(published.createdBy, 'publisher');
  assert.deepEqual(published.parameters, [
    { name: 'reg_rate', type: 'float', default: 0.01, required: false },
    {
      name: 'raw_data',
      type: 'datapath',
      default: { datastore: 'workspaceblobstore', path: 'diabetes/' },
      required: false,
    },
  ]);
  assert.deepEqual(Object.keys(published.snapshots), ['scripts']);

  const text = io(tokens.admin);
  await assert.rejects(publishCommand([join(SAMPLE, 'pipeline.yaml'), '--url', origin], text.cli), {
    name: 'CliUsageError',
    message: 'publish: --name is required (the name callers and listings show)',
  });
});

test('the Python client (urllib only) submits with Azure ML’s payload, reads Id, and the run completes with reg_rate 0.1', async () => {
  assert.ok(endpoint, 'published by the previous test');
  const experiment = `py-${randomUUID().slice(0, 8)}`;
  const client = await run('python3', [
    join(ROOT, 'test', 'clients', 'python', 'submit_published.py'),
    '--endpoint',
    endpoint,
    '--token',
    tokens.run,
    '--experiment',
    experiment,
    '--param',
    'reg_rate=0.1',
    '--wait',
    '--timeout',
    '240',
  ]);
  assert.equal(client.code, 0, `${client.stdout}\n${client.stderr}\n${stack.output().slice(-3000)}`);
  const [id, summaryLine] = client.stdout.trim().split('\n');
  const summary = JSON.parse(summaryLine);
  assert.equal(summary.id, id);
  assert.equal(summary.status, 'Completed');
  assert.equal(summary.parameters.reg_rate, 0.1);
  assert.equal(summary.metrics.train['Regularization Rate'], 0.1);

  const details = (await (await call(`runs/${id}`, { token: tokens.read })).json()) as {
    experiment: string;
    triggeredBy: string;
    publishedPipelineId: string;
    createdBy: string;
    steps: { name: string; status: string }[];
  };
  assert.equal(details.experiment, experiment);
  assert.equal(details.triggeredBy, 'endpoint');
  assert.equal(details.publishedPipelineId, publishedId);
  assert.equal(details.createdBy, 'python-client');
  assert.deepEqual(
    details.steps.map((s) => [s.name, s.status]),
    [
      ['prepare', 'Completed'],
      ['train', 'Completed'],
    ],
  );
  const log = await (await call(`runs/${id}/steps/train/logs`, { token: tokens.read })).text();
  assert.match(log, /reg 0\.1\b/);
});

test('sluice published / endpoint / submit: list, disable (409 on submit), enable, endpoint set, submit --follow', async () => {
  assert.ok(publishedId, 'published by the first test');
  const list = io(tokens.read);
  assert.equal(await publishedCommand('list', ['--url', origin], list.cli), 0, list.stderr());
  assert.match(
    list.stdout(),
    new RegExp(
      `^ID\\s+NAME\\s+VERSION\\s+STATUS\\s+CREATED\\n${publishedId}\\s+diabetes-endpoint\\s+1\\.0\\s+Active\\s`,
    ),
  );
  const show = io(tokens.read);
  assert.equal(await publishedCommand('show', [publishedId, '--url', origin], show.cli), 0);
  assert.match(show.stdout(), new RegExp(`endpoint:  ${endpoint.replace(/[.?]/g, '\\$&')}`));
  assert.match(show.stdout(), /reg_rate\s+float\s+0\.01\n/);

  const disable = io(tokens.admin);
  assert.equal(await publishedCommand('disable', [publishedId, '--url', origin], disable.cli), 0);
  assert.equal(disable.stdout(), `Published pipeline ${publishedId} is now Disabled.\n`);
  const refused = io(tokens.run);
  assert.equal(await submitCommand([publishedId, '--experiment', 'x', '--url', origin], refused.cli), 1);
  assert.match(
    refused.stderr(),
    new RegExp(`^sluice: submit: Published pipeline "${publishedId}" \\(diabetes-endpoint\\) is disabled`),
  );
  const enable = io(tokens.admin);
  assert.equal(await publishedCommand('enable', [publishedId, '--url', origin], enable.cli), 0);

  const name = `ep${randomUUID().slice(0, 8)}`;
  const set = io(tokens.admin);
  assert.equal(
    await endpointCommand('set', [name, '--pipeline', publishedId, '--url', origin], set.cli),
    0,
    set.stderr(),
  );
  assert.match(
    set.stdout(),
    new RegExp(`^${name}  default version 0\\n  endpoint:  ${origin}/api/pipeline-endpoints/${name}/submit\\n`),
  );
  const notAdmin = io(tokens.run);
  assert.equal(await endpointCommand('set', [name, '--pipeline', publishedId, '--url', origin], notAdmin.cli), 1);
  assert.match(notAdmin.stderr(), /^sluice: endpoint set: This request needs the app role Sluice\.Admin/);

  const bad = io(tokens.run);
  assert.equal(await submitCommand(['--endpoint', name, '--param', 'reg_rate=high', '--url', origin], bad.cli), 2);
  assert.match(bad.stderr(), /parameterAssignments\.reg_rate: "high" is not a float/);
  assert.match(bad.stderr(), /The pipeline's parameters: reg_rate \(float, default 0\.01\), raw_data \(datapath/);

  const follow = io(tokens.run);
  const code = await submitCommand(
    ['--endpoint', name, '--param', 'reg_rate=0.2', '--follow', '--idempotency-key', `k-${name}`, '--url', origin],
    follow.cli,
  );
  assert.equal(code, 0, `${follow.stdout()}\n${follow.stderr()}`);
  const runId = /^Submitted run (\S+) \(experiment diabetes-training, NotStarted\)\./.exec(follow.stdout())?.[1];
  assert.ok(runId, follow.stdout());
  assert.match(follow.stdout(), new RegExp(`Run ${runId} Completed in `));
  const again = io(tokens.run);
  assert.equal(
    await submitCommand(
      ['--endpoint', name, '--param', 'reg_rate=0.2', '--idempotency-key', `k-${name}`, '--url', origin, '--json'],
      again.cli,
    ),
    0,
  );
  assert.equal(JSON.parse(again.stdout()).Id, runId, 'the same key and options return the same run');
  const finished = await waitFor(
    'the endpoint run is recorded',
    async () =>
      (await (await call(`runs/${runId}`, { token: tokens.read })).json()) as {
        status: string;
        parameters: { reg_rate: number };
      },
    (r) => r.status === 'Completed',
  );
  assert.equal(finished.parameters.reg_rate, 0.2);
});

test('publishing a name and version that exist already is a 409 naming the existing one, even when two race', async () => {
  assert.ok(publishedId, 'runs after the first publish');
  const again = io(tokens.admin);
  const code = await publishCommand(
    [join(SAMPLE, 'pipeline.yaml'), '--name', 'diabetes-endpoint', '--version', '1.0', '--url', origin],
    again.cli,
  );
  assert.equal(code, 1);
  assert.equal(
    again.stderr(),
    `sluice: publish: Published pipeline "diabetes-endpoint" version "1.0" already exists (id ${publishedId}); ` +
      'publish it under a new version, or use the existing one.\n',
  );

  // Two publishes of a new version at once: one is published, the other is refused.
  const racers = [io(tokens.admin), io(tokens.admin)];
  const codes = await Promise.all(
    racers.map((f) =>
      publishCommand(
        [join(SAMPLE, 'pipeline.yaml'), '--name', 'diabetes-endpoint', '--version', '2.0', '--url', origin],
        f.cli,
      ),
    ),
  );
  assert.deepEqual([...codes].sort(), [0, 1], racers.map((f) => f.stderr()).join(''));
  const res = await call('published-pipelines?name=diabetes-endpoint', { token: tokens.read });
  const listed = ((await res.json()) as { value: { version?: string }[] }).value.map((p) => p.version);
  assert.deepEqual(listed.sort(), ['1.0', '2.0'], 'one published pipeline per version');

  const first = (await (await call(`published-pipelines/${publishedId}`, { token: tokens.read })).json()) as {
    pipelineId: string;
    snapshots: Record<string, string>;
  };
  const api = await call('published-pipelines', {
    token: tokens.admin,
    json: { name: 'diabetes-endpoint', version: '1.0', pipelineId: first.pipelineId, snapshots: first.snapshots },
  });
  assert.equal(api.status, 409);
  const body = (await api.json()) as { error: { code: string; details: unknown } };
  assert.equal(body.error.code, 'PublishedVersionExists');
  assert.deepEqual(body.error.details, { id: publishedId, name: 'diabetes-endpoint', version: '1.0' });
});
