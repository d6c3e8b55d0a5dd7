import { randomUUID } from 'node:crypto';
import type { ProducedOutput } from '../compute/messages';
import { DEFAULT_DATASTORE } from '../spec/names';
import { DelimitedOptions, type PipelineSpec } from '../spec/schema';
import type { DatasetDefinition, DatasetRecord } from '../store/datasetModel';
import type { Store } from '../store/repositories';
import { definitionKey } from './register';

/**
 * v1's `OutputFileDatasetConfig.register_on_complete(name)`: when a step completes, each output whose data entry has
 * `register:` becomes a version of that dataset — its folder (`<run id>/<step>/<data>/` in the entry's datastore,
 * workspaceblobstore by default), or the files `glob` matches in it. The same definition registered before (the
 * result delivered again, or the step's output read again) is that version, not a new one, so a redelivered result
 * registers once.
 */
export async function registerOutputDatasets(
  store: Store,
  spec: PipelineSpec,
  outputs: readonly ProducedOutput[],
  source: { runId: string; step: string; at: string },
): Promise<Map<string, DatasetRecord>> {
  const registered = new Map<string, DatasetRecord>();
  for (const output of outputs) {
    const entry = Object.hasOwn(spec.data, output.name) ? spec.data[output.name] : undefined;
    const register = entry?.register;
    if (!register) continue;
    const folder = output.path === '' || output.path.endsWith('/') ? output.path : `${output.path}/`;
    const definition: DatasetDefinition = {
      kind: register.kind,
      paths: [{ datastore: entry.datastore ?? DEFAULT_DATASTORE, path: folder + (register.glob ?? '') }],
      ...(register.kind === 'tabular' && { delimited: register.delimited ?? DelimitedOptions.parse({}) }),
    };
    const key = definitionKey(definition);
    const same = (await store.datasets.list({ name: register.name })).find((d) => definitionKey(d) === key);
    if (same) {
      registered.set(output.name, same);
      continue;
    }
    registered.set(
      output.name,
      await store.datasets.register({
        ...definition,
        name: register.name,
        id: randomUUID(),
        tags: { ...register.tags },
        ...(register.description !== undefined && { description: register.description }),
        createdAt: source.at,
        createdBy: `${source.runId}:${source.step}`,
      }),
    );
  }
  return registered;
}
