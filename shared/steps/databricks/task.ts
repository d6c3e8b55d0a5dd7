import { createHash } from 'node:crypto';
import type { BlobLocation } from '../../compute/messages';
import type { SubmitRunRequest, SubmitTask } from '../../databricks/api';
import type { StepPlan } from '../../engine/plan';

/**
 * What a `databricks` step submits: one task of the Jobs API 2.1 built from the step's plan. Inputs and outputs are
 * ABFSS URIs of their locations in the app's storage account: a notebook gets a widget per input and output name
 * (v1's `dbutils.widgets.get("<name>")`), a Python script `--<name> <uri>` after its arguments; `${{inputs.x}}`,
 * `${{data.x}}` and `${{outputs.x}}` in arguments and notebook parameters become the same URIs.
 */

/** `abfss://<container>@<account>.dfs.core.windows.net/<path>` (a folder path ends without `/`). */
export function abfssUri(account: string, location: BlobLocation): string {
  const path = location.path.replace(/^\/+|\/+$/g, '');
  return `abfss://${location.container}@${account}.dfs.core.windows.net/${path}`;
}

export interface StepUris {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
}

export function stepUris(account: string, step: Pick<StepPlan, 'inputs' | 'outputs'>): StepUris {
  return {
    inputs: Object.fromEntries(step.inputs.map((i) => [i.name, abfssUri(account, i)])),
    outputs: Object.fromEntries(step.outputs.map((o) => [o.name, abfssUri(account, o)])),
  };
}

const PLACEHOLDER = /\$\{\{\s*(inputs|data|outputs)\.([A-Za-z][A-Za-z0-9_-]*)\s*\}\}/g;

/** Replaces data references with URIs; one the step does not bind is an error naming where it is. */
export function bindUris(value: string, uris: StepUris, where: string): string {
  return value.replace(PLACEHOLDER, (whole, kind: string, name: string) => {
    const own = (m: Record<string, string>) => (Object.hasOwn(m, name) ? m[name] : undefined);
    const uri =
      kind === 'inputs'
        ? own(uris.inputs)
        : kind === 'outputs'
          ? own(uris.outputs)
          : (own(uris.outputs) ?? own(uris.inputs));
    if (uri === undefined) throw new Error(`${where}: "${whole}" is not an input or output of the step`);
    return uri;
  });
}

/** At most 64 characters, the same for every try of one attempt: a repeated submit returns the first run. */
export function idempotencyToken(instanceId: string): string {
  return `sluice-${createHash('sha256').update(instanceId).digest('hex').slice(0, 48)}`;
}

export interface SubmitContext {
  /** The orchestration instance of the attempt (`work:<runId>:<step>:<attempt>`). */
  instanceId: string;
  runId: string;
  uris: StepUris;
  /** Where an uploaded `python_script_name` went (`dbfs:/…`). */
  uploadedScript?: string;
}

export function buildSubmit(step: StepPlan, c: SubmitContext): SubmitRunRequest {
  const d = step.databricks;
  if (!d) throw new Error(`step ${step.name} has no Databricks settings in its plan`);
  const args = step.args.map((a, i) => bindUris(a, c.uris, `arguments[${i}]`));
  const dataArgs = [...Object.entries(c.uris.inputs), ...Object.entries(c.uris.outputs)].flatMap(([n, u]) => [
    `--${n}`,
    u,
  ]);
  const task: SubmitTask = { task_key: 'sluice' };
  if (d.existingClusterId !== undefined) task.existing_cluster_id = d.existingClusterId;
  else if (d.newCluster) {
    const { cluster_log_dbfs_path, init_scripts, ...cluster } = d.newCluster;
    task.new_cluster = { ...cluster };
    if (init_scripts) task.new_cluster.init_scripts = init_scripts.map((destination) => ({ dbfs: { destination } }));
    if (cluster_log_dbfs_path) task.new_cluster.cluster_log_conf = { dbfs: { destination: cluster_log_dbfs_path } };
  }
  if (d.notebookPath !== undefined) {
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.notebookParams)) base[k] = bindUris(v, c.uris, `notebook_params.${k}`);
    for (const [n, u] of [...Object.entries(c.uris.inputs), ...Object.entries(c.uris.outputs)]) base[n] ??= u;
    task.notebook_task = { notebook_path: d.notebookPath, base_parameters: base, source: 'WORKSPACE' };
  } else if (d.pythonScriptPath !== undefined || d.pythonScriptName !== undefined) {
    const file = d.pythonScriptPath ?? c.uploadedScript;
    if (!file) throw new Error(`step ${step.name}: python_script_name was not uploaded before the submit`);
    task.spark_python_task = { python_file: file, parameters: [...args, ...dataArgs] };
  } else if (d.mainClassName !== undefined) {
    task.spark_jar_task = { main_class_name: d.mainClassName, parameters: args };
  }
  const libraries = [...(d.libraries ?? []), ...d.jarLibraries.map((jar) => ({ jar }))];
  if (libraries.length) task.libraries = libraries;
  if (d.timeoutSeconds !== undefined) task.timeout_seconds = d.timeoutSeconds;
  return {
    run_name: d.runName ?? `sluice ${c.runId} ${step.name}`,
    tasks: [task],
    idempotency_token: idempotencyToken(c.instanceId),
  };
}

/** Where a `python_script_name` is uploaded: per run and step, so runs never overwrite each other's scripts. */
export function uploadPath(runId: string, step: string, attempt: number, script: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
  return `dbfs:/sluice/runs/${safe(runId)}/${safe(step)}/${attempt}/${script.split('/').map(safe).join('/')}`;
}
