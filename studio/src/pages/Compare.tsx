import { useEffect, useState } from 'preact/hooks';
import { enc, getJson } from '../api';
import { formatValue, shortId, StatusBadge } from '../format';
import { Link } from '../router';
import type { Run } from '../types';

/** One row of the comparison: a parameter or metric and its value in each run (undefined: the run has none). */
export interface CompareRow {
  section: 'Parameters' | 'Metrics';
  name: string;
  values: (string | undefined)[];
  differs: boolean;
}

/** The last value of each metric of a run: its run-level metrics, and each step's as `step/name`. */
function metricsOf(run: Run): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(run.metrics ?? {})) out.set(k, formatValue(v));
  for (const step of run.steps) {
    const last = new Map<string, unknown>();
    const rows = new Map<string, number>();
    for (const m of step.metrics) {
      if (m.kind === 'row') rows.set(m.name, (rows.get(m.name) ?? 0) + 1);
      else last.set(m.name, m.value);
    }
    for (const [k, v] of last) out.set(`${step.name}/${k}`, formatValue(v));
    for (const [k, n] of rows) out.set(`${step.name}/${k}`, `table, ${n} rows`);
  }
  return out;
}

/** The rows comparing `runs`: every parameter and metric any of them has, marked where the values differ. */
export function compareRows(runs: Run[]): CompareRow[] {
  const rows: CompareRow[] = [];
  const add = (section: CompareRow['section'], maps: Map<string, string>[]) => {
    const names = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
    for (const name of names) {
      const values = maps.map((m) => m.get(name));
      rows.push({ section, name, values, differs: new Set(values).size > 1 });
    }
  };
  add(
    'Parameters',
    runs.map((r) => new Map(Object.entries(r.parameters).map(([k, v]) => [k, formatValue(v)]))),
  );
  add('Metrics', runs.map(metricsOf));
  return rows;
}

/** Two or more runs side by side: their parameters and metrics, differences marked (and optionally alone). */
export function ComparePage(props: { ids: string[] }) {
  const [runs, setRuns] = useState<Run[]>();
  const [error, setError] = useState<string>();
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  const key = props.ids.join(',');
  useEffect(() => {
    setRuns(undefined);
    Promise.all(props.ids.map((id) => getJson<Run>(`runs/${enc(id)}`)))
      .then(setRuns)
      .catch((e: Error) => setError(e.message));
  }, [key]);
  if (props.ids.length < 2)
    return (
      <p role="alert">
        Pick two or more runs to compare on the <Link href="/">runs page</Link>.
      </p>
    );
  if (!runs) return <p role={error ? 'alert' : 'status'}>{error ?? 'Loading the runs…'}</p>;
  const rows = compareRows(runs).filter((r) => !onlyDiffs || r.differs);
  const differing = compareRows(runs).filter((r) => r.differs).length;
  return (
    <section aria-labelledby="compare-title">
      <p class="crumbs">
        <Link href="/">Runs</Link> › compare
      </p>
      <h1 id="compare-title">Compare {runs.length} runs</h1>
      <p>
        {differing} parameter(s) and metric(s) differ.{' '}
        <label class="check inline-block">
          <input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.currentTarget.checked)} />
          Show only the differences
        </label>
      </p>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Comparison, scrolls sideways on narrow screens">
        <table class="compare">
          <thead>
            <tr>
              <th scope="col">Name</th>
              {runs.map((r) => (
                <th scope="col" key={r.id}>
                  <Link href={`/runs/${enc(r.id)}`}>{shortId(r.id)}</Link> <StatusBadge status={r.status} />
                  <span class="muted small">
                    {r.pipelineName ?? ''} · {r.experiment}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          {(['Parameters', 'Metrics'] as const).map((section) => {
            const part = rows.filter((r) => r.section === section);
            return (
              <tbody key={section}>
                <tr>
                  <th scope="rowgroup" colSpan={runs.length + 1} class="group">
                    {section}
                  </th>
                </tr>
                {part.length === 0 && (
                  <tr>
                    <td colSpan={runs.length + 1} class="muted">
                      {onlyDiffs ? 'No differences.' : 'None.'}
                    </td>
                  </tr>
                )}
                {part.map((r) => (
                  <tr key={r.name} class={r.differs ? 'differs' : undefined} data-compare={r.name}>
                    <th scope="row">
                      {r.name}
                      {r.differs && <span class="diff-mark"> (differs)</span>}
                    </th>
                    {r.values.map((v, i) => (
                      <td key={runs[i].id}>{v ?? <span class="muted">—</span>}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
      </div>
    </section>
  );
}
