import type { DataTransferStep } from '../../spec/schema';
import type { StepKind } from '../kind';

/**
 * `data_transfer` (DataTransferStep): planned and validated, not runnable yet. It will execute in activities that
 * copy blobs in batches (no worker, no program) and post the attempt's result to `step-results` like a worker.
 */
export const dataTransferKind: StepKind<DataTransferStep> = {
  type: 'data_transfer',
  runsOn: 'activity',
  notRunnable: true,
  reads: (step) => [{ name: step.source, path: ['source'] }],
  writes: (step) => (typeof step.destination === 'string' ? [{ name: step.destination, path: ['destination'] }] : []),
  templates: () => [],
  plan(step, plan) {
    const destination =
      typeof step.destination === 'string'
        ? plan.outputs[0]
        : { container: step.destination.datastore, path: step.destination.path };
    plan.dataTransfer = {
      source: plan.inputs[0],
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
