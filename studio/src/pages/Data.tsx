import { useEffect, useState } from 'preact/hooks';
import { download, enc, getJson, poll } from '../api';
import { formatTime } from '../format';
import { ListTable, useList } from '../listTable';
import { Link } from '../router';
import type { ComputeTarget, Dataset, Datastore, Page } from '../types';

/** Registered datasets, every version (newest first), with the datastore paths each reads. */
export function DatasetsPage() {
  const { list, error } = useList<Dataset>('datasets?all=true');
  const sorted =
    list && [...list].sort((a, b) => (a.name === b.name ? b.version - a.version : a.name < b.name ? -1 : 1));
  return (
    <ListTable
      id="datasets-title"
      title="Datasets"
      columns={['Dataset', 'Version', 'Kind', 'Paths', 'Description', 'Registered']}
      list={sorted}
      error={error}
      empty="No datasets registered yet: `Dataset.Tabular.from_delimited_files(...).register(ws, name)`."
      row={(d) => (
        <tr key={d.id} data-dataset={`${d.name}:${d.version}`}>
          <td>{d.name}</td>
          <td>{d.version}</td>
          <td>{d.kind}</td>
          <td class="mono break">
            {d.paths.map((p) => (
              <span key={`${p.datastore}:${p.path}`} class="path">
                <Link href={`/datastores/${enc(p.datastore)}?prefix=${enc(folderOf(p.path))}`}>
                  {p.datastore}:{p.path}
                </Link>
              </span>
            ))}
          </td>
          <td>{d.description ?? '—'}</td>
          <td>{formatTime(d.createdAt)}</td>
        </tr>
      )}
    />
  );
}

/** The folder part of a dataset path (`data/*.csv` → `data/`), to browse it in its datastore. */
function folderOf(path: string): string {
  const wild = path.search(/[*?[]/);
  const head = wild < 0 ? path : path.slice(0, wild);
  return head.endsWith('/') || wild < 0 ? head : head.slice(0, head.lastIndexOf('/') + 1);
}

/** Datastores, or one datastore's blobs under a prefix (each downloadable). */
export function DatastoresPage(props: { name?: string; prefix: string }) {
  return props.name ? <DatastoreBlobs name={props.name} prefix={props.prefix} /> : <DatastoreList />;
}

function DatastoreList() {
  const { list, error } = useList<Datastore>('datastores');
  return (
    <ListTable
      id="datastores-title"
      title="Datastores"
      columns={['Datastore', 'Container', 'Account', 'Default', 'Description']}
      list={list}
      error={error}
      empty="No datastores."
      row={(d) => (
        <tr key={d.name} data-datastore={d.name}>
          <td>
            <Link href={`/datastores/${enc(d.name)}`}>{d.name}</Link>
          </td>
          <td class="mono">{d.container}</td>
          <td>{d.accountName}</td>
          <td>{d.isDefault ? 'default' : ''}</td>
          <td>{d.description ?? '—'}</td>
        </tr>
      )}
    />
  );
}

interface Blob {
  path: string;
  size: number;
  etag?: string;
}

function DatastoreBlobs(props: { name: string; prefix: string }) {
  const [blobs, setBlobs] = useState<Blob[]>();
  const [error, setError] = useState<string>();
  const [prefix, setPrefix] = useState(props.prefix);
  const [shown, setShown] = useState(props.prefix);
  useEffect(() => {
    setBlobs(undefined);
    getJson<{ value: Blob[] }>(`datastores/${enc(props.name)}/blobs${shown ? `?prefix=${enc(shown)}` : ''}`)
      .then((b) => setBlobs(b.value))
      .catch((e: Error) => setError(e.message));
  }, [props.name, shown]);
  return (
    <section aria-labelledby="blobs-title">
      <p class="crumbs">
        <Link href="/datastores">Datastores</Link> › {props.name}
      </p>
      <h1 id="blobs-title">Datastore {props.name}</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          setShown(prefix.trim());
        }}
      >
        <label>
          Folder or name prefix
          <input name="prefix" value={prefix} placeholder="all" onInput={(e) => setPrefix(e.currentTarget.value)} />
        </label>
        <button type="submit">List</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Blobs">
        <table>
          <thead>
            <tr>
              <th scope="col">Blob</th>
              <th scope="col">Size</th>
              <th scope="col">ETag</th>
            </tr>
          </thead>
          <tbody>
            {(blobs ?? []).slice(0, 500).map((b) => (
              <tr key={b.path} data-blob={b.path}>
                <td>
                  <button
                    type="button"
                    class="link"
                    onClick={() =>
                      download(`datastores/${enc(props.name)}/blobs/download?path=${enc(b.path)}`, b.path).catch(
                        (e: Error) => setError(e.message),
                      )
                    }
                  >
                    {b.path}
                  </button>
                </td>
                <td>{b.size} bytes</td>
                <td class="mono">{b.etag ?? '—'}</td>
              </tr>
            ))}
            {blobs && blobs.length === 0 && (
              <tr>
                <td colSpan={3}>No blobs {shown ? `under ${shown}` : 'in this datastore'}.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {blobs && blobs.length > 500 && <p class="muted">The first 500 of {blobs.length} blobs; narrow the prefix.</p>}
    </section>
  );
}

/** Compute targets with their queue depth and whether a worker polled lately; refreshed every 5 seconds. */
export function ComputePage() {
  const [list, setList] = useState<ComputeTarget[]>();
  const [error, setError] = useState<string>();
  useEffect(
    () =>
      poll<Page<ComputeTarget>>(
        () => 'compute-targets',
        5000,
        (p) => {
          setList(p.value);
          setError(undefined);
        },
        (e) => setError((e as Error).message),
      ),
    [],
  );
  return (
    <ListTable
      id="compute-title"
      title="Compute targets"
      columns={['Compute target', 'Queue depth', 'Workers', 'VM size', 'Nodes', 'Source']}
      list={list}
      error={error}
      empty="No compute targets."
      row={(c) => (
        <tr key={c.name} data-compute={c.name}>
          <td>
            {c.name}
            {c.isDefault ? <span class="muted"> (default)</span> : null}
          </td>
          <td data-queue-depth>{c.queueDepth}</td>
          <td data-worker={c.workerActive ? 'active' : 'none'}>
            {c.workerActive
              ? `active (last poll ${formatTime(c.workerLastSeenAt)})`
              : c.workerLastSeenAt
                ? `none lately (last poll ${formatTime(c.workerLastSeenAt)})`
                : 'none seen'}
          </td>
          <td>{c.vmSize}</td>
          <td>
            {c.minNodes}–{c.maxNodes ?? '∞'}
          </td>
          <td>{c.source}</td>
        </tr>
      )}
    />
  );
}
