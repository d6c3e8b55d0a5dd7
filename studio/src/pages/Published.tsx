import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, enc, getJson, postJson } from '../api';
import { formatTime, StatusBadge } from '../format';
import { Link, navigate } from '../router';
import { ListTable, useList } from '../listTable';
import type { PipelineEndpoint, Published, PublishedParameter } from '../types';

/** Published pipelines: the list, or one with its endpoint, snippets, enable/disable and a submit form. */
export function PublishedPage(props: { id?: string; endpoint?: string }) {
  if (props.endpoint) return <EndpointOne name={decodeURIComponent(props.endpoint)} />;
  return props.id ? <PublishedOne id={decodeURIComponent(props.id)} /> : <PublishedList />;
}

function PublishedList() {
  const { list, error } = useList<Published>('published-pipelines');
  return (
    <>
      <ListTable
        id="pub-title"
        title="Published pipelines"
        columns={['Name', 'Version', 'Status', 'Pipeline', 'Published']}
        list={list}
        error={error}
        empty="Nothing published yet: `npx sluice publish FILE --name NAME`."
        row={(p) => (
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
        )}
      />
      <EndpointList published={list ?? []} />
    </>
  );
}

/** Pipeline endpoints: a stable URL whose default version (a published pipeline) runs. */
function EndpointList(props: { published: Published[] }) {
  const { list, error } = useList<PipelineEndpoint>('pipeline-endpoints');
  const byId = new Map(props.published.map((p) => [p.id, p]));
  return (
    <section aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Pipeline endpoints</h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Pipeline endpoints">
        <table>
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Default version</th>
              <th scope="col">Versions</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {(list ?? []).map((e) => {
              const def = e.versions.find((v) => v.isDefault);
              const p = def && byId.get(def.publishedPipelineId);
              return (
                <tr key={e.name} data-endpoint={e.name}>
                  <td>
                    <Link href={`/published/endpoints/${enc(e.name)}`}>{e.name}</Link>
                  </td>
                  <td>
                    {e.defaultVersion}
                    {p ? ` (${p.name}${p.version ? ` v${p.version}` : ''})` : ''}
                  </td>
                  <td>{e.versions.length}</td>
                  <td>{formatTime(e.updatedAt)}</td>
                </tr>
              );
            })}
            {list && list.length === 0 && (
              <tr>
                <td colSpan={4}>No pipeline endpoints yet: `npx sluice endpoint set NAME --pipeline ID`.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The curl and Python snippets that POST a submit to `url` with example values of `parameters`. */
export function snippetsFor(url: string, parameters: PublishedParameter[]): { curl: string; python: string } {
  const example = Object.fromEntries(parameters.map((x) => [x.name, x.default ?? exampleOf(x)]));
  const payload = JSON.stringify({ ExperimentName: 'my-experiment', ParameterAssignments: example });
  const curl =
    `curl -X POST '${url}' \\\n  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\\n` +
    `  -d '${payload}'`;
  const python =
    `import json, urllib.request\n\nrequest = urllib.request.Request(\n    "${url}",\n` +
    `    data=json.dumps(${JSON.stringify(JSON.parse(payload))}).encode(),\n` +
    `    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"},\n    method="POST",\n)\n` +
    `with urllib.request.urlopen(request) as response:\n    run_id = json.loads(response.read())["Id"]`;
  return { curl, python };
}

/** One pipeline endpoint: its REST URL with snippets, its versions (make one the default), a submit form. */
function EndpointOne(props: { name: string }) {
  const [e, setE] = useState<PipelineEndpoint>();
  const [published, setPublished] = useState<Map<string, Published>>(new Map());
  const [error, setError] = useState<string>();
  const load = async () => {
    try {
      const endpoint = await getJson<PipelineEndpoint>(`pipeline-endpoints/${enc(props.name)}`);
      const ps = await Promise.all(
        endpoint.versions.map((v) =>
          getJson<Published>(`published-pipelines/${enc(v.publishedPipelineId)}`).catch(() => undefined),
        ),
      );
      setPublished(new Map(ps.filter((p): p is Published => !!p).map((p) => [p.id, p])));
      setE(endpoint);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => void load(), [props.name]);
  if (!e) return <p role={error ? 'alert' : 'status'}>{error ?? 'Loading…'}</p>;
  const def = e.versions.find((v) => v.isDefault);
  const defPublished = def && published.get(def.publishedPipelineId);
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const { curl, python } = snippetsFor(e.endpoint, defPublished?.parameters ?? []);
  return (
    <section aria-labelledby="endpoint-one">
      <p class="crumbs">
        <Link href="/published">Published pipelines</Link> › endpoint {e.name}
      </p>
      <h1 id="endpoint-one">
        Pipeline endpoint {e.name} <span class="muted">default version {e.defaultVersion}</span>
      </h1>
      {e.description && <p>{e.description}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <h2>Versions</h2>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Versions of the endpoint">
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Published pipeline</th>
              <th scope="col">Status</th>
              <th scope="col">Added</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {e.versions.map((v) => {
              const p = published.get(v.publishedPipelineId);
              const active = p?.status === 'Active';
              return (
                <tr key={v.version} data-version={v.version}>
                  <td>
                    {v.version}
                    {v.isDefault && <strong> (default)</strong>}
                  </td>
                  <td>
                    <Link href={`/published/${enc(v.publishedPipelineId)}`}>
                      {p ? `${p.name}${p.version ? ` v${p.version}` : ''}` : v.publishedPipelineId.slice(0, 8)}
                    </Link>
                  </td>
                  <td>{p && <StatusBadge status={p.status} />}</td>
                  <td>{formatTime(v.addedAt)}</td>
                  <td class="row-actions">
                    {!v.isDefault && (
                      <button
                        type="button"
                        onClick={() =>
                          act(() =>
                            api(`pipeline-endpoints/${enc(e.name)}`, {
                              method: 'PUT',
                              headers: { 'content-type': 'application/json' },
                              body: JSON.stringify({ defaultVersion: v.version }),
                            }),
                          )
                        }
                      >
                        Make version {v.version} the default
                      </button>
                    )}
                    {p && (
                      <button
                        type="button"
                        onClick={() =>
                          act(() => postJson(`published-pipelines/${enc(p.id)}/${active ? 'disable' : 'enable'}`))
                        }
                      >
                        {active ? 'Disable' : 'Enable'} version {v.version}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>REST endpoint</h2>
      <p class="mono break">{e.endpoint}</p>
      <p class="muted">
        Runs the default version; add <code>?version=N</code> for another.
      </p>
      <h3>curl</h3>
      <Snippet text={curl} label="curl command" />
      <h3>Python (standard library)</h3>
      <Snippet text={python} label="Python snippet" />
      {defPublished && (
        <SubmitForm
          published={defPublished}
          path={`pipeline-endpoints/${enc(e.name)}/submit`}
          title={`Submit (default version ${e.defaultVersion})`}
        />
      )}
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
  const { curl, python } = snippetsFor(p.endpoint, p.parameters);
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
      <SubmitForm published={p} path={`published-pipelines/${enc(p.id)}/submit`} title="Submit" />
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
function SubmitForm(props: { published: Published; path: string; title: string }) {
  const p = props.published;
  const [experiment, setExperiment] = useState(p.name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64) || 'studio');
  const [values, setValues] = useState<Record<string, unknown>>(() =>
    Object.fromEntries(p.parameters.map((x) => [x.name, x.default ?? (x.type === 'bool' ? false : '')])),
  );
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <section aria-labelledby="submit-title">
      <h2 id="submit-title">{props.title}</h2>
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
            const res = await postJson<{ id: string }>(props.path, {
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
