import { useEffect, useState } from 'preact/hooks';
import { ApiError, enc, getJson, poll, postJson } from '../api';
import { formatDuration, formatTime, formatValue, shortId, since, StatusBadge } from '../format';
import { Link, navigate } from '../router';
import type { PipelineSpec, PlanView, Run } from '../types';
import { RunGraph } from './Graph';
import { StepPanel } from './StepPanel';
import { Timeline } from './Timeline';

const ENDED = new Set(['Completed', 'Failed', 'Canceled']);

/** A run: its graph (live), the selected step's panel, parameters, tags, metrics; cancel and resubmit. */
export function RunPage(props: { runId: string; step?: string }) {
  const [run, setRun] = useState<Run>();
  const [spec, setSpec] = useState<PipelineSpec>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setRun(undefined);
    return poll<Run>(
      () => `runs/${enc(props.runId)}`,
      1000,
      (r) => {
        setRun(r);
        setError(undefined);
      },
      (err) => setError((err as Error).message),
    );
  }, [props.runId]);
  const pipelineId = run?.pipelineId;
  useEffect(() => {
    if (!pipelineId) return;
    getJson<{ spec: PipelineSpec }>(`pipelines/${enc(pipelineId)}`)
      .then((p) => setSpec(p.spec))
      .catch(() => setSpec(undefined)); // without the spec the graph still shows dependsOn edges, unlabelled
  }, [pipelineId]);
  const select = (step?: string) => navigate(`/runs/${enc(props.runId)}${step ? `?step=${enc(step)}` : ''}`);

  if (!run) return <p role={error ? 'alert' : 'status'}>{error ?? 'Loading the run…'}</p>;
  const selected = run.steps.find((s) => s.name === props.step);
  return (
    <section aria-labelledby="run-title" class="run">
      <p class="crumbs">
        <Link href="/">Runs</Link> › {run.experiment}
      </p>
      <h1 id="run-title">
        {run.pipelineName ?? 'Run'} <span class="muted mono">{shortId(run.id)}</span>{' '}
        <span data-run-status={run.status}>
          <StatusBadge status={run.status} />
        </span>
      </h1>
      {error && <p class="error">{error}</p>}
      <dl class="facts">
        <dt>Run id</dt>
        <dd class="mono">{run.id}</dd>
        <dt>Experiment</dt>
        <dd>
          <Link href={`/?experiment=${enc(run.experiment)}`}>{run.experiment}</Link>
        </dd>
        <dt>Trigger</dt>
        <dd>{run.triggeredBy ?? 'manual'}</dd>
        <dt>Created</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(since(run.startedAt, run.endedAt))}</dd>
      </dl>
      {run.error && (
        <p class="error" role="alert">
          <strong>{run.error.code}</strong>: {run.error.message}
        </p>
      )}
      {(run.warnings ?? []).map((w) => (
        <p class="warning" key={w.compute}>
          {w.message}
        </p>
      ))}
      <div class="actions">
        {!ENDED.has(run.status) && <CancelButton runId={run.id} disabled={run.cancelRequested} />}
      </div>
      <div class={`run-body${selected ? ' with-panel' : ''}`}>
        <div>
          <h2 class="sr-only">Pipeline graph</h2>
          <RunGraph steps={run.steps} spec={spec} selected={selected?.name} onSelect={(s) => select(s)} />
          <p class="hint">Select a step (click, or Tab then Enter) to see its log, metrics and outputs.</p>
        </div>
        {selected && <StepPanel runId={run.id} step={selected} onClose={() => select()} />}
      </div>
      <Timeline steps={run.steps} />
      <Inputs run={run} />
      <div class="grid2">
        <KeyValues title="Parameters" values={run.parameters} />
        <KeyValues title="Tags" values={run.tags ?? {}} />
        <KeyValues title="Metrics" values={run.metrics ?? {}} />
      </div>
      <Resubmit run={run} />
    </section>
  );
}

/**
 * The run's datastore inputs (data-path assignments) and, for a run a data-change schedule started, the blob
 * versions whose arrival started it (with the schedule that watched for them).
 */
