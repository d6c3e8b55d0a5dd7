import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ParallelSettings } from '../../shared/steps/parallel/settings';
import type { ListedInput } from '../inputs';
import { JobFailure } from '../jobFailure';
import { listLocalFiles } from '../sandboxFiles';

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

/**
 * Files of the inputs, in a stable order (input order, then path); a file input is itself with path `''`. An input
 * in `listed` (not downloaded yet) gives the files of its listing, in the same order.
 */
export function inputFiles(
  inputs: string[],
  local: Record<string, string>,
  listed: Record<string, ListedInput> = {},
): [string, string][] {
  const out: [string, string][] = [];
  for (const name of inputs) {
    const root = local[name];
    if (root === undefined) throw new JobFailure('system', `input "${name}" of the parallel step was not downloaded`);
    if (Object.hasOwn(listed, name)) for (const f of listed[name].files) out.push([name, f.rel]);
    else if (statSync(root).isFile()) out.push([name, '']);
    else for (const f of listLocalFiles(root)) out.push([name, f.rel]);
  }
  return out;
}

export const localPath = (local: Record<string, string>, input: string, path: string) =>
  path === '' ? local[input] : join(local[input], ...path.split('/'));

/**
 * How a partitioned input is cut: a file dataset (or a datastore folder with a number as `mini_batch_size`) into
 * groups of files; a tabular dataset (or a folder with a size) into row ranges of its delimited files. `pattern`
 * (a dataset's glob below its folder) keeps only the files it matches.
 */
export interface InputShape {
  name: string;
  tabular: boolean;
  pattern?: RegExp;
  /**
   * A tabular dataset's reading options (docs/pipeline-spec.md, "Dataset inputs"): `header: false` makes the first
   * line a row; the driver reads each range with all of them (separator, encoding, column types…).
   */
  options?: Record<string, unknown>;
}

/** An input's shape: a plain input (no dataset) is tabular when `mini_batch_size` is a size. */
export const inputShape = (size: ParallelSettings['miniBatchSize'], input: string | InputShape): InputShape =>
  typeof input === 'string' ? { name: input, tabular: 'bytes' in size } : input;

/**
 * Cuts the inputs into mini-batches: `files` per batch, or row ranges of about `bytes` of each delimited file (whose
 * files must be local: those of a listed input are read, so they must have been downloaded first).
 */
export function listMiniBatches(
  size: ParallelSettings['miniBatchSize'],
  inputs: (string | InputShape)[],
  local: Record<string, string>,
  listed: Record<string, ListedInput> = {},
): MiniBatch[] {
  const batches: MiniBatch[] = [];
  let group: [string, string][] = [];
  const close = () => {
    if (group.length) batches.push({ index: batches.length, items: group.length, files: group });
    group = [];
  };
  for (const input of inputs) {
    const shape = inputShape(size, input);
    const files = inputFiles([shape.name], local, listed).filter(
      ([, rel]) => !shape.pattern || shape.pattern.test(rel),
    );
    if (!shape.tabular) {
      // v1: a file dataset's mini_batch_size is a number of files.
      if (!('files' in size)) {
        throw new JobFailure(
          'user',
          `input "${shape.name}" is a file dataset: mini_batch_size must be a number of files, not a size`,
        );
      }
      for (const file of files) {
        group.push(file);
        if (group.length === size.files) close();
      }
      continue;
    }
    close();
    // v1: a tabular dataset's mini_batch_size is a size; a plain number is bytes.
    const bytes = 'bytes' in size ? size.bytes : size.files;
    const encoding = String(shape.options?.encoding ?? 'utf8');
    if (/^utf-?16/i.test(encoding)) {
      throw new JobFailure(
        'user',
        `input "${shape.name}": a tabular dataset encoded in ${encoding} cannot be cut into mini-batches of rows ` +
          '(its line ends are two bytes); save the files as utf8 or give the step a file dataset',
      );
    }
    const header = shape.options?.header !== false;
    for (const [name, path] of files) {
      for (const r of rowRanges(readFileSync(localPath(local, name, path)), bytes, header)) {
        batches.push({
          index: batches.length,
          items: r.rows,
          range: { input: name, path, start: r.start, end: r.end },
        });
      }
    }
  }
  close();
  return batches;
}

/**
 * Byte ranges of whole lines after the header line (from the first line when `header` is false), each at least
 * `bytes` long (except the last) and ending at a line end, so no row is cut and none is in two ranges. Empty lines
 * are not rows.
 */
export function rowRanges(data: Buffer, bytes: number, header = true): { start: number; end: number; rows: number }[] {
  const NL = 0x0a;
  const headerEnd = header ? data.indexOf(NL) : -1;
  if (header && headerEnd < 0) return [];
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
