import { useEffect, useRef, useState } from 'preact/hooks';
import { api, download, enc } from '../api';
import { formatDuration, formatTime, formatValue, shortId, StatusBadge } from '../format';
import { Link } from '../router';
import type { Metric, StepRun } from '../types';
import { MetricChart } from './Chart';

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
      <Reuse step={step} />
      <h3>Log</h3>
      <Log runId={runId} step={step} />
      <Metrics metrics={step.metrics} />
      <Outputs runId={runId} step={step} />
    </aside>
  );
}

function Reuse(props: { step: StepRun }) {
  const { step } = props;
  const reasons = step.reuseReasons?.reasons ?? [];
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

function Metrics(props: { metrics: Metric[] }) {
  if (props.metrics.length === 0) return null;
  const byName = new Map<string, Metric[]>();
  for (const m of props.metrics) byName.set(m.name, [...(byName.get(m.name) ?? []), m]);
  return (
    <section aria-label="Metrics">
      <h3>Metrics</h3>
      <table class="kv">
        <tbody>
          {[...byName].map(([name, ms]) => {
            const last = ms[ms.length - 1];
            return (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td>{last.kind === 'row' ? `${ms.length} rows` : formatValue(last.value)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {[...byName].map(([name, ms]) => {
        const series =
          ms[0].kind === 'list' && Array.isArray(ms[ms.length - 1].value)
            ? (ms[ms.length - 1].value as unknown[])
            : ms[0].kind === 'scalar' && ms.length > 1
              ? ms.map((m) => m.value)
              : [];
        const numbers = series.filter((v): v is number => typeof v === 'number');
        return numbers.length > 1 ? <MetricChart key={name} name={name} values={numbers} /> : null;
      })}
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
