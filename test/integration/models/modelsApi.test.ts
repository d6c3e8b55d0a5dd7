import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packSnapshot, writeTarGz } from '../../../shared/snapshot';
import { runCli } from '../support';
import { scratchDir, startStack, step, type Stack } from '../pipelines/stack';

/** The model registry and run artifacts through the REST API, on the real stack (host, Azurite, a worker). */

let stack: Stack;
before(async () => {
  stack = await startStack({ workers: [{}] });
});
after(async () => {
  await stack?.stop();
});

const uid = () => randomUUID().slice(0, 8);

/** `sluice ARGS` against the stack (the CLI signs its own token with the development key). */
const sluice = (args: string[]) => runCli(args, { SLUICE_URL: stack.base.replace(/\/api$/, ''), NO_COLOR: '1' });

async function uploadModel(files: Record<string, string>): Promise<{ id: string; root: string }> {
  const dir = scratchDir('model');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  const res = await stack.call('model-uploads', {
    method: 'POST',
    body: packSnapshot(dir).archive,
    headers: { 'content-type': 'application/gzip' },
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text) as { id: string; root: string };
}

const register = (body: unknown, key?: string) =>
  stack.call('models', {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(key && { 'idempotency-key': key }) },
  });

const read = (path: string) => stack.call(path, { token: stack.readToken });
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

