export function formatTime(iso?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatDuration(ms?: number): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function since(start?: string, end?: string): number | undefined {
  if (!start) return undefined;
  return Math.max(0, (end ? Date.parse(end) : Date.now()) - Date.parse(start));
}

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 8) : id;
}

export function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '');
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export const STATUS_CLASS: Record<string, string> = {
  NotStarted: 'st-idle',
  Queued: 'st-queued',
  Running: 'st-running',
  Canceling: 'st-cancel',
  CancelRequested: 'st-cancel',
  Completed: 'st-ok',
  Failed: 'st-failed',
  Canceled: 'st-cancel',
};

export function StatusBadge(props: { status: string; reused?: boolean }) {
  return (
    <span class={`badge ${STATUS_CLASS[props.status] ?? 'st-idle'}`}>
      {props.status}
      {props.reused ? ' · reused' : ''}
    </span>
  );
}
