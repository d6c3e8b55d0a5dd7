import { canonicalJson } from '../store/keys';
import type { DatasetDefinition, DatasetRecord } from '../store/datasetModel';

/** The part of a dataset that decides whether a registration is "the same dataset" as the latest version. */
export function definitionKey(d: DatasetDefinition): string {
  return canonicalJson({
    kind: d.kind,
    paths: d.paths,
    delimited: d.delimited ?? null,
    partitionFormat: d.partitionFormat ?? null,
  });
}

export type RegistrationOutcome =
  { action: 'reuse'; existing: DatasetRecord } | { action: 'create' } | { action: 'refuse'; existing: DatasetRecord };

/**
 * Azure ML v1's `register(..., create_new_version)`: a name not taken registers version 1; the same definition as
 * the latest version returns that version; another definition registers the next version with `createNewVersion`,
 * and is refused without it.
 */
export function registrationOutcome(
  latest: DatasetRecord | undefined,
  definition: DatasetDefinition,
  createNewVersion: boolean,
): RegistrationOutcome {
  if (!latest) return { action: 'create' };
  if (definitionKey(latest) === definitionKey(definition)) return { action: 'reuse', existing: latest };
  return createNewVersion ? { action: 'create' } : { action: 'refuse', existing: latest };
}
