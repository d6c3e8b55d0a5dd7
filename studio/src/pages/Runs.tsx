import { useEffect, useState } from 'preact/hooks';
import { enc, poll } from '../api';
import { formatDuration, formatTime, shortId, since, StatusBadge } from '../format';
import { Link, navigate } from '../router';
import type { Page, RunSummary } from '../types';

const STATUSES = ['NotStarted', 'Running', 'Completed', 'Failed', 'CancelRequested', 'Canceled'];
const TRIGGERS = ['manual', 'endpoint', 'schedule', 'dataChange'];

/**
 * Runs, newest first, filtered by experiment, status and trigger on the server; pages follow the API's continuation
 * tokens. The page on screen refreshes every 2 s (ETag'd, so an unchanged list costs a 304).
 */
export function RunsPage(props: { query: URLSearchParams }) {
  const experiment = props.query.get('experiment') ?? '';
  const status = props.query.get('status') ?? '';
  const trigger = props.query.get('trigger') ?? '';
  const [tokens, setTokens] = useState<(string | undefined)[]>([]); // the tokens of the pages before this one
  const [token, setToken] = useState<string | undefined>();
  const [page, setPage] = useState<Page<RunSummary>>();
  const [error, setError] = useState<string>();
  const [exp, setExp] = useState(experiment);
  // Runs picked for comparison; kept across pages and filters so runs from different pages can be compared.
  const [picked, setPicked] = useState<string[]>([]);

  useEffect(() => {
    setTokens([]);
    setToken(undefined);
    setPage(undefined);
  }, [experiment, status, trigger]);

  useEffect(() => {
    const q = new URLSearchParams({ top: '25' });
    if (experiment) q.set('experiment', experiment);
    if (status) q.set('status', status);
    if (trigger) q.set('trigger', trigger);
    if (token) q.set('continuationToken', token);
    return poll<Page<RunSummary>>(
      () => `runs?${q}`,
      2000,
      (p) => {
        setPage(p);
        setError(undefined);
      },
      (err) => setError((err as Error).message),
    );
  }, [experiment, status, trigger, token]);

  const setFilter = (key: string, value: string) => {
    const q = new URLSearchParams(props.query);
    if (value) q.set(key, value);
    else q.delete(key);
    const s = q.toString();
    navigate(s ? `/?${s}` : '/');
  };

  const rows = page?.value ?? [];
  return (
    <section aria-labelledby="runs-title">
      <h1 id="runs-title">Runs</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter('experiment', exp.trim());
        }}
      >
        <label>
          Experiment
          <input value={exp} onInput={(e) => setExp(e.currentTarget.value)} placeholder="all" name="experiment" />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setFilter('status', e.currentTarget.value)} name="status">
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Trigger
          <select value={trigger} onChange={(e) => setFilter('trigger', e.currentTarget.value)} name="trigger">
            <option value="">all</option>
            {TRIGGERS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="actions compare-bar">
        <button
          type="button"
          disabled={picked.length < 2}
          onClick={() => navigate(`/compare?runs=${picked.map(enc).join(',')}`)}
        >
          Compare {picked.length} selected runs
        </button>
        {picked.length > 0 && (
          <button type="button" onClick={() => setPicked([])}>
            Clear selection
          </button>
        )}
        <span class="muted small">Tick two or more runs to compare their parameters and metrics.</span>
      </div>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Table, scrolls sideways on narrow screens">
        <table class="runs">
          <caption class="sr-only">Runs, newest first; refreshed every 2 seconds</caption>
          <thead>
            <tr>
              <th scope="col">
                <span class="sr-only">Compare</span>
              </th>
              <th scope="col">Run</th>
              <th scope="col">Status</th>
              <th scope="col">Experiment</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Trigger</th>
              <th scope="col">Created</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody aria-live="polite">
            {rows.map((r) => (
              <tr key={r.id} data-run={r.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Compare run ${shortId(r.id)}`}
                    checked={picked.includes(r.id)}
                    onChange={(e) =>
                      setPicked(e.currentTarget.checked ? [...picked, r.id] : picked.filter((x) => x !== r.id))
                    }
                  />
                </td>
                <td>
                  <Link href={`/runs/${enc(r.id)}`}>{shortId(r.id)}</Link>
                </td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>{r.experiment}</td>
                <td>{r.pipelineName ?? '—'}</td>
                <td>{r.triggeredBy}</td>
                <td>{formatTime(r.createdAt)}</td>
                <td>{formatDuration(since(r.startedAt, r.endedAt))}</td>
              </tr>
            ))}
            {page && rows.length === 0 && (
              <tr>
                <td colSpan={8}>No runs match. Start one with `npx sluice run samples/diabetes/pipeline.yaml`.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages of runs">
        <button
          type="button"
          disabled={tokens.length === 0}
          onClick={() => {
            setToken(tokens[tokens.length - 1]);
            setTokens(tokens.slice(0, -1));
          }}
        >
          Newer
        </button>
        <button
          type="button"
          disabled={!page?.continuationToken}
          onClick={() => {
            setTokens([...tokens, token]);
            setToken(page?.continuationToken);
          }}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
