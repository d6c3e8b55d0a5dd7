import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import {
  SluiceClient,
  defaultTokenProvider,
  loadPipelineFile,
  publishPipelineFile,
  sourceDirectories,
  submitPipelineFile,
  uploadSnapshots,
  type SnapshotProgress,
} from '../../../sdk';
import { UserInputError } from '../../../shared/errors';
import { inspectSnapshotArchive, packSnapshot } from '../../../shared/snapshot';
import { sendJson, startFakeServer, type FakeServer } from './fakeServer';

const SPEC = `name: demo
steps:
  - name: a
    type: python
    source_directory: ./src
    script: a.py
  - name: b
    type: python
    source_directory: src/
    script: a.py
  - name: c
    type: python
    source_directory: copy
    script: a.py
  - name: d
    type: command
    command: echo
`;

describe('spec files and snapshots', () => {
  let dir: string;
  let server: FakeServer;
  const stored = new Set<string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sdk-spec-'));
    for (const sub of ['src', 'copy']) {
      mkdirSync(join(dir, 'pipelines', sub), { recursive: true });
      writeFileSync(join(dir, 'pipelines', sub, 'a.py'), 'print("hi")\n');
    }
    writeFileSync(join(dir, 'pipelines', 'pipeline.yaml'), SPEC);
    server = await startFakeServer();
    server.on('POST /api/snapshots', async (req, res) => {
      const { id } = await inspectSnapshotArchive(req.body);
      const created = !stored.has(id);
      stored.add(id);
      sendJson(res, created ? 201 : 200, { id, size: req.body.length, created });
    });
    server.on('POST /api/published-pipelines', (req, res) =>
      sendJson(res, 201, { id: 'p1', ...JSON.parse(req.body.toString()), status: 'Active' }),
    );
    server.on('POST /api/experiments/demo/runs', (_req, res) =>
      sendJson(res, 202, { id: 'r1', status: 'NotStarted', experiment: 'demo', links: { self: 'x' } }),
    );
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('source directories are normalised and listed once; steps without one add none', () => {
    const { spec } = loadPipelineFile(join(dir, 'pipelines', 'pipeline.yaml'));
    assert.deepEqual(sourceDirectories(spec), ['src', 'copy']);
  });

  test('a missing file and a bad spec are UserInputErrors (with line and column)', () => {
    assert.throws(
      () => loadPipelineFile(join(dir, 'nope.yaml')),
      (e: unknown) => e instanceof UserInputError && e.message === `FILE: ${join(dir, 'nope.yaml')} does not exist`,
    );
    writeFileSync(join(dir, 'bad.yaml'), 'name: demo\nsteps:\n  - name: a\n    type: adla\n');
    assert.throws(
      () => loadPipelineFile(join(dir, 'bad.yaml')),
      (e: unknown) => e instanceof UserInputError && e.issues[0].path === 'steps[0].type' && e.issues[0].line === 4,
    );
  });

  test('each distinct content is uploaded once per call, relative to the spec folder', async () => {
    const client = new SluiceClient({ url: server.url, token: 't' });
    const file = loadPipelineFile(join(dir, 'pipelines', 'pipeline.yaml'));
    const progress: SnapshotProgress[] = [];
    const snapshots = await uploadSnapshots(client, file.spec, file.baseDir, { onSnapshot: (p) => progress.push(p) });
    const id = packSnapshot(join(dir, 'pipelines', 'src')).id;
    assert.deepEqual(snapshots, { src: id, copy: id });
    assert.deepEqual(
      progress.map((p) => [p.sourceDirectory, p.outcome, p.files]),
      [
        ['src', 'uploaded', 1],
        ['copy', 'same', 1],
      ],
    );
    const again = await uploadSnapshots(client, file.spec, file.baseDir, { onSnapshot: (p) => progress.push(p) });
    assert.deepEqual(again, snapshots);
    assert.equal(progress[2].outcome, 'stored');
  });

  test('a missing source directory fails before anything is uploaded', async () => {
    const before = server.requests.length;
    writeFileSync(
      join(dir, 'pipelines', 'missing.yaml'),
      SPEC.replace('source_directory: copy', 'source_directory: gone'),
    );
    const client = new SluiceClient({ url: server.url, token: 't' });
    const file = loadPipelineFile(join(dir, 'pipelines', 'missing.yaml'));
    await assert.rejects(
      uploadSnapshots(client, file.spec, file.baseDir),
      (e: unknown) =>
        e instanceof UserInputError &&
        e.message ===
          `source_directory: "gone" (${join(dir, 'pipelines', 'gone')}) does not exist; source directories are relative to the spec file's folder`,
    );
    assert.equal(server.requests.length, before);
  });

  test('submitPipelineFile uploads, then submits the text with the snapshot ids to the spec-named experiment', async () => {
    const client = new SluiceClient({ url: server.url, token: 't' });
    server.requests.length = 0;
    const run = await submitPipelineFile(client, join(dir, 'pipelines', 'pipeline.yaml'), {
      parameters: { x: '1' },
    });
    assert.equal(run.id, 'r1');
    const submit = server.requests.at(-1)!;
    assert.equal(submit.path, '/api/experiments/demo/runs');
    const body = JSON.parse(submit.body.toString());
    assert.equal(body.pipeline, SPEC);
    assert.deepEqual(Object.keys(body.snapshots), ['src', 'copy']);
    assert.deepEqual(body.parameters, { x: '1' });
  });

  test('publishPipelineFile takes a loaded file, reports each snapshot, and publishes the text with their ids', async () => {
    const client = new SluiceClient({ url: server.url, token: 't' });
    const file = loadPipelineFile(join(dir, 'pipelines', 'pipeline.yaml'));
    server.requests.length = 0;
    const progress: string[] = [];
    const published = await publishPipelineFile(client, file, {
      name: 'demo endpoint',
      version: '1.0',
      onSnapshot: (p) => progress.push(p.sourceDirectory),
    });
    assert.equal(published.id, 'p1');
    assert.deepEqual(progress, ['src', 'copy']);
    const publish = server.requests.at(-1)!;
    assert.equal(`${publish.method} ${publish.path}`, 'POST /api/published-pipelines');
    const id = packSnapshot(join(dir, 'pipelines', 'src')).id;
    assert.deepEqual(JSON.parse(publish.body.toString()), {
      name: 'demo endpoint',
      version: '1.0',
      pipeline: SPEC,
      snapshots: { src: id, copy: id },
    });
  });

  test('the default token provider signs a local development token and caches it', async () => {
    const provider = defaultTokenProvider({ dir, role: 'Sluice.Read' });
    const first = await provider({ url: 'http://localhost:7071' });
    assert.equal(await provider({ url: 'http://localhost:7071' }), first);
    const claims = decodeJwt(first);
    assert.equal(claims.iss, 'sluice-local');
    assert.deepEqual(claims.roles, ['Sluice.Read']);
  });
});
