// Counts the storage requests this process makes to one Azurite, by service and operation, through Node's
// `http.client.request.start` diagnostics channel (every Azure SDK client request goes through node:http). A bench
// reads a snapshot before and after what it measures; the difference, per step, is what that work costs in storage
// operations (a table batch is one request, as it is one round trip). Requests of other processes are not seen.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export type OpCounts = Map<string, number>;

export interface StorageOpCounter {
  /** A copy of the counts so far, keyed `<service> <operation> <resource>`. */
  snapshot(): OpCounts;
  stop(): void;
}

const CHANNEL = 'http.client.request.start';
export const trace: string[] = [];

export function countStorageOps(ports: { blobPort: number; queuePort: number; tablePort: number }): StorageOpCounter {
  const service = new Map<number, string>([
    [ports.blobPort, 'blob'],
    [ports.queuePort, 'queue'],
    [ports.tablePort, 'table'],
  ]);
  const counts: OpCounts = new Map();
  const onRequest = (message: unknown) => {
    const request = (message as { request: ClientRequest }).request;
    const port = Number(String(request.getHeader('host') ?? '').split(':')[1]);
    const kind = service.get(port);
    if (!kind) return;
    const key = describeRequest(kind, request.method, request.path);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (process.env.SLUICE_BENCH_TRACE) {
      const t0 = performance.now();
      request.once('response', () => trace.push(`${t0.toFixed(1)} +${(performance.now() - t0).toFixed(1)} ${key}`));
    }
  };
  subscribe(CHANNEL, onRequest);
  return {
    snapshot: () => new Map(counts),
    stop: () => unsubscribe(CHANNEL, onRequest),
  };
}

/** `<service> <operation> <resource>`, without keys or ids: `queue receive compute-cpu`, `table point-read StepRuns`. */
export function describeRequest(kind: string, method: string, path: string): string {
  return `${kind} ${describe(kind, method, path)}`;
}

/** The operation and what it touches, without keys or ids: `receive compute-cpu`, `point-read StepRuns`. */
function describe(kind: string, method: string, path: string): string {
  const [pathname, query = ''] = path.split('?');
  const parts = pathname.split('/').filter(Boolean).slice(1); // drop the account
  const first = decodeURIComponent(parts[0] ?? '');
  if (kind === 'queue') {
    const queue = first.replace(/-\d+$/, '-NN').replace(/^[a-z0-9]+-(control-NN|workitems)$/, 'hub-$1');
    if (parts[1] !== 'messages') return `${method.toLowerCase()} ${queue} (queue)`;
    if (method === 'POST') return `send ${queue}`;
    if (method === 'GET') return `receive ${queue}`;
    if (method === 'DELETE') return `delete ${queue}`;
    if (method === 'PUT') return `update ${queue}`;
    return `${method} ${queue}`;
  }
  if (kind === 'table') {
    if (first === '$batch') return 'batch';
    const table = first.replace(/\(.*$/, '');
    const point = /\(PartitionKey=.*RowKey=/.test(first);
    const op =
      method === 'GET'
        ? point
          ? 'point-read'
          : 'query'
        : method === 'PUT' || method === 'MERGE' || method === 'PATCH'
          ? 'write'
          : method === 'POST'
            ? 'insert'
            : method.toLowerCase();
    return `${op} ${table}`;
  }
  const op =
    method === 'PUT'
      ? query.includes('comp=block') || query.includes('comp=appendblock')
        ? 'append/block'
        : 'write'
      : method === 'GET'
        ? query.includes('comp=list')
          ? 'list'
          : 'read'
        : method === 'HEAD'
          ? 'properties'
          : method.toLowerCase();
  return `${op} ${first}`;
}

/** `after − before`, per key, dropping zeros. */
export function diffOps(before: OpCounts, after: OpCounts): OpCounts {
  const out: OpCounts = new Map();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d) out.set(k, d);
  }
  return out;
}

export function totalOps(counts: OpCounts): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/** Counts divided by `per`, largest first, one line each: `  2.00  table write StepRuns`. */
export function formatOps(counts: OpCounts, per: number): string[] {
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${(v / per).toFixed(2).padStart(7)}  ${k}`);
}
