import { DateTime, Duration } from 'luxon';
import type { OutputFile } from '../compute/messages';
import { formatValue, type ParameterValue } from '../engine/parameters';
import { canonicalJson } from '../canonicalJson';
import { findStepKind } from '../steps/registry';
import {
  reuseKey,
  type BlobInfo,
  type InputFingerprint,
  type ReuseKeyComponents,
  type SnapshotFingerprint,
} from './key';

/**
 * Says, in words a user can act on, whether a step is reused and why — or why it runs. Pass as `previous` the
 * components of the cache entry the key hit, or on a miss those of the latest earlier run of the same step in the
 * same pipeline: the reasons then name exactly what differs ("parameter reg_rate 0.01 → 0.1", "input raw_data
 * changed: diabetes/part-2.csv (ETag …)", "prep.py changed"). Pure: the current time comes in as `now`.
 */

export interface ReuseOptions {
  /** The step's `allow_reuse`. */
  allowReuse: boolean;
  /** The submit's `regenerateOutputs`. */
  regenerateOutputs?: boolean;
  /** The step's `reuse_max_age` (ISO 8601 duration). */
  reuseMaxAge?: string;
  /** When the previous step run completed (ISO 8601); needed with reuseMaxAge. */
  previousCompletedAt?: string;
  /** The orchestration's current time (ISO 8601); needed with reuseMaxAge. */
  now?: string;
  /** False when the previous run's outputs were deleted (a reuse would point at nothing). */
  previousOutputsExist?: boolean;
  /** Where the previous result came from, for the "reused" reason. */
  previousRun?: { runId: string; step: string };
}

export interface ReuseExplanation {
  reuse: boolean;
  reasons: string[];
}

const MAX_DETAILS = 3;

export function explainReuse(
  current: ReuseKeyComponents,
  previous: ReuseKeyComponents | undefined,
  options: ReuseOptions,
): ReuseExplanation {
  const control: string[] = [];
  if (options.regenerateOutputs) control.push('regenerateOutputs was requested');
  if (!options.allowReuse) control.push('allow_reuse is false');
  if (control.length) return { reuse: false, reasons: control };
  if (!previous) return { reuse: false, reasons: ['no earlier run'] };

  if (reuseKey(current) !== reuseKey(previous)) {
    const reasons = describeDifferences(current, previous);
    return { reuse: false, reasons: reasons.length ? reasons : ['the reuse key changed'] };
  }
  if (options.reuseMaxAge !== undefined && options.previousCompletedAt !== undefined) {
    if (options.now === undefined) throw new Error('explainReuse: `now` is required to check reuse_max_age');
    const cutoff = DateTime.fromISO(options.now, { zone: 'utc' }).minus(Duration.fromISO(options.reuseMaxAge));
    const completed = DateTime.fromISO(options.previousCompletedAt, { zone: 'utc' });
    if (completed < cutoff) {
      return {
        reuse: false,
        reasons: [`older than reuse_max_age (${options.reuseMaxAge}): completed ${options.previousCompletedAt}`],
      };
    }
  }
  if (options.previousOutputsExist === false) {
    return { reuse: false, reasons: ['the earlier outputs no longer exist'] };
  }
  const from = options.previousRun ? ` since run ${options.previousRun.runId} (step ${options.previousRun.step})` : '';
  return { reuse: true, reasons: [`unchanged${from}`] };
}

/** Every component that differs, one reason each (inputs: one reason per input). */
export function describeDifferences(current: ReuseKeyComponents, previous: ReuseKeyComponents): string[] {
  const reasons: string[] = [];
  if (current.reuseVersion !== previous.reuseVersion) {
    reasons.push(`Sluice's reuse format changed (v${previous.reuseVersion} → v${current.reuseVersion})`);
  }
  if (current.stepType !== previous.stepType)
    reasons.push(`step type changed: ${previous.stepType} → ${current.stepType}`);
  if (current.program !== previous.program)
    reasons.push(`program changed: ${show(previous.program)} → ${show(current.program)}`);
  if (current.entry !== previous.entry) {
    const label = findStepKind(current.stepType)?.entryLabel ?? 'task';
    reasons.push(`${label} changed: ${show(previous.entry)} → ${show(current.entry)}`);
  }
  reasons.push(...snapshotDifferences(current.snapshot, previous.snapshot));
  if (!same(current.arguments, previous.arguments)) {
    reasons.push(`arguments changed: ${showArgs(previous.arguments)} → ${showArgs(current.arguments)}`);
  }
  reasons.push(...parameterDifferences(current.parameters, previous.parameters));
  if (current.compute !== previous.compute)
    reasons.push(`compute changed: ${show(previous.compute)} → ${show(current.compute)}`);
  for (const name of union(current.env, previous.env)) {
    const [now, before] = [own(current.env, name), own(previous.env, name)];
    if (before === undefined) reasons.push(`environment variable ${name} added`);
    else if (now === undefined) reasons.push(`environment variable ${name} removed`);
    else if (now !== before) reasons.push(`environment variable ${name} changed`);
  }
  if (!same(current.outputs, previous.outputs)) {
    reasons.push(`outputs changed: ${showArgs(previous.outputs)} → ${showArgs(current.outputs)}`);
  }
  for (const key of union(current.settings, previous.settings)) {
    const [now, before] = [own(current.settings, key), own(previous.settings, key)];
    if (!same(now, before)) {
      reasons.push(`setting ${key} changed: ${show(before)} → ${show(now)}`);
    }
  }
  for (const name of union(current.inputs, previous.inputs)) {
    const reason = inputDifference(name, own(current.inputs, name), own(previous.inputs, name));
    if (reason) reasons.push(reason);
  }
  return reasons;
}

