/**
 * The naming rules of the spec, in one place so the schema, the validator and the messages agree.
 * Names become blob path segments (`pipeline-data/<runId>/<step>/<data>/`), table keys and `${{...}}` references,
 * so they are restricted to characters that are safe in all three.
 */

/** Pipeline, step, parameter, input and data names. */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const NAME_RULE =
  'must start with a letter and contain only letters, digits, "_" and "-" (at most 64 characters)';

/**
 * A datastore's name: Azure ML's rule (letters, digits and "_"), or a blob container's name. A registered datastore
 * is read and written in its registered container (RunRecord.datastoreContainers); a name that is not registered is
 * the container named like it, so such a name must be a valid container name (the submit checks that).
 */
export const DATASTORE_PATTERN = /^(?:[A-Za-z0-9][A-Za-z0-9_]{0,254}|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/;
export const DATASTORE_RULE =
  'must be a datastore name (letters, digits and "_", at most 255) or a blob container name (3–63 lower-case ' +
  'letters, digits and single hyphens)';
/** A blob container's name. */
export const CONTAINER_PATTERN = /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/;

/** The datastore used when an input or a data-path value names none. */
export const DEFAULT_DATASTORE = 'workspaceblobstore';

/** Environment variable names a step may set. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_RULE = 'must be an environment variable name: letters, digits and "_", not starting with a digit';

/** Compute targets become queue names `compute-<name>` (see shared/store/names.ts COMPUTE_NAME). */
export const COMPUTE_RULE = 'must be a compute target name: 1–40 lower-case letters, digits and single hyphens';
