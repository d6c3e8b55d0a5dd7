import assert from 'node:assert/strict';
import type { Harness } from './harness';

/** A pipeline with every parameter type, a required one, and a datastore input; no source directories. */
export const TYPED_PIPELINE = {
  name: 'typed',
  parameters: {
    reg_rate: { type: 'float', default: 0.01 },
    epochs: { type: 'int' },
    label: { type: 'string', default: 'x' },
    verbose: { type: 'bool', default: false },
    extra: { type: 'datapath', default: { datastore: 'workspaceblobstore', path: 'extra/' } },
  },
  inputs: { raw: { datastore: 'workspaceblobstore', path: 'raw/' } },
  steps: [
    {
      name: 'train',
      type: 'command',
      command: 'echo',
      arguments: [
        '${{parameters.reg_rate}}',
        '${{parameters.epochs}}',
        '${{parameters.label}}',
        '${{parameters.verbose}}',
        '${{inputs.raw}}',
        '${{inputs.extra}}',
      ],
      inputs: ['raw', 'extra'],
    },
  ],
};

/** Publishes `pipeline` as an admin and returns the published pipeline's JSON. */
export async function publish(h: Harness, pipeline: unknown = TYPED_PIPELINE, extra: Record<string, unknown> = {}) {
  const res = await h.call('POST', 'published-pipelines', { json: { name: 'typed-endpoint', pipeline, ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.json as { id: string; endpoint: string; status: string; parameters: unknown[] };
}
