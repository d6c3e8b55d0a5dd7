import { useEffect, useState } from 'preact/hooks';
import { enc, getJson, postJson } from '../api';
import { formatTime, shortId, StatusBadge } from '../format';
import { Link } from '../router';
import type { Page, Schedule } from '../types';

/** A recurrence in words: "every 2 weeks on Monday and Wednesday at 18:30". */
export function recurrenceInWords(s: Schedule): string {
  if (s.dataTrigger) {
    const d = s.dataTrigger as { datastore?: string; path?: string };
    return `when blobs land in ${d.datastore ?? 'workspaceblobstore'}:${d.path ?? ''}`;
  }
  if (s.cron) return `cron "${s.cron}"`;
  const r = (s.recurrence ?? {}) as {
    frequency?: string;
    interval?: number;
    weekDays?: string[];
    hours?: number[];
    minutes?: number[];
    timeOfDay?: string;
  };
  const unit = (r.frequency ?? '').toLowerCase();
  const n = r.interval ?? 1;
  let text = n === 1 ? `every ${unit}` : `every ${n} ${unit}s`;
  if (r.weekDays?.length) text += ` on ${list(r.weekDays)}`;
  if (r.timeOfDay) text += ` at ${r.timeOfDay}`;
  else if (r.hours?.length) {
    const mins = r.minutes?.length ? r.minutes : [0];
    text += ` at ${list(r.hours.flatMap((h) => mins.map((m) => `${pad(h)}:${pad(m)}`)))}`;
  } else if (r.minutes?.length) text += ` at minute ${list(r.minutes.map(String))}`;
  return text;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function list(xs: string[]): string {
  return xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** A fire time as the schedule's zone shows it: `Mon, 1 Apr 2024, 09:30 (Europe/Paris, UTC+02:00)`. */
export function inZone(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2})?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(local);
  if (!m) return local;
  const [, y, mo, d, h, mi, off] = m;
  const day = new Date(Date.UTC(+y, +mo - 1, +d)).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return `${day}, ${h}:${mi} (UTC${off === 'Z' ? '+00:00' : off})`;
}

interface ScheduleRun {
  id: string;
  triggeredBy: 'schedule' | 'dataChange';
  fireTime: string;
  createdAt: string;
  status?: string;
  blobs?: { datastore: string; path: string; etag: string }[];
  blobCount?: number;
}

/**
 * The last runs a schedule started (`GET /api/schedules/{id}/runs`), each with its fire time; for a data-change
 * schedule the datastore folder it watches and the blobs that started its recent runs.
 */
function ScheduleRuns(props: { schedule: Schedule }) {
  const s = props.schedule;
  const [runs, setRuns] = useState<ScheduleRun[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<Page<ScheduleRun>>(`schedules/${enc(s.id)}/runs?top=5`)
      .then((p) => setRuns(p.value))
      .catch((e: Error) => setError(e.message));
  }, [s.id, s.state.lastRun?.id]);
  const data = s.dataTrigger as { datastore?: string; path?: string; recursive?: boolean } | undefined;
  const blobs = (runs ?? []).flatMap((r) => (r.blobs ?? []).map((b) => ({ ...b, run: r.id })));
  return (
    <>
      {data && (
        <p data-watches>
          Watches <span class="mono">{`${data.datastore ?? 'workspaceblobstore'}:${data.path ?? ''}`}</span>
          {data.recursive ? ' and its subfolders' : ''}.
        </p>
      )}
      <h3>Last runs</h3>
      {error && <p class="error">{error}</p>}
      {runs && runs.length === 0 && <p class="muted">No runs yet.</p>}
      {runs && runs.length > 0 && (
        <ul class="schedule-runs">
          {runs.map((r) => (
            <li key={r.id} data-schedule-run={r.id}>
              <Link href={`/runs/${enc(r.id)}`}>{shortId(r.id)}</Link> {r.status && <StatusBadge status={r.status} />}{' '}
              <span class="muted">
                {r.triggeredBy === 'dataChange' ? 'data change' : 'fired'} {formatTime(r.fireTime)}
                {r.blobCount && r.blobCount > (r.blobs?.length ?? 0) ? `, ${r.blobCount} blobs` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {data && blobs.length > 0 && (
        <>
          <h3>Recent triggering blobs</h3>
          <ul class="trigger-blobs">
            {blobs.slice(0, 10).map((b) => (
              <li key={`${b.run}/${b.path}@${b.etag}`} class="mono break">
                {b.datastore}:{b.path}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

export function SchedulesPage() {
  const [list, setList] = useState<Schedule[]>();
  const [error, setError] = useState<string>();
  const load = () =>
    getJson<Page<Schedule>>('schedules')
      .then((p) => setList(p.value))
      .catch((e: Error) => setError(e.message));
  useEffect(() => void load(), []);
  return (
    <section aria-labelledby="sch-title">
      <h1 id="sch-title">Schedules</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {list && list.length === 0 && <p>No schedules yet: `npx sluice schedule create …`.</p>}
      <div class="cards">
        {(list ?? []).map((s) => {
          const zone = (s.state as { timeZone?: string }).timeZone;
          const local = (s.state as { nextFireTimesInZone?: string[] }).nextFireTimesInZone ?? s.state.nextFireTimes;
          return (
            <article class="card" key={s.id} id={s.id} aria-labelledby={`sch-${s.id}`} data-schedule={s.name}>
              <h2 id={`sch-${s.id}`}>
                {s.name} <StatusBadge status={s.status} />
              </h2>
              <p>
                Runs <strong>{recurrenceInWords(s)}</strong>
                {zone && (
                  <>
                    {' '}
                    in <span data-zone>{zone}</span>
                  </>
                )}
                , experiment {s.experimentName}
                {s.publishedPipelineId && (
                  <>
                    , pipeline{' '}
                    <Link href={`/published/${enc(s.publishedPipelineId)}`}>{s.publishedPipelineId.slice(0, 8)}</Link>
                  </>
                )}
                {s.pipelineEndpoint && <>, endpoint {s.pipelineEndpoint}</>}.
              </p>
              {local.length > 0 && (
                <>
                  <h3>Next 5 fire times{zone ? ` (${zone})` : ''}</h3>
                  <ol class="fire-times">
                    {local.map((t) => (
                      <li key={t}>
                        <time dateTime={t}>{inZone(t)}</time>
                      </li>
                    ))}
                  </ol>
                </>
              )}
              {s.state.lastRun && (
                <p>
                  Last run: <Link href={`/runs/${enc(s.state.lastRun.id)}`}>{s.state.lastRun.id.slice(0, 8)}</Link>{' '}
                  {s.state.lastRun.status && <StatusBadge status={s.state.lastRun.status} />}
                </p>
              )}
              {s.state.lastError && <p class="error">{s.state.lastError.message}</p>}
              <ScheduleRuns schedule={s} />
              <button
                type="button"
                onClick={async () => {
                  try {
                    await postJson(`schedules/${enc(s.id)}/${s.status === 'Active' ? 'disable' : 'enable'}`);
                    await load();
                  } catch (e) {
                    setError((e as Error).message);
                  }
                }}
              >
                {s.status === 'Active' ? 'Disable' : 'Enable'} {s.name}
              </button>
            </article>
          );
        })}
      </div>
    </section>
  );
}
