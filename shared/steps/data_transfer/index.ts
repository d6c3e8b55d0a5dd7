import type { DataTransferStep } from '../../spec/schema';
import type { StepKind } from '../kind';
import { dataTransferWork } from './work';

/**
 * `data_transfer` (DataTransferStep): a server-side copy of blobs between datastores of any storage account, run as
 * durable work in the app (work.ts: list, then an activity per batch; copy.ts: the copies), no worker, no program.
 */
export const dataTransferKind: StepKind<DataTransferStep> = {
  type: 'data_transfer',
  runsOn: 'activity',
  work: dataTransferWork,
  reads: (step) => [{ name: step.source, path: ['source'] }],
  writes: (step) => (typeof step.destination === 'string' ? [{ name: step.destination, path: ['destination'] }] : []),
  templates: () => [],
  plan(step, plan) {
    const destination =
      typeof step.destination === 'string'
        ? plan.outputs[0]
        : { container: step.destination.datastore, path: step.destination.path };
    // A datastore source by its name (a data_transfer step resolves the datastore when it runs: copy.ts).
    const { datastore, files: _files, ...source } = plan.inputs[0];
    plan.dataTransfer = {
      source: datastore ? { ...source, container: datastore } : source,
      destination: { container: destination.container, path: destination.path },
    };
    if (step.source_reference_type) plan.dataTransfer.sourceReferenceType = step.source_reference_type;
    if (step.destination_reference_type) plan.dataTransfer.destinationReferenceType = step.destination_reference_type;
  },
  reuseSettings: (plan) => {
    const t = plan.dataTransfer!;
    const settings: Record<string, unknown> = plan.outputs.length === 0 ? { destination: t.destination } : {};
    // Only when set: keys of steps planned before these fields existed stay the same.
    if (t.sourceReferenceType) settings.sourceReferenceType = t.sourceReferenceType;
    if (t.destinationReferenceType) settings.destinationReferenceType = t.destinationReferenceType;
    return settings;
  },
};
