import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api';
import type { Page } from './types';

/** The items of a list route (its first page's `value`), or the message it failed with. */
export function useList<T>(path: string): { list?: T[]; error?: string } {
  const [list, setList] = useState<T[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<Page<T>>(path)
      .then((p) => setList(p.value))
      .catch((e: Error) => setError(e.message));
  }, [path]);
  return { list, error };
}

/** A list page: its title, the error if loading failed, and a table of `columns` with a row per item. */
export function ListTable<T>(props: {
  id: string;
  title: string;
  columns: string[];
  list?: T[];
  error?: string;
  /** One `<tr>` (with its key) per item. */
  row: (item: T) => ComponentChildren;
  /** What the table says when the list is empty. */
  empty: ComponentChildren;
}) {
  const { list, error } = props;
  return (
    <section aria-labelledby={props.id}>
      <h1 id={props.id}>{props.title}</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Table, scrolls sideways on narrow screens">
        <table>
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th scope="col" key={c}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(list ?? []).map(props.row)}
            {list && list.length === 0 && (
              <tr>
                <td colSpan={props.columns.length}>{props.empty}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
