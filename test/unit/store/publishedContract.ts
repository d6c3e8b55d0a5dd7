import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../../../shared/errors';
import type { PipelineEndpointRecord, PublishedPipelineRecord } from '../../../shared/store';
import type { StoreUnderTest } from './contract';

/** The published-pipeline and pipeline-endpoint part of the store contract (run by storeContract). */
export function publishedContract(label: string, make: () => Promise<StoreUnderTest>): void {
  const uid = () => randomUUID().slice(0, 8);

  const published = (id: string, createdAt: string, version = '1.0', name = 'diabetes'): PublishedPipelineRecord => ({
    id,
    name,
    description: 'train it',
    version,
    status: 'Active',
    pipelineId: 'a'.repeat(64),
    pipelineName: 'diabetes-training',
    snapshots: { scripts: 'b'.repeat(64) },
    parameters: [
      { name: 'reg_rate', type: 'float', default: 0.01, required: false },
      { name: 'epochs', type: 'int', required: true, description: 'passes' },
      { name: 'raw', type: 'datapath', default: { datastore: 'workspaceblobstore', path: 'd/' }, required: false },
    ],
    continueOnStepFailure: true,
    createdAt,
    createdBy: 'alice',
  });

  test(`${label}: a name and version are published once (a 409 naming the existing id); without a version, any number`, async () => {
    const t = await make();
    const name = `diabetes-${uid()}`;
    const first = `pp-${uid()}`;
    await t.store.publishedPipelines.create(published(first, '2024-05-01T00:00:01.000Z', '1.0', name));
    await assert.rejects(
      t.store.publishedPipelines.create(published(`pp-${uid()}`, '2024-05-01T00:00:02.000Z', '1.0', name)),
      (err: unknown) =>
        err instanceof ConflictError &&
        err.code === 'PublishedVersionExists' &&
        JSON.stringify(err.details) === JSON.stringify({ id: first, name, version: '1.0' }),
    );
    await t.store.publishedPipelines.create(published(`pp-${uid()}`, '2024-05-01T00:00:03.000Z', '1.1', name));
    const unversioned = (id: string) => {
      const { version: _v, ...rest } = published(id, '2024-05-01T00:00:04.000Z', '', name);
      return rest;
    };
    await t.store.publishedPipelines.create(unversioned(`pp-${uid()}`));
    await t.store.publishedPipelines.create(unversioned(`pp-${uid()}`));
    const listed = (await t.store.publishedPipelines.list()).filter((p) => p.name === name);
    assert.equal(listed.length, 4);
  });

  test(`${label}: published pipelines are created once, listed newest first, and only their status changes`, async () => {
    const t = await make();
    const a = `pp-${uid()}`;
    const b = `pp-${uid()}`;
    const created = await t.store.publishedPipelines.create(published(a, '2024-05-01T00:00:01.000Z'));
    assert.ok(created.etag);
    await t.store.publishedPipelines.create(published(b, '2024-05-01T00:00:02.000Z', '2.0'));
    await assert.rejects(
      t.store.publishedPipelines.create(published(a, '2024-05-01T00:00:03.000Z')),
      (err: unknown) => err instanceof ConflictError && err.code === 'PublishedPipelineExists',
    );
    const { etag: _etag, ...read } = (await t.store.publishedPipelines.get(a))!;
    assert.deepEqual(read, published(a, '2024-05-01T00:00:01.000Z'));
    assert.equal(await t.store.publishedPipelines.get(`missing-${uid()}`), undefined);
    const ids = (await t.store.publishedPipelines.list()).map((p) => p.id).filter((id) => id === a || id === b);
    assert.deepEqual(ids, [b, a]);

    const disabled = await t.store.publishedPipelines.setStatus(a, 'Disabled', {
      at: '2024-05-02T00:00:00.000Z',
      by: 'bob',
    });
    assert.equal(disabled.status, 'Disabled');
    assert.equal(disabled.updatedBy, 'bob');
    assert.notEqual(disabled.etag, created.etag);
    const again = await t.store.publishedPipelines.setStatus(a, 'Disabled', { at: '2024-05-03T00:00:00.000Z' });
    assert.equal(again.etag, disabled.etag, 'no change, no write');
    assert.equal((await t.store.publishedPipelines.get(a))?.status, 'Disabled');
    assert.deepEqual((await t.store.publishedPipelines.get(a))?.parameters, published(a, '').parameters);
    await assert.rejects(
      t.store.publishedPipelines.setStatus(`missing-${uid()}`, 'Active', { at: '2024-05-03T00:00:00.000Z' }),
      NotFoundError,
    );
  });

  const endpoint = (name: string): PipelineEndpointRecord => ({
    name,
    description: 'stable name',
    defaultVersion: '0',
    versions: [{ version: '0', publishedPipelineId: 'pp-1', addedAt: '2024-05-01T00:00:00.000Z', addedBy: 'alice' }],
    createdAt: '2024-05-01T00:00:00.000Z',
    createdBy: 'alice',
    updatedAt: '2024-05-01T00:00:00.000Z',
  });

  test(`${label}: pipeline endpoints are created once, listed by name, and updated with ETags`, async () => {
    const t = await make();
    const name = `ep-${uid()}`;
    await t.store.pipelineEndpoints.create(endpoint(name));
    await t.store.pipelineEndpoints.create(endpoint(`${name}-b`));
    await assert.rejects(
      t.store.pipelineEndpoints.create(endpoint(name)),
      (err: unknown) => err instanceof ConflictError && err.code === 'PipelineEndpointExists',
    );
    const { etag: _etag, ...read } = (await t.store.pipelineEndpoints.get(name))!;
    assert.deepEqual(read, endpoint(name));
    const names = (await t.store.pipelineEndpoints.list()).map((e) => e.name).filter((n) => n.startsWith(name));
    assert.deepEqual(names, [name, `${name}-b`]);
    // Concurrent writers each add a version; none is lost.
    await Promise.all(
      ['p2', 'p3', 'p4'].map((id) =>
        t.store.pipelineEndpoints.update(name, (e) => ({
          versions: [...e.versions, { version: String(e.versions.length), publishedPipelineId: id, addedAt: 'x' }],
          createdAt: 'ignored',
        })),
      ),
    );
    const updated = (await t.store.pipelineEndpoints.get(name))!;
    assert.deepEqual(
      updated.versions.map((v) => v.version),
      ['0', '1', '2', '3'],
    );
    assert.deepEqual(updated.versions.map((v) => v.publishedPipelineId).sort(), ['p2', 'p3', 'p4', 'pp-1']);
    assert.equal(updated.createdAt, '2024-05-01T00:00:00.000Z', 'creation fields never change');
    assert.equal(await t.store.pipelineEndpoints.get(`missing-${uid()}`), undefined);
    await assert.rejects(
      t.store.pipelineEndpoints.update(`missing-${uid()}`, () => ({ defaultVersion: '1' })),
      NotFoundError,
    );
  });
}
