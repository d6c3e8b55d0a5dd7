import { useEffect, useRef, useState } from 'preact/hooks';
import { api, download, enc } from '../api';
import { formatDuration, formatTime, formatValue, shortId, since, StatusBadge } from '../format';
import { Link } from '../router';
import type { Metric, StepRun } from '../types';
import { MetricChart } from './Chart';
import { imageFileOf, progressOf, progressView, tableChart, tableOf } from '../stepData';

const ENDED = new Set(['Completed', 'Failed', 'Canceled']);

/**
 * One step of a run: its log (streamed while the step runs: the API's `follow=true`), metrics with charts, outputs
 * and files with downloads, attempts and errors, and why it was reused or ran.
 */
export function StepPanel(props: { runId: string; step: StepRun; onClose: () => void }) {
  const { runId, step } = props;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [step.name]);
  return (
    <aside class="panel" aria-labelledby="step-title" data-panel-step={step.name}>
      <div class="panel-head">
        <h2 id="step-title" tabIndex={-1} ref={heading}>
          Step {step.name} <StatusBadge status={step.status} reused={step.reused} />
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close the step panel">
          Close
        </button>
      </div>
      <dl class="facts">
        <dt>Type</dt>
        <dd>{step.type ?? '—'}</dd>
        <dt>Compute</dt>
        <dd>{step.compute ?? '—'}</dd>
        <dt>Attempt</dt>
        <dd>{step.attempt || '—'}</dd>
        <dt>Started</dt>
        <dd>{formatTime(step.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(step.durationMs)}</dd>
        <dt>Exit code</dt>
        <dd>{step.exitCode ?? '—'}</dd>
      </dl>
      {step.error && (
        <p class="error" role="alert">
          <strong>{step.error.code}</strong>: {step.error.message}
        </p>
      )}
      <Progress step={step} />
      <Reuse step={step} />
      <Attempts runId={runId} step={step} />
      <h3>Log</h3>
      <Log runId={runId} step={step} />
      <Metrics runId={runId} step={step} />
      <Outputs runId={runId} step={step} />
      <Environment step={step} />
    </aside>
  );
}

function Reuse(props: { step: StepRun }) {
  const { step } = props;
  // The API leaves the recorded reasons' shape open (docs/api.md); Studio shows the `{reuse, reasons}` form.
  const reasons = (step.reuseReasons as { reasons?: string[] } | undefined)?.reasons ?? [];
  if (!step.reused && reasons.length === 0) return null;
  return (
    <section class="reuse" aria-label="Reuse">
      <h3>{step.reused ? 'Reused' : 'Why it ran'}</h3>
      {step.reused && step.reusedFrom && (
        <p>
          Reused without running from run{' '}
          <Link href={`/runs/${enc(step.reusedFrom.runId)}?step=${enc(step.reusedFrom.step)}`}>
            {shortId(step.reusedFrom.runId)}
          </Link>{' '}
          (step {step.reusedFrom.step}).
        </p>
      )}
      <ul class="reasons">
        {reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
    </section>
  );
}

/** The step's log: read once when the step has ended, else streamed with `follow=true` until it ends. */
function Log(props: { runId: string; step: StepRun }) {
  const [text, setText] = useState('');
  const [attempt, setAttempt] = useState(props.step.attempt);
  const ended = ENDED.has(props.step.status);
  const started = props.step.status !== 'NotStarted' && props.step.status !== 'Queued';
  useEffect(() => {
    setText('');
    if (!started && !props.step.reused) return;
    const abort = new AbortController();
    (async () => {
      const q = new URLSearchParams();
      if (attempt) q.set('attempt', String(attempt));
      if (!ended) q.set('follow', 'true');
      const res = await api(`runs/${enc(props.runId)}/steps/${enc(props.step.name)}/logs?${q}`, {
        signal: abort.signal,
      });
      const reader = res.body?.getReader();
      const decoder = new TextDecoder();
      if (!reader) return;
      let all = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        all += decoder.decode(value, { stream: true });
        setText(all);
      }
    })().catch((err: Error) => {
      if (err.name !== 'AbortError') setText((t) => `${t}\n[could not read the log: ${err.message}]`);
    });
    return () => abort.abort();
  }, [props.runId, props.step.name, attempt, ended, started]);
  const attempts = Array.from({ length: props.step.attempt }, (_, i) => i + 1);
  return (
    <>
      {attempts.length > 1 && (
        <label class="inline">
          Attempt{' '}
          <select value={attempt} onChange={(e) => setAttempt(Number(e.currentTarget.value))}>
            {attempts.map((a) => (
              <option key={a} value={a}>
                {a}
                {a < props.step.attempt ? ' (failed)' : ''}
              </option>
            ))}
          </select>
        </label>
      )}
      <pre class="log" tabIndex={0} aria-label={`Log of step ${props.step.name}`} aria-live="polite">
        {text || (started || props.step.reused ? '' : 'The step has not started.')}
      </pre>
    </>
  );
}