function Inputs(props: { run: Run }) {
  const { run } = props;
  const paths = Object.entries(run.dataPaths ?? {});
  const blobs = run.triggerBlobs ?? [];
  if (paths.length === 0 && blobs.length === 0) return null;
  return (
    <section aria-labelledby="inputs-title" class="inputs">
      <h2 id="inputs-title">Inputs</h2>
      {paths.length > 0 && (
        <table class="kv" aria-label="Data-path inputs">
          <tbody>
            {paths.map(([name, p]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td class="mono">
                  {p.datastore}:{p.path}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {blobs.length > 0 && (
        <>
          <h3>
            Blobs that triggered this run
            {run.scheduleId && (
              <>
                {' '}
                <span class="muted">(schedule </span>
                <Link href={`/schedules#${enc(run.scheduleId)}`}>{shortId(run.scheduleId)}</Link>
                <span class="muted">)</span>
              </>
            )}
          </h3>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Triggering blobs">
            <table data-trigger-blobs>
              <thead>
                <tr>
                  <th scope="col">Datastore</th>
                  <th scope="col">Blob</th>
                  <th scope="col">Version (ETag)</th>
                </tr>
              </thead>
              <tbody>
                {blobs.map((b) => (
                  <tr key={`${b.path}@${b.etag}`}>
                    <td>{b.datastore}</td>
                    <td class="mono">{b.path}</td>
                    <td class="mono">{b.etag}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function KeyValues(props: { title: string; values: Record<string, unknown> }) {
  const entries = Object.entries(props.values);
  return (
    <section>
      <h2>{props.title}</h2>
      {entries.length === 0 ? (
        <p class="muted">None.</p>
      ) : (
        <table class="kv">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{formatValue(v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function CancelButton(props: { runId: string; disabled: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <>
      <button
        type="button"
        class="danger"
        disabled={busy || props.disabled}
        onClick={async () => {
          if (!confirm('Cancel this run? Steps that are running are stopped.')) return;
          setBusy(true);
          try {
            await postJson(`runs/${enc(props.runId)}/cancel`, { reason: 'Canceled in Sluice Studio' });
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        {props.disabled ? 'Cancel requested' : 'Cancel run'}
      </button>
      {error && <span class="error">{error}</span>}
    </>
  );
}

/** Resubmit with changed parameters: the plan (which steps would be reused, and why) first, then the submit. */
function Resubmit(props: { run: Run }) {
  const { run } = props;
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(run.parameters).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    ),
  );
  const [plan, setPlan] = useState<PlanView>();
  const [error, setError] = useState<string>();
  const body = () => ({
    pipelineId: run.pipelineId,
    snapshots: run.snapshots ?? {},
    parameters: Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, typeof run.parameters[k] === 'string' ? v : parseLoose(v)]),
    ),
  });
  const url = `experiments/${enc(run.experiment)}/runs`;
  return (
    <section aria-labelledby="resubmit-title" class="resubmit">
      <h2 id="resubmit-title">Resubmit</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            setPlan(await postJson<PlanView>(`${url}?dryRun=true`, body()));
          } catch (err) {
            setPlan(undefined);
            setError(err instanceof ApiError ? err.message : String(err));
          }
        }}
      >
        {Object.keys(values).length === 0 && <p class="muted">This pipeline has no parameters.</p>}
        {Object.entries(values).map(([k, v]) => (
          <label key={k}>
            {k}
            <input
              name={k}
              value={v}
              onInput={(e) => {
                setPlan(undefined);
                setValues({ ...values, [k]: e.currentTarget.value });
              }}
            />
          </label>
        ))}
        <button type="submit">Show the plan</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {plan && (
        <div class="plan" aria-live="polite">
          <p>
            {plan.summary.reused} step(s) would be reused, {plan.summary.run} would run.
          </p>
          <ul>
            {plan.steps.map((s) => (
              <li key={s.name}>
                <strong>{s.name}</strong>: {s.reuse ? 'reused' : 'runs'}
                {s.certain ? '' : ' (maybe)'} — {s.reasons.join('; ')}
              </li>
            ))}
          </ul>
          <button
            type="button"
            onClick={async () => {
              try {
                const res = await postJson<{ id: string }>(url, body());
                navigate(`/runs/${enc(res.id)}`);
              } catch (err) {
                setError((err as Error).message);
              }
            }}
          >
            Submit this run
          </button>
        </div>
      )}
    </section>
  );
}

function parseLoose(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
