import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from './stack';

/** The diabetes sample on a stack, under a pipeline name and data folder of its own (so tests do not share reuse). */

const SAMPLE = join(__dirname, '..', '..', '..', 'samples', 'diabetes');

export function generateCsv(seed: number, rows = 300): Buffer {
  const out = join(mkdtempSync(join(tmpdir(), 'reuse-data-')), 'data.csv');
  const r = spawnSync(
    'python3',
    [join(SAMPLE, 'generate_data.py'), '--rows', String(rows), '--seed', String(seed), '--output', out],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`generate_data.py failed: ${r.stderr}`);
  return readFileSync(out);
}

export async function putBlob(stack: Stack, container: string, name: string, data: Buffer): Promise<void> {
  await stack.clients.blobs.getContainerClient(container).getBlockBlobClient(name).upload(data, data.length);
}

export interface Diabetes {
  name: string;
  prefix: string;
  snapshot: string;
  /** The submit body, with the sample's spec edited by `edit`. */
  body(extra?: Record<string, unknown>, edit?: (yaml: string) => string): Record<string, unknown>;
}

export async function diabetes(stack: Stack): Promise<Diabetes> {
  const id = randomUUID().slice(0, 8);
  const name = `diabetes-${id}`;
  const prefix = `diabetes-${id}`;
  // Seeds of its own: the same bytes in another test would be reused from there (reuse keys span pipelines).
  const seed = Number.parseInt(id, 16);
  await putBlob(stack, 'workspaceblobstore', `${prefix}/part-1.csv`, generateCsv(seed));
  await putBlob(stack, 'workspaceblobstore', `${prefix}/part-2.csv`, generateCsv(seed + 1));
  const snapshot = await stack.upload(join(SAMPLE, 'scripts'));
  const yaml = readFileSync(join(SAMPLE, 'pipeline.yaml'), 'utf8').replace('name: diabetes-training', `name: ${name}`);
  return {
    name,
    prefix,
    snapshot,
    body: (extra = {}, edit = (y) => y) => ({
      pipeline: edit(yaml),
      dataPaths: { raw_data: { datastore: 'workspaceblobstore', path: `${prefix}/` } },
      snapshots: { scripts: snapshot },
      ...extra,
    }),
  };
}
