import type { BlobLocation, ProducedOutput } from '../compute/messages';
import type { StepPlan } from '../engine/plan';
import { datastoreFingerprint, type BlobInfo, type InputFingerprint, type ReuseFacts } from './key';

/**
 * The content facts a step's reuse key needs, gathered without downloading anything: a datastore input's blob
 * listing (name, Content-MD5 or ETag, size), an intermediate input's fingerprint as the worker recorded it for the
 * producing step's actual files (for a reused producer, the original run's outputs), and the snapshot id.
 */

/** Per-file detail kept for explanations is capped, so a huge input does not bloat every record. */
export const MAX_DETAIL_FILES = 1000;

export interface FactSources {
  listBlobs(location: BlobLocation): Promise<BlobInfo[]>;
  /** What the producing step recorded for data `name`; undefined when it recorded nothing (yet). */
  producedOutput(producer: string, name: string): ProducedOutput | undefined;
}

export type FactsResult = { ok: true; facts: ReuseFacts } | { ok: false; reason: string };

export async function gatherFacts(step: StepPlan, sources: FactSources): Promise<FactsResult> {
  const inputs: Record<string, InputFingerprint> = {};
  const problems: string[] = [];
  await Promise.all(
    step.inputs.map(async (input) => {
      if (input.source === 'datastore') {
        const blobs = await sources.listBlobs({ container: input.container, path: input.path });
        const fp: InputFingerprint = {
          kind: 'datastore',
          datastore: input.container,
          path: input.path,
          fingerprint: datastoreFingerprint(input.path, blobs),
        };
        if (blobs.length <= MAX_DETAIL_FILES) fp.blobs = blobs;
        inputs[input.name] = fp;
        return;
      }
      const producer = input.producer ?? '(unknown)';
      const out = input.producer === undefined ? undefined : sources.producedOutput(input.producer, input.name);
      if (!out) {
        problems.push(`input ${input.name}: step ${producer} recorded no output "${input.name}" to fingerprint`);
        return;
      }
      const fp: InputFingerprint = { kind: 'data', producer, fingerprint: out.fingerprint };
      if (out.files.length <= MAX_DETAIL_FILES) fp.files = out.files;
      inputs[input.name] = fp;
    }),
  );
  if (problems.length) return { ok: false, reason: problems.sort().join('; ') };
  const facts: ReuseFacts = { inputs };
  if (step.snapshotId !== undefined) facts.snapshot = { id: step.snapshotId };
  return { ok: true, facts };
}

/**
 * The locations of a run's recorded outputs by data name (reused producers point at the original run's blobs), with
 * the files each recorded there when they are few (`namesFit`), so a consumer's worker fetches them without listing.
 */
export function outputLocations(
  outputs: Iterable<ProducedOutput>,
): Record<string, BlobLocation & { files?: string[] }> {
  const out: Record<string, BlobLocation & { files?: string[] }> = {};
  for (const o of outputs) {
    out[o.name] = {
      container: o.container,
      path: o.path,
      ...(namesFit(o.files) && { files: o.files.map((f) => f.name) }),
    };
  }
  return out;
}

/**
 * Whether a job names an intermediate input's files: up to 100 of them, 8,000 characters in all. More are listed by
 * the worker, so a job stays well within a queue message (jobPayload.ts would move a larger one to a blob).
 */
function namesFit(files: readonly { name: string }[]): boolean {
  if (files.length > 100) return false;
  let chars = 0;
  for (const f of files) chars += f.name.length;
  return chars <= 8_000;
}
