import { download, enc } from '../api';
import { formatTime, shortId } from '../format';
import { Link } from '../router';
import { ListTable, useList } from '../listTable';
import type { Model } from '../types';

/** Registered models, newest version first, with their files (downloads) and the run that registered them. */
export function ModelsPage() {
  const { list, error } = useList<Model>('models');
  return (
    <ListTable
      id="models-title"
      title="Models"
      columns={['Model', 'Version', 'Framework', 'Files', 'Run', 'Registered']}
      list={list}
      error={error}
      empty="No models registered yet."
      row={(m) => (
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
      )}
    />
  );
}
