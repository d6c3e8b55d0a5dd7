import type { OutputFile, ProducedOutput } from '../../compute/messages';
import { fingerprintFiles } from '../../compute/fingerprint';
import { config } from '../../config';
import { datastoreReach, type DatastoreReach } from '../../datastores/access';
import type { StepPlan } from '../../engine/plan';
import { batches, copyBatch, listSource, resolveLocation, TransferError, type CopyItem } from './copy';
import type { StepWork, StepWorkContext, StepWorkDeps, StepWorkJob, StepWorkOutcome } from '../kind';

/**
 * A data_transfer attempt as durable work (the `stepWork` seam): one activity lists the source, then one activity
 * per batch of blobs copies it (copy.ts), recording progress (blobs done/total) on the step. The orchestration is
 * replayed after a crash: finished batches are not run again, and the batch that was running skips the blobs it had
 * copied (their source ETag is on them). Cancel and the step's timeout are checked between batches.
 */

type Transfer = NonNullable<StepPlan['dataTransfer']>;

interface ListInput {
  job: StepWorkJob;
  transfer: Transfer;
}
type ListOutput = { items: CopyItem[]; bytes: number } | { error: string };

interface BatchInput {
  job: StepWorkJob;
  transfer: Transfer;
  items: CopyItem[];
  /** Blobs copied by the batches before this one, and how many there are in all (for progress). */
  done: number;
  total: number;
  batch: number;
  batches: number;
}
type BatchOutput = { files: OutputFile[]; copied: number; skipped: number } | { error: string } | { canceled: true };

let reachOverride: DatastoreReach | undefined;
let appReach: DatastoreReach | undefined;

/** For tests that run the activities against their own storage. */
export function setTransferReachForTests(reach: DatastoreReach | undefined): void {
  reachOverride = reach;
}

/** The app's way to other accounts: its storage connection, its identity, its secrets key (shared/config.ts). */
function reach(deps: StepWorkDeps): DatastoreReach {
  if (reachOverride) return reachOverride;
  if (!appReach) {
    const settings = config();
    appReach = datastoreReach(deps.clients.blobs, {
      secretsKey: settings.secretsKey,
      identityClientId: settings.storage.kind === 'identity' ? settings.storage.clientId : undefined,
    });
  }
  return appReach;
}

async function ends(deps: StepWorkDeps, transfer: Transfer) {
  const [from, to] = await Promise.all([
    resolveLocation(deps.store, transfer.source, 'source'),
    resolveLocation(deps.store, transfer.destination, 'destination'),
  ]);
  return { from: reach(deps).access(from), to: reach(deps).access(to), fromRecord: from, toRecord: to };
}

async function list(input: ListInput, deps: StepWorkDeps): Promise<ListOutput> {
  const { transfer, job } = input;
  try {
    const { from, fromRecord, toRecord } = await ends(deps, transfer);
    const where = (r: { name: string; accountName?: string }, path: string) =>
      `${r.name}${r.accountName ? ` (account ${r.accountName})` : ''}:${path || '/'}`;
    const items = await listSource(from, transfer.source, transfer.destination, {
      source: transfer.sourceReferenceType,
      destination: transfer.destinationReferenceType,
    });
    const bytes = items.reduce((n, i) => n + i.size, 0);
    await deps.appendLog(
      job,
      `Copying ${items.length} blob(s), ${bytes} bytes, from ${where(fromRecord, transfer.source.path)} to ` +
        `${where(toRecord, transfer.destination.path)}, server-side, in batches\n`,
    );
    if (items.length === 0) {
      return { error: `the source ${where(fromRecord, transfer.source.path)} holds no blob; nothing to copy` };
    }
    await deps.setProgress(job, { unit: 'blobs', done: 0, failed: 0, total: items.length });
    return { items, bytes };
  } catch (err) {
    if (err instanceof TransferError) return { error: err.message };
    throw err;
  }
}

async function copy(input: BatchInput, deps: StepWorkDeps): Promise<BatchOutput> {
  const { job } = input;
  if (await deps.cancelRequested(job)) return { canceled: true };
  try {
    const { from, to } = await ends(deps, input.transfer);
    const result = await copyBatch(from, to, input.items);
    const done = input.done + input.items.length;
    await deps.setProgress(job, { unit: 'blobs', done, failed: 0, total: input.total });
    await deps.appendLog(
      job,
      `Batch ${input.batch}/${input.batches}: ${result.copied} copied` +
        (result.skipped ? `, ${result.skipped} copied before (same source ETag)` : '') +
        ` — ${done}/${input.total}\n`,
    );
    return { files: result.files, copied: result.copied, skipped: result.skipped };
  } catch (err) {
    if (err instanceof TransferError) return { error: err.message };
    throw err;
  }
}

export const dataTransferWork: StepWork = {
  *orchestrate(ctx: StepWorkContext) {
    const deadline = Date.parse(ctx.startedAt) + ctx.job.timeoutSeconds * 1000;
    const transfer = ctx.step.dataTransfer!;
    const listed: ListOutput = yield ctx.activity('list', { job: ctx.job, transfer } satisfies ListInput);
    if ('error' in listed) return { status: 'Failed', errorKind: 'user', message: listed.error };
    const parts = batches(listed.items);
    const files: OutputFile[] = [];
    let done = 0;
    let copied = 0;
    for (const [i, items] of parts.entries()) {
      if (ctx.now().getTime() > deadline) {
        return {
          status: 'Failed',
          errorKind: 'timeout',
          message: `the copy did not finish within ${ctx.job.timeoutSeconds} s (${done} of ${listed.items.length} blobs copied)`,
        };
      }
      const input: BatchInput = {
        job: ctx.job,
        transfer,
        items,
        done,
        total: listed.items.length,
        batch: i + 1,
        batches: parts.length,
      };
      const r: BatchOutput = yield ctx.activity('copy', input);
      if ('canceled' in r) return { status: 'Canceled', errorKind: 'canceled', message: 'canceled during the copy' };
      if ('error' in r) return { status: 'Failed', errorKind: 'user', message: r.error };
      files.push(...r.files);
      done += items.length;
      copied += r.copied;
    }
    const outcome: StepWorkOutcome = {
      status: 'Completed',
      metrics: [
        { name: 'blobs', kind: 'scalar', value: listed.items.length, time: ctx.now().toISOString() },
        { name: 'bytes', kind: 'scalar', value: listed.bytes, time: ctx.now().toISOString() },
        { name: 'blobs_copied', kind: 'scalar', value: copied, time: ctx.now().toISOString() },
      ],
    };
    const output = ctx.step.outputs[0];
    if (output) {
      const produced: ProducedOutput = { ...output, files, fingerprint: fingerprintFiles(files) };
      outcome.outputs = [produced];
    }
    return outcome;
  },
  activities: {
    list: (input: ListInput, deps) => list(input, deps),
    copy: (input: BatchInput, deps) => copy(input, deps),
  },
};
