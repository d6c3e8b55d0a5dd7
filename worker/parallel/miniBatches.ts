import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ParallelSettings } from '../../shared/steps/parallel/settings';
import { listLocalFiles } from '../localFiles';

/**
 * A mini-batch as listed once, at the start of the step, in the step's manifest: files named by input and path
 * relative to it (so another worker resuming the step finds them in its own sandbox), or a byte range of one
 * delimited file (whole rows, the file's header line excluded; the driver reads the header itself).
 */
export interface MiniBatch {
  index: number;
  /** Items counted against `error_threshold`: files, or rows of the range. */
  items: number;
  files?: [input: string, path: string][];
  range?: { input: string; path: string; start: number; end: number };
}

/** Files of the inputs, in a stable order (input order, then path); a file input is itself with path `''`. */
export function inputFiles(inputs: string[], local: Record<string, string>): [string, string][] {
  const out: [string, string][] = [];
  for (const name of inputs) {
    const root = local[name];
    if (root === undefined) throw new Error(`input "${name}" was not downloaded`);
    if (statSync(root).isFile()) out.push([name, '']);
    else for (const f of listLocalFiles(root)) out.push([name, f.rel]);
  }
  return out;
}

export const localPath = (local: Record<string, string>, input: string, path: string) =>
  path === '' ? local[input] : join(local[input], ...path.split('/'));

/** Cuts the inputs into mini-batches: `files` per batch, or row ranges of about `bytes` of each delimited file. */
export function listMiniBatches(
  size: ParallelSettings['miniBatchSize'],
  inputs: string[],
  local: Record<string, string>,
): MiniBatch[] {
  const files = inputFiles(inputs, local);
  const batches: MiniBatch[] = [];
  if ('files' in size) {
    for (let i = 0; i < files.length; i += size.files) {
      const chunk = files.slice(i, i + size.files);
      batches.push({ index: batches.length, items: chunk.length, files: chunk });
    }
    return batches;
  }
  for (const [input, path] of files) {
    for (const r of rowRanges(readFileSync(localPath(local, input, path)), size.bytes)) {
      batches.push({ index: batches.length, items: r.rows, range: { input, path, start: r.start, end: r.end } });
    }
  }
  return batches;
}

/**
 * Byte ranges of whole lines after the header line, each at least `bytes` long (except the last) and ending at a
 * line end, so no row is cut and none is in two ranges. Empty lines are not rows.
 */
export function rowRanges(data: Buffer, bytes: number): { start: number; end: number; rows: number }[] {
  const NL = 0x0a;
  const headerEnd = data.indexOf(NL);
  if (headerEnd < 0) return [];
  const ranges: { start: number; end: number; rows: number }[] = [];
  let start = headerEnd + 1;
  let rows = 0;
  let pos = start;
  while (pos < data.length) {
    let eol = data.indexOf(NL, pos);
    if (eol < 0) eol = data.length - 1;
    const line = data
      .subarray(pos, eol + 1)
      .toString('utf8')
      .trim();
    if (line !== '') rows++;
    pos = eol + 1;
    if (pos - start >= bytes || pos >= data.length) {
      if (rows > 0) ranges.push({ start, end: pos, rows });
      start = pos;
      rows = 0;
    }
  }
  return ranges;
}
