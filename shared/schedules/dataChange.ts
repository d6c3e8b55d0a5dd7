import type { DataTrigger, ScheduleError, ScheduleRecord } from '../store/scheduleModel';
import type { ScheduleDeps } from './deps';
import { blobRunId } from './ids';
import { errorPatch, isRetryable, orNothing, runPatch, scheduleError } from './outcome';
import { saveState, type EvaluationReport } from './report';
import { startScheduledRun } from './startRun';
import { joinWindow } from './window';

/** A blob version that was created or overwritten, as the blob trigger reports it. */
export interface BlobEvent {
  container: string;
  /** The blob's name in its container. */
  path: string;
  etag: string;
  /** When storage last wrote the blob (ISO); absent when unknown. */
  lastModified?: string;
}

/**
 * Blobs written this long before a schedule started watching still count: storage's Last-Modified has whole
 * seconds and comes from another clock. Older ones are data that was there before the schedule (a polling
 * trigger's first scan reports every blob) and start nothing, as in Azure ML.
 */
export const WATCH_TOLERANCE_MS = 5 * 60_000;

/**
 * A blob's ETag without quotes: listings give `0x8DC…`, blob properties `"0x8DC…"`; the same version must give the
 * same run id and claim whichever way its event was reported.
 */
export function normalizeEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * Whether a trigger watches a blob: directly under `path` (Azure ML's semantics), or anywhere below it when
 * `recursive`. Folder markers (names ending in "/") never count.
 */
export function watches(trigger: Pick<DataTrigger, 'path' | 'recursive'>, blobPath: string): boolean {
  if (blobPath === '' || blobPath.endsWith('/')) return false;
  const prefix = trigger.path === '' ? '' : `${trigger.path}/`;
  if (!blobPath.startsWith(prefix)) return false;
  const rest = blobPath.slice(prefix.length);
  return rest !== '' && (trigger.recursive || !rest.includes('/'));
}

/**
 * The blob trigger's work: every Active data-trigger schedule that watches the blob's datastore folder takes the
 * blob version in. `perBlob` starts one run whose id is derived from schedule + datastore + name + ETag, so a
 * redelivered event finds the run and starts nothing; `window` adds the blob to the schedule's open window (see
 * window.ts), where a claim keyed the same way makes a redelivery a no-op. Throws only for system faults (the
 * event is then redelivered and retried); problems with a schedule's target are recorded on the schedule.
 */
export async function onBlobChanged(deps: ScheduleDeps, event: BlobEvent): Promise<EvaluationReport> {
  const report: EvaluationReport = { started: [], repeated: [], errors: [] };
  const watching = (await deps.store.schedules.list()).filter(
    (s) => s.status === 'Active' && s.dataTrigger && watches(s.dataTrigger, event.path),
  );
  if (watching.length === 0) return report;
  const datastores = await deps.store.datastores.list();
  let failure: unknown;
  for (const s of watching) {
    const trigger = s.dataTrigger!;
    const datastore = datastores.find((d) => d.name === trigger.datastore);
    if (!datastore || datastore.container !== event.container) continue;
    if (event.lastModified && Date.parse(event.lastModified) < Date.parse(s.lastEvaluatedAt) - WATCH_TOLERANCE_MS) {
      continue;
    }
    const blob = { datastore: datastore.name, path: event.path, etag: normalizeEtag(event.etag) };
    try {
      if (trigger.batch === 'window') await joinWindow(deps, s, blob, report);
      else await runPerBlob(deps, s, blob, report);
    } catch (err) {
      deps.log.error(`Schedule ${s.id}: blob ${event.container}/${event.path}: ${(err as Error).message}`, err);
      failure ??= err;
    }
  }
  if (failure) throw failure;
  return report;
}

async function runPerBlob(
  deps: ScheduleDeps,
  s: ScheduleRecord,
  blob: { datastore: string; path: string; etag: string },
  report: EvaluationReport,
): Promise<void> {
  const at = deps.now().toISOString();
  const runId = blobRunId(s.id, blob);
  let error: ScheduleError | undefined;
  let created = false;
  try {
    const outcome = await startScheduledRun(deps, s, {
      runId,
      triggeredBy: 'dataChange',
      fireTime: at,
      dataPath: { datastore: blob.datastore, path: blob.path },
      blobs: [blob],
      blobCount: 1,
    });
    created = outcome.created;
    (created ? report.started : report.repeated).push(runId);
  } catch (err) {
    if (isRetryable(err)) throw err;
    error = scheduleError(err, at, `blob ${blob.datastore}/${blob.path}`);
    report.errors.push({ scheduleId: s.id, code: error.code, message: error.message });
  }
  if (!created && !error) return;
  await saveState(deps, s.id, (current) =>
    orNothing({ ...(created ? runPatch(current, at, runId) : {}), ...errorPatch(current, error) }),
  );
}