/** A step's metrics: the last value of each; lists and repeated scalars as charts; tables as tables and charts; images. */
function Metrics(props: { runId: string; step: StepRun }) {
  const { metrics } = props.step;
  if (metrics.length === 0) return null;
  const byName = new Map<string, Metric[]>();
  for (const m of metrics) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
  // A reused step shows the metrics of the step run it took them from, and so that run's files.
  const source = props.step.reused && props.step.reusedFrom ? props.step.reusedFrom : undefined;
  const filesBase = `runs/${enc(source?.runId ?? props.runId)}/steps/${enc(source?.step ?? props.step.name)}/files`;
  const entries = [...byName];
  const images = entries.flatMap(([name, ms]) =>
    ms.map((m, i) => ({ name, key: `${name}#${i}`, file: imageFileOf(m.value) })).filter((x) => x.file),
  );
  return (
    <section aria-label="Metrics">
      <h3>Metrics</h3>
      <table class="kv">
        <tbody>
          {entries.map(([name, ms]) => {
            const last = ms[ms.length - 1];
            const image = imageFileOf(last.value);
            return (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>
                  {last.kind === 'row'
                    ? `table, ${ms.length} rows`
                    : image
                      ? `image ${image}`
                      : formatValue(last.value)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {entries.map(([name, ms]) => {
        if (ms[0].kind === 'row') return <TableMetric key={name} name={name} rows={ms} />;
        const series =
          ms[0].kind === 'list' && Array.isArray(ms[ms.length - 1].value)
            ? (ms[ms.length - 1].value as unknown[])
            : ms[0].kind === 'scalar' && ms.length > 1
              ? ms.map((m) => m.value)
              : [];
        const numbers = series.filter((v): v is number => typeof v === 'number');
        return numbers.length > 1 ? <MetricChart key={name} name={name} values={numbers} /> : null;
      })}
      {images.map((img) => (
        <MetricImage key={img.key} name={img.name} path={`${filesBase}/download?path=${enc(img.file ?? '')}`} />
      ))}
    </section>
  );
}

/** A table metric (`log_row`, `log_table`): its rows, and a chart of its numeric columns. */
function TableMetric(props: { name: string; rows: Metric[] }) {
  const table = tableOf(props.rows);
  const chart = tableChart(table);
  return (
    <div class="table-metric" data-table-metric={props.name}>
      <h4>{props.name}</h4>
      {chart && <MetricChart name={props.name} x={chart.x} xLabel={chart.xLabel} series={chart.series} />}
      <div class="table-wrap small-table" tabIndex={0} role="region" aria-label={`Table ${props.name}`}>
        <table>
          <thead>
            <tr>
              {table.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.slice(0, 200).map((r, i) => (
              <tr key={i}>
                {table.columns.map((c) => (
                  <td key={c}>{r[c] === undefined ? '' : formatValue(r[c])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {table.rows.length > 200 && <p class="muted small">The first 200 of {table.rows.length} rows.</p>}
    </div>
  );
}

/** An image `run.log_image` logged: the step's file, fetched with the session's token (a plain src cannot send it). */
function MetricImage(props: { name: string; path: string }) {
  const [url, setUrl] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let gone = false;
    let made: string | undefined;
    api(props.path)
      .then((r) => r.blob())
      .then((b) => {
        if (gone) return;
        made = URL.createObjectURL(b);
        setUrl(made);
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      gone = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [props.path]);
  return (
    <figure class="metric-image" data-image-metric={props.name}>
      {url ? (
        <img src={url} alt={`Image ${props.name} logged by the step`} />
      ) : (
        <p class="muted">{error ?? 'Loading…'}</p>
      )}
      <figcaption>{props.name}</figcaption>
    </figure>
  );
}

/** The environment a python step declared: name, version, Python, pip and conda packages. */
function Environment(props: { step: StepRun }) {
  const env = props.step.environment;
  if (!env) return null;
  return (
    <section aria-label="Environment" data-environment={env.name}>
      <h3>Environment</h3>
      <dl class="facts">
        <dt>Name</dt>
        <dd>
          {env.name}
          {env.version ? ` (version ${env.version})` : ''}
        </dd>
        <dt>Python</dt>
        <dd>{env.python ?? "the worker's"}</dd>
        <dt>pip</dt>
        <dd class="mono">{env.pip.length ? env.pip.join(', ') : 'none'}</dd>
        <dt>conda</dt>
        <dd class="mono">{env.conda.length ? env.conda.join(', ') : 'none'}</dd>
      </dl>
    </section>
  );
}

/**
 * Every attempt of the step with how it ended: the earlier ones from the step's attempt history (times, error,
 * worker, exit code) with the last lines of their own log, then the current one. An attempt older than the history
 * (it keeps the last 20) shows only its log.
 */
function Attempts(props: { runId: string; step: StepRun }) {
  const { step } = props;
  if (step.attempt < 2) return null;
  const history = new Map((step.attempts ?? []).map((a) => [a.attempt, a]));
  const attempts = Array.from({ length: step.attempt }, (_, i) => i + 1);
  return (
    <section aria-label="Attempts">
      <h3>Attempts</h3>
      <ol class="attempts">
        {attempts.map((n) => {
          const current = n === step.attempt;
          const a = current ? step : history.get(n);
          const status = current ? step.status : (a?.status ?? 'Failed');
          const error = a?.error && status !== 'Completed' ? a.error : undefined;
          // Until a retry starts, the step's start is the previous attempt's.
          const started = current && step.queuedAt && (step.startedAt ?? '') < step.queuedAt ? undefined : a?.startedAt;
          return (
            <li key={n} data-attempt={n}>
              Attempt {n}: <StatusBadge status={status} />
              {a && started && (
                <span class="muted small">
                  {' '}
                  {formatTime(started)}
                  {a.endedAt && Date.parse(a.endedAt) >= Date.parse(started)
                    ? `, ran ${formatDuration(since(started, a.endedAt))}`
                    : ''}
                  {!current && a.exitCode !== undefined && a.exitCode !== null ? `, exit code ${a.exitCode}` : ''}
                  {!current && 'workerId' in a && a.workerId ? `, on ${a.workerId}` : ''}
                </span>
              )}
              {error && (
                <span class="error-text" data-attempt-error>
                  {' '}
                  {error.code}: {error.message}
                </span>
              )}
              {!current && <LogTail runId={props.runId} step={step.name} attempt={n} />}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function LogTail(props: { runId: string; step: string; attempt: number }) {
  const [tail, setTail] = useState<string>();
  useEffect(() => {
    api(`runs/${enc(props.runId)}/steps/${enc(props.step)}/logs?attempt=${props.attempt}`)
      .then((r) => r.text())
      .then((t) => setTail(t.trimEnd().split('\n').slice(-4).join('\n')))
      .catch((e: Error) => setTail(`[could not read its log: ${e.message}]`));
  }, [props.runId, props.step, props.attempt]);
  if (tail === undefined) return null;
  return (
    <pre class="log-tail" aria-label={`End of attempt ${props.attempt}'s log`}>
      {tail || '(empty log)'}
    </pre>
  );
}

/** A step that reports progress (a parallel step's mini-batches): a bar of done and failed, and the figures. */
function Progress(props: { step: StepRun }) {
  const p = progressOf(props.step);
  if (!p) return null;
  const view = progressView(p);
  return (
    <section aria-label="Progress" class="progress" data-progress>
      <h3>Progress</h3>
      {view.donePct !== undefined && (
        <div
          class="progress-bar"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round((view.donePct ?? 0) + (view.failedPct ?? 0))}
          aria-valuetext={view.text}
          aria-label={`Progress of step ${props.step.name}`}
        >
          <span class="progress-done" style={{ width: `${view.donePct}%` }} />
          <span class="progress-failed" style={{ width: `${view.failedPct ?? 0}%` }} />
        </div>
      )}
      <p>
        {view.text}
        {p.updatedAt && <span class="muted"> (as of {formatTime(p.updatedAt)})</span>}
      </p>
    </section>
  );
}

function Outputs(props: { runId: string; step: StepRun }) {
  const [files, setFiles] = useState<{ name: string; size: number }[]>();
  const base = `runs/${enc(props.runId)}/steps/${enc(props.step.name)}`;
  useEffect(() => {
    if (!ENDED.has(props.step.status)) return;
    api(`${base}/files`)
      .then((r) => r.json())
      .then((b: { value: { name: string; size: number }[] }) => setFiles(b.value))
      .catch(() => setFiles([]));
  }, [base, props.step.status]);
  const outputs = props.step.outputs ?? [];
  if (outputs.length === 0 && !files?.length) return null;
  return (
    <section aria-label="Outputs">
      <h3>Outputs</h3>
      <ul class="files">
        {outputs.flatMap((o) =>
          (o.files ?? []).map((f) => (
            <li key={`${o.name}/${f.name}`}>
              <button
                type="button"
                class="link"
                onClick={() =>
                  download(`${base}/outputs/${enc(o.name)}/download?path=${enc(f.name)}`, f.name).catch(() => undefined)
                }
              >
                {o.name}/{f.name}
              </button>
              {f.size !== undefined && <span class="muted"> {f.size} bytes</span>}
            </li>
          )),
        )}
        {(files ?? []).map((f) => (
          <li key={`file/${f.name}`}>
            <button
              type="button"
              class="link"
              onClick={() => download(`${base}/files/download?path=${enc(f.name)}`, f.name).catch(() => undefined)}
            >
              {f.name}
            </button>
            <span class="muted"> {f.size} bytes</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