function snapshotDifferences(now: SnapshotFingerprint | undefined, before: SnapshotFingerprint | undefined): string[] {
  if (now?.id === before?.id) return [];
  if (!before) return ['source_directory added'];
  if (!now) return ['source_directory removed'];
  if (now.files && before.files) {
    const a = new Map(before.files.map((f) => [f.name, f.hash]));
    const b = new Map(now.files.map((f) => [f.name, f.hash]));
    const changes: string[] = [];
    for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      if (!a.has(name)) changes.push(`${name} added`);
      else if (!b.has(name)) changes.push(`${name} removed`);
      else if (a.get(name) !== b.get(name)) changes.push(`${name} changed`);
    }
    if (changes.length > MAX_DETAILS + 1) {
      return [...changes.slice(0, MAX_DETAILS), `and ${changes.length - MAX_DETAILS} more source files changed`];
    }
    if (changes.length) return changes;
  }
  return [`source changed (snapshot ${before.id.slice(0, 12)} → ${now.id.slice(0, 12)})`];
}

function parameterDifferences(now: Record<string, ParameterValue>, before: Record<string, ParameterValue>): string[] {
  const out: string[] = [];
  for (const name of union(now, before)) {
    if (!Object.hasOwn(before, name)) out.push(`parameter ${name} is now used (${formatValue(now[name])})`);
    else if (!Object.hasOwn(now, name)) out.push(`parameter ${name} is no longer used`);
    else if (now[name] !== before[name])
      out.push(`parameter ${name} ${formatValue(before[name])} → ${formatValue(now[name])}`);
  }
  return out;
}

function inputDifference(
  name: string,
  now: InputFingerprint | undefined,
  before: InputFingerprint | undefined,
): string | undefined {
  if (!before) return `input ${name} added`;
  if (!now) return `input ${name} removed`;
  if (now.kind === before.kind && now.fingerprint === before.fingerprint) return undefined;
  if (now.kind === 'datastore' && before.kind === 'datastore') {
    const moved =
      now.datastore !== before.datastore || now.path !== before.path
        ? ` (now ${now.datastore}:${now.path}, was ${before.datastore}:${before.path})`
        : '';
    const details = now.blobs && before.blobs ? fileChanges(before.blobs, now.blobs) : [];
    return details.length
      ? `input ${name} changed${moved}: ${details.join(', ')}`
      : `input ${name} changed${moved} (fingerprint ${before.fingerprint.slice(0, 12)} → ${now.fingerprint.slice(0, 12)})`;
  }
  if (now.kind === 'data' && before.kind === 'data') {
    const details = now.files && before.files ? fileChanges(before.files, now.files) : [];
    return details.length
      ? `input ${name} changed: ${details.join(', ')}`
      : `input ${name} changed: step ${now.producer} produced different output`;
  }
  return `input ${name} changed: now ${now.kind === 'data' ? 'intermediate data' : 'a datastore path'}`;
}

type FileLike = BlobInfo | OutputFile;

/** `part-2.csv (ETag "0x1" → "0x2")`, `part-3.csv added`, … at most MAX_DETAILS, then "and N more". */
function fileChanges(before: readonly FileLike[], now: readonly FileLike[]): string[] {
  const a = new Map(before.map((f) => [f.name, f]));
  const b = new Map(now.map((f) => [f.name, f]));
  const out: string[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [x, y] = [a.get(name), b.get(name)];
    if (!x) out.push(`${name} added`);
    else if (!y) out.push(`${name} removed`);
    else {
      const detail = fileDetail(x, y);
      if (detail) out.push(`${name} (${detail})`);
    }
  }
  return out.length > MAX_DETAILS + 1 ? [...out.slice(0, MAX_DETAILS), `and ${out.length - MAX_DETAILS} more`] : out;
}

function fileDetail(before: FileLike, now: FileLike): string | undefined {
  const [m1, m2] = [before.md5, now.md5];
  if (m1 !== undefined && m2 !== undefined && m1 !== m2) return `MD5 ${m1} → ${m2}`;
  const [e1, e2] = ['etag' in before ? before.etag : undefined, 'etag' in now ? now.etag : undefined];
  if (e1 !== undefined && e2 !== undefined && e1 !== e2 && (m1 === undefined || m2 === undefined))
    return `ETag ${e1} → ${e2}`;
  if (before.size !== now.size) return `size ${before.size} → ${now.size} bytes`;
  if (m1 !== m2) return 'content changed';
  return undefined;
}

/** A member of a record keyed by user-chosen names (`constructor` is a valid name, not Object's). */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function same(a: unknown, b: unknown): boolean {
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function showArgs(args: readonly string[]): string {
  return args.length ? args.map((a) => (/[\s"']/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ') : '(none)';
}