test('models: register versions from uploads (idempotent with a key), list, show and download; 404s and 400s', async () => {
  const name = `diabetes-${uid()}`;
  const upload = await uploadModel({ 'model.pkl': 'weights-v1' });
  assert.equal(upload.root, 'model.pkl');
  const key = `k-${uid()}`;
  const first = await register({ name, upload: upload.id, tags: { area: 'health' }, description: 'first' }, key);
  const v1 = (await first.json()) as { id: string; version: number; files: unknown; links: { self: string } };
  assert.equal(first.status, 201);
  assert.deepEqual([v1.id, v1.version, v1.files], [`${name}:1`, 1, [{ name: 'model.pkl', size: 10 }]]);
  assert.equal(first.headers.get('location'), v1.links.self);

  const replay = await register({ name, upload: upload.id, description: 'first' }, key);
  assert.equal(replay.status, 200, 'the same Idempotency-Key registers nothing new');
  assert.equal(((await replay.json()) as { version: number }).version, 1);

  const folder = await uploadModel({ 'model/weights.bin': 'w2', 'model/config.json': '{}' });
  assert.equal(folder.root, 'model');
  const second = await register({ name, upload: folder.id, properties: { auc: '0.91' } });
  assert.equal(second.status, 201);
  assert.equal(((await second.json()) as { version: number }).version, 2);

  const listed = (await (await read(`models?name=${name}`)).json()) as { value: { version: number }[] };
  assert.deepEqual(
    listed.value.map((m) => m.version),
    [2, 1],
  );
  const latestOnly = (await (await read(`models?name=${name}&latest=true`)).json()) as { value: unknown[] };
  assert.equal(latestOnly.value.length, 1);
  const latest = (await (await read(`models/${name}/versions/latest`)).json()) as {
    version: number;
    root: string;
    files: { name: string }[];
    properties: Record<string, string>;
  };
  assert.deepEqual(
    [latest.version, latest.root, latest.files.map((f) => f.name), latest.properties],
    [2, 'model', ['model/config.json', 'model/weights.bin'], { auc: '0.91' }],
  );

  const file = await read(`models/${name}/versions/1/files/download?path=model.pkl`);
  assert.equal(file.status, 200);
  assert.equal(file.headers.get('content-type'), 'application/octet-stream');
  assert.equal(await file.text(), 'weights-v1');

  const unknown = await read(`models/nope-${uid()}/versions/latest`);
  assert.equal(unknown.status, 404);
  assert.match((await errorOf(unknown)).message, /does not exist; list models/);
  const noVersion = await read(`models/${name}/versions/7`);
  assert.equal(noVersion.status, 404);
  assert.match((await errorOf(noVersion)).message, /has no version 7; its latest is 2/);
  const escape = await read(`models/${name}/versions/1/files/download?path=${encodeURIComponent('../x/model.pkl')}`);
  assert.equal(escape.status, 400);
  assert.equal((await errorOf(escape)).code, 'UnsafePath');
  const notAFile = await read(`models/${name}/versions/1/files/download?path=other.pkl`);
  assert.equal(notAFile.status, 404);

  // The CLI reads the same registry.
  const list = await sluice(['models', 'list', '--name', name]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`${name}\\s+2\\s`));
  assert.match(list.stdout, new RegExp(`${name}\\s+1\\s`));
  const show = await sluice(['models', 'show', `${name}:1`]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /tags: +area=health/);
  assert.match(show.stdout, /model\.pkl +10/);
  const into = scratchDir('cli-model');
  const download = await sluice(['models', 'download', name, '--to', into]);
  assert.equal(download.code, 0, download.stderr);
  assert.equal(readFileSync(join(into, 'model', 'weights.bin'), 'utf8'), 'w2');
  const again = await sluice(['models', 'download', name, '--to', into]);
  assert.equal(again.code, 2, 'an existing model folder is not overwritten');
  const unknownCli = await sluice(['models', 'show', `nope-${uid()}`]);
  assert.equal(unknownCli.code, 1);
  assert.match(unknownCli.stderr, /does not exist/);
  const badRef = await sluice(['models', 'show', `${name}:two`]);
  assert.equal(badRef.code, 2);

  const badUpload = await register({ name, upload: 'f'.repeat(64) });
  assert.equal(badUpload.status, 400);
  assert.match((await errorOf(badUpload)).message, /body\.upload: no uploaded model files/);
  const badName = await register({ name: '../etc', upload: upload.id });
  assert.equal(badName.status, 400);
  const reader = await stack.call('models', {
    method: 'POST',
    token: stack.readToken,
    body: JSON.stringify({ name, upload: upload.id }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(reader.status, 403, 'registering needs the run role');

  const twoRoots = await stack.call('model-uploads', {
    method: 'POST',
    body: writeTarGz([
      { path: 'a.pkl', executable: false, content: Buffer.from('a') },
      { path: 'b.pkl', executable: false, content: Buffer.from('b') },
    ]),
    headers: { 'content-type': 'application/gzip' },
  });
  assert.equal(twoRoots.status, 400);
  assert.match((await errorOf(twoRoots)).message, /one file or one folder/);
});

test("artifacts: a step's uploaded files and output files are listed and streamed; paths cannot escape", async () => {
  const src = scratchDir('artifacts-src');
  writeFileSync(
    join(src, 'make.py'),
    [
      'import os, sys',
      'from azureml.core import Run',
      'run = Run.get_context()',
      'os.makedirs("outputs", exist_ok=True)',
      'open("outputs/model.pkl", "w").write("trained")',
      'run.register_model("artifact-model", "outputs/model.pkl", tags={"k": "v"}, model_framework="Custom")',
      'open("notes.txt", "w").write("some notes")',
      'run.upload_file("extra/notes.txt", "notes.txt")',
      'os.makedirs(sys.argv[1], exist_ok=True)',
      'open(os.path.join(sys.argv[1], "part-0.csv"), "w").write("a,b\\n1,2\\n")',
    ].join('\n'),
  );
  const id = await stack.submit(
    {
      name: 'artifacts',
      data: { table: {} },
      steps: [
        {
          name: 'make',
          type: 'python',
          source_directory: 'src',
          script: 'make.py',
          arguments: ['${{data.table}}'],
          outputs: ['table'],
        },
      ],
    },
    { sources: { src } },
  );
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));

  const files = (await (await read(`runs/${id}/steps/make/files`)).json()) as { value: { name: string }[] };
  assert.deepEqual(
    files.value.map((f) => f.name),
    ['azureml-logs/70_driver_log.txt', 'extra/notes.txt', 'outputs/model.pkl'],
  );
  const driverLog = await read(`runs/${id}/steps/make/files/download?path=azureml-logs/70_driver_log.txt`);
  assert.equal(driverLog.status, 200);
  const stepLog = await read(`runs/${id}/steps/make/logs`);
  assert.equal(await driverLog.text(), await stepLog.text(), "the step's log under Azure ML's name");
  const model = await read(`runs/${id}/steps/make/files/download?path=outputs/model.pkl`);
  assert.equal(await model.text(), 'trained');
  const escape = await read(`runs/${id}/steps/make/files/download?path=${encodeURIComponent('outputs/../../x')}`);
  assert.equal(escape.status, 400);
  assert.equal((await errorOf(escape)).code, 'UnsafePath');
  const absolute = await read(`runs/${id}/steps/make/files/download?path=${encodeURIComponent('/etc/passwd')}`);
  assert.equal(absolute.status, 400);
  const missing = await read(`runs/${id}/steps/make/files/download?path=outputs/none.pkl`);
  assert.equal(missing.status, 404);

  const part = await read(`runs/${id}/steps/make/outputs/table/download?path=part-0.csv`);
  assert.equal(part.status, 200);
  assert.equal(await part.text(), 'a,b\n1,2\n');
  const noOutput = await read(`runs/${id}/steps/make/outputs/other/download?path=part-0.csv`);
  assert.equal(noOutput.status, 404);
  assert.match((await errorOf(noOutput)).message, /has no output "other"; its outputs: table/);
  // The model the step registered is a registry version pointing at the step's file, linked from the step run.
  const registered = (await (await read(`models?runId=${id}`)).json()) as {
    value: { id: string; step: string; files: unknown; tags: unknown; framework: string }[];
  };
  assert.deepEqual(
    registered.value.map((m) => [m.id, m.step, m.files, m.tags, m.framework]),
    [['artifact-model:1', 'make', [{ name: 'model.pkl', size: 7 }], { k: 'v' }, 'Custom']],
  );
  const registeredFile = await read('models/artifact-model/versions/1/files/download?path=model.pkl');
  assert.equal(await registeredFile.text(), 'trained');
  const stepView = step(await stack.getRun(id), 'make') as unknown as { models: { name: string; version: number }[] };
  assert.deepEqual(
    stepView.models.map((m) => [m.name, m.version]),
    [['artifact-model', 1]],
  );

  const into = scratchDir('cli-artifacts');
  const cli = await sluice(['runs', 'download', id, 'make', '--to', into, '--prefix', 'outputs/']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(readFileSync(join(into, 'outputs', 'model.pkl'), 'utf8'), 'trained');
  assert.equal(existsSync(join(into, 'extra')), false, '--prefix keeps only outputs/');

  const noStep = await read(`runs/${id}/steps/nope/files`);
  assert.equal(noStep.status, 404);
  assert.match((await errorOf(noStep)).message, /has no step "nope"/);
});
