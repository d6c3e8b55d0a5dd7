import { useEffect, useState } from 'preact/hooks';
import { ApiError, enc, getJson, postJson } from '../api';
import { formatTime, StatusBadge } from '../format';
import { Link, navigate } from '../router';
import type { Page, Published, PublishedParameter } from '../types';

/** Published pipelines: the list, or one with its endpoint, snippets, enable/disable and a submit form. */
export function PublishedPage(props: { id?: string }) {
  return props.id ? <PublishedOne id={decodeURIComponent(props.id)} /> : <PublishedList />;
}

function PublishedList() {
  const [list, setList] = useState<Published[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<Page<Published>>('published-pipelines')
      .then((p) => setList(p.value))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section aria-labelledby="pub-title">
      <h1 id="pub-title">Published pipelines</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Table, scrolls sideways on narrow screens">
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Pipeline</th>
              <th scope="col">Published</th>
            </tr>
          </thead>
          <tbody>
            {(list ?? []).map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/published/${enc(p.id)}`}>{p.name}</Link>
                </td>
                <td>{p.version ?? '—'}</td>
                <td>
                  <StatusBadge status={p.status} />
                </td>
                <td>{p.pipelineName}</td>
                <td>{formatTime(p.createdAt)}</td>
              </tr>
            ))}
            {list && list.length === 0 && (
              <tr>
                <td colSpan={5}>Nothing published yet: `npx sluice publish FILE --name NAME`.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function PublishedOne(props: { id: string }) {
  const [p, setP] = useState<Published>();
  const [error, setError] = useState<string>();
  const load = () =>
    getJson<Published>(`published-pipelines/${enc(props.id)}`)
      .then(setP)
      .catch((e: Error) => setError(e.message));
  useEffect(() => void load(), [props.id]);
  if (!p) return <p role={error ? 'alert' : 'status'}>{error ?? 'Loading…'}</p>;
  const example = Object.fromEntries(p.parameters.map((x) => [x.name, x.default ?? exampleOf(x)]));
  const payload = JSON.stringify({ ExperimentName: 'my-experiment', ParameterAssignments: example });
  const curl =
    `curl -X POST '${p.endpoint}' \\\n  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\\n` +
    `  -d '${payload}'`;
  const python =
    `import json, urllib.request\n\nrequest = urllib.request.Request(\n    "${p.endpoint}",\n` +
    `    data=json.dumps(${JSON.stringify(JSON.parse(payload))}).encode(),\n` +
    `    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},\n    method="POST",\n)\n` +
    `with urllib.request.urlopen(request) as response:\n    run_id = json.loads(response.read())["Id"]`;
  const active = p.status === 'Active';
  return (
    <section aria-labelledby="pub-one">
      <p class="crumbs">
        <Link href="/published">Published pipelines</Link> › {p.name}
      </p>
      <h1 id="pub-one">
        {p.name} {p.version && <span class="muted">v{p.version}</span>} <StatusBadge status={p.status} />
      </h1>
      {p.description && <p>{p.description}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="actions">
        <button
          type="button"
          onClick={async () => {
            try {
              await postJson(`published-pipelines/${enc(p.id)}/${active ? 'disable' : 'enable'}`);
              await load();
            } catch (e) {
              setError((e as Error).message);
            }
          }}
        >
          {active ? 'Disable' : 'Enable'}
        </button>
      </div>
      <h2>REST endpoint</h2>
      <p class="mono break">{p.endpoint}</p>
      <h3>curl</h3>
      <Snippet text={curl} label="curl command" />
      <h3>Python (standard library)</h3>
      <Snippet text={python} label="Python snippet" />
      <SubmitForm published={p} />
    </section>
  );
}

function exampleOf(x: PublishedParameter): unknown {
  return { int: 1, float: 0.1, bool: true, string: 'text', datapath: 'workspaceblobstore:path/' }[x.type];
}

function Snippet(props: { text: string; label: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="snippet">
      <pre tabIndex={0} aria-label={props.label}>
        {props.text}
      </pre>
      <button
        type="button"
        onClick={() =>
          navigator.clipboard?.writeText(props.text).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** A submit form generated from the parameters' types: numbers, a checkbox for bool, text for the rest. */
function SubmitForm(props: { published: Published }) {
  const p = props.published;
  const [experiment, setExperiment] = useState(p.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'studio');
  const [values, setValues] = useState<Record<string, unknown>>(() =>
    Object.fromEntries(p.parameters.map((x) => [x.name, x.default ?? (x.type === 'bool' ? false : '')])),
  );
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="submit-title">
      <h2 id="submit-title">Submit</h2>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const assignments: Record<string, unknown> = {};
            for (const x of p.parameters) {
              const v = values[x.name];
              if (v === '' || v === undefined) continue;
              assignments[x.name] = x.type === 'int' || x.type === 'float' ? Number(v) : v;
            }
            const res = await postJson<{ id: string }>(`published-pipelines/${enc(p.id)}/submit`, {
              ExperimentName: experiment,
              ParameterAssignments: assignments,
            });
            navigate(`/runs/${enc(res.id)}`);
          } catch (err) {
            setError(err instanceof ApiError ? err.message : String(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Experiment
          <input
            name="ExperimentName"
            value={experiment}
            required
            onInput={(e) => setExperiment(e.currentTarget.value)}
          />
        </label>
        {p.parameters.map((x) => (
          <label key={x.name} class={x.type === 'bool' ? 'check' : undefined}>
            {x.name}{' '}
            <span class="muted">
              ({x.type}
              {x.required ? ', required' : ''})
            </span>
            {x.type === 'bool' ? (
              <input
                type="checkbox"
                name={x.name}
                checked={values[x.name] === true}
                onChange={(e) => setValues({ ...values, [x.name]: e.currentTarget.checked })}
              />
            ) : (
              <input
                name={x.name}
                type={x.type === 'int' || x.type === 'float' ? 'number' : 'text'}
                step={x.type === 'int' ? '1' : x.type === 'float' ? 'any' : undefined}
                required={x.required}
                value={String(values[x.name] ?? '')}
                onInput={(e) => setValues({ ...values, [x.name]: e.currentTarget.value })}
              />
            )}
            {x.description && <span class="muted small">{x.description}</span>}
          </label>
        ))}
        <button type="submit" disabled={busy || p.status !== 'Active'}>
          Submit run
        </button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}
