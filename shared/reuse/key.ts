import { createHash } from 'node:crypto';
import type { OutputFile } from '../compute/messages';
import { findStepKind } from '../steps/registry';
import { canonicalJson } from '../canonicalJson';
import type { ParameterValue } from '../engine/parameters';
import type { StepPlan } from '../engine/plan';

/**
 * Reuse keys (docs/design.md#reuse). A step run records its key's components; the key is SHA-256 over the canonical JSON of
 * the parts of those components that decide the result. Detail kept only to explain a miss (the blob list behind
 * a datastore fingerprint, the file list behind a snapshot id, where an input was read from) stays out of the key,
 * so whether a caller records that detail never changes the key.
 *
 * Arguments and env enter as written in the spec (with `${{parameters.x}}` unresolved) together with the values of
 * exactly the parameters they use: together they determine the resolved arguments, and a miss can then be
 * explained as "parameter reg_rate 0.01 → 0.1" rather than "arguments changed". A parameter a step does not use
 * never enters its key (microsoft/MLOpsPython#140).
 */

/** Bump when the key's makeup changes: every earlier cache entry then misses, with that as the reason. */
export const REUSE_FORMAT_VERSION = 1;

/** One blob under a datastore input, from the listing (no download). */
export interface BlobInfo {
  /** The full blob name (`diabetes/part-2.csv`). */
  name: string;
  size: number;
  /** Base64 Content-MD5, when the blob has one. */
  md5?: string;
  etag?: string;
}

export interface DatastoreInputFingerprint {
  kind: 'datastore';
  datastore: string;
  path: string;
  /** datastoreFingerprint(path, blobs). */
  fingerprint: string;
  /** Explanation only. */
  blobs?: BlobInfo[];
}

export interface DataInputFingerprint {
  kind: 'data';
  /** The producing step (explanation only). */
  producer: string;
  /** The producer's ProducedOutput.fingerprint (computed by the worker over its actual output files). */
  fingerprint: string;
  /** Explanation only. */
  files?: OutputFile[];
}

export type InputFingerprint = DatastoreInputFingerprint | DataInputFingerprint;

export interface SnapshotFingerprint {
  /** The snapshot's content hash. */
  id: string;
  /** Per-file hashes (explanation only): lets a miss say "prep.py changed". */
  files?: { name: string; hash: string }[];
}

export interface ReuseKeyComponents {
  reuseVersion: number;
  stepType: string;
  program?: string;
  /** Script, command, entry script or Databricks task. */
  entry?: string;
  snapshot?: SnapshotFingerprint;
  arguments: string[];
  parameters: Record<string, ParameterValue>;
  compute?: string;
  env: Record<string, string>;
  outputs: string[];
  /** Type-specific settings that change the result (parallel batching, Databricks task, transfer destination). */
  settings: Record<string, unknown>;
  inputs: Record<string, InputFingerprint>;
}

export interface ReuseFacts {
  snapshot?: SnapshotFingerprint;
  /** A fingerprint for every input of the step, by name. */
  inputs: Record<string, InputFingerprint>;
}

export function reuseKeyComponents(step: StepPlan, facts: ReuseFacts): ReuseKeyComponents {
  const missing = step.inputs.map((i) => i.name).filter((n) => !Object.hasOwn(facts.inputs, n));
  if (missing.length) throw new Error(`step "${step.name}": no fingerprint for input(s) ${missing.join(', ')}`);
  const c: ReuseKeyComponents = {
    reuseVersion: REUSE_FORMAT_VERSION,
    stepType: step.type,
    arguments: [...step.argumentTemplates],
    parameters: { ...step.parameterValues },
    env: { ...step.envTemplates },
    outputs: step.outputs.map((o) => o.name),
    settings: settingsOf(step),
    inputs: Object.fromEntries(step.inputs.map((i) => [i.name, facts.inputs[i.name]])),
  };
  if (step.program !== undefined) c.program = step.program;
  if (step.entry !== undefined) c.entry = step.entry;
  if (step.compute !== undefined) c.compute = step.compute;
  if (facts.snapshot !== undefined) c.snapshot = facts.snapshot;
  return c;
}

/** The kind's settings that change the result (parallel batching, Databricks task, transfer destination). */
function settingsOf(step: StepPlan): Record<string, unknown> {
  return findStepKind(step.type)?.reuseSettings?.(step) ?? {};
}

/** The part of the components the key is computed over. */
export function keyMaterial(c: ReuseKeyComponents): unknown {
  return {
    ...c,
    snapshot: c.snapshot?.id,
    inputs: Object.fromEntries(
      Object.entries(c.inputs).map(([name, i]) => [name, { kind: i.kind, fingerprint: i.fingerprint }]),
    ),
  };
}

/** SHA-256 (hex) of the canonical JSON of the key material. */
export function reuseKey(c: ReuseKeyComponents): string {
  return sha256(canonicalJson(keyMaterial(c)));
}

/**
 * The content fingerprint of a datastore input: SHA-256 over the sorted (name relative to the input's path,
 * content MD5 — or ETag when the blob has no MD5 —, size) list. Names are relative so that the same files under
 * another folder are the same content.
 */
export function datastoreFingerprint(path: string, blobs: readonly BlobInfo[]): string {
  const prefix = path === '' || path.endsWith('/') ? path : `${path}/`;
  const entries = blobs
    .map((b) => {
      let name = b.name.startsWith(prefix) ? b.name.slice(prefix.length) : b.name;
      // A single-blob input (`path` names the blob itself): its own name relative to its folder.
      if (b.name === path) name = b.name.slice(b.name.lastIndexOf('/') + 1);
      return [name, b.md5 !== undefined ? `md5:${b.md5}` : `etag:${b.etag ?? ''}`, b.size];
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sha256(canonicalJson(entries));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
