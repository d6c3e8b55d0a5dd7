import { useEffect, useState } from 'preact/hooks';
import { download, enc, getJson } from '../api';
import { formatTime, shortId } from '../format';
import { Link } from '../router';
import type { Model, Page } from '../types';

/** Registered models, newest version first, with their files (downloads) and the run that registered them. */
export function ModelsPage() {
  const [list, setList] = useState<Model[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<Page<Model>>('models')
      .then((p) => setList(p.value))
      .catch((e: Error) => setError(e.message));
  }, []);
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Table, scrolls sideways on narrow screens">
        <table>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Version</th>
              <th scope="col">Framework</th>
              <th scope="col">Files</th>
              <th scope="col">Run</th>
              <th scope="col">Registered</th>
            </tr>
          </thead>
          <tbody>
            {(list ?? []).map((m) => (
              <tr key={m.id}>
                <td>{m.name}</td>
                <td>{m.version}</td>
                <td>{m.framework ?? '—'}</td>
                <td>
                  {m.files.map((f) => (
                    <button
                      type="button"
                      class="link"
                      key={f.name}
                      onClick={() =>
                        download(
                          `models/${enc(m.name)}/versions/${m.version}/files/download?path=${enc(f.name)}`,
                          f.name,
                        ).catch(() => undefined)
                      }
                    >
                      {f.name}
                    </button>
                  ))}
                </td>
                <td>{m.runId ? <Link href={`/runs/${enc(m.runId)}`}>{shortId(m.runId)}</Link> : '—'}</td>
                <td>{formatTime(m.createdAt)}</td>
              </tr>
            ))}
            {list && list.length === 0 && (
              <tr>
                <td colSpan={6}>No models registered yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
