import { sha256Hex } from '../canonicalJson';
import type { BlobVersion } from '../store/scheduleModel';

/**
 * Run ids (= orchestration instance ids) of scheduled runs. Each is a function of what caused the run, so a second
 * timer for the same tick, a retry, or a redelivered blob event computes the same id — and a run id can be recorded
 * only once. All are valid instance ids (no `/ \ # ?`, at most 100 characters) and valid run ids.
 */

/** `2026-11-25T17:00:00.000Z` → `20261125T1700Z` (seconds and milliseconds only when not zero). */
export function compactUtc(instant: Date): string {
  const iso = instant.toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const [date, time] = iso.slice(0, -1).split('T');
  const [hh, mm, rest] = time.split(':');
  const [ss, ms] = rest.split('.');
  let out = `${date.replace(/-/g, '')}T${hh}${mm}`;
  if (ss !== '00' || ms !== '000') out += ss;
  if (ms !== '000') out += ms;
  return `${out}Z`;
}

/** A timer fire time: `sched-<scheduleId>-20261125T1700Z`. */
export function fireRunId(scheduleId: string, fireTime: Date): string {
  return `sched-${scheduleId}-${compactUtc(fireTime)}`;
}

/** A blob version (perBlob): `sched-<scheduleId>-blob-<hash of datastore, name and ETag>`. */
export function blobRunId(scheduleId: string, blob: BlobVersion): string {
  return `sched-${scheduleId}-blob-${sha256Hex(`${blob.datastore}\n${blob.path}\n${blob.etag}`).slice(0, 32)}`;
}

/** A window (by the instant it opened): `sched-<scheduleId>-win-20261125T170003512Z`. */
export function windowRunId(scheduleId: string, opensAt: string): string {
  return `sched-${scheduleId}-win-${compactUtc(new Date(opensAt))}`;
}
