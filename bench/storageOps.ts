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

/** A request as the trace holds it: when it went out and when its answer began (ms, `performance.now()`). */
export interface TracedRequest {
  start: number;
  end: number;
  key: string;
}
/** Every request since the bench last emptied it, when the counter records them (or `SLUICE_BENCH_TRACE` is set). */
export const trace: TracedRequest[] = [];

export function countStorageOps(
  ports: { blobPort: number; queuePort: number; tablePort: number },
  options: { record?: boolean } = {},
): StorageOpCounter {
  const record = options.record || !!process.env.SLUICE_BENCH_TRACE;
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
    if (record) {
      const start = performance.now();
      request.once('response', () => trace.push({ start, end: performance.now(), key }));
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

/** The trace as text, a request a line in the order they went out: `1234.5 +1.2 table write StepRuns`. */
export function formatTrace(requests: TracedRequest[]): string {
  return [...requests]
    .sort((a, b) => a.start - b.start)
    .map((r) => `${r.start.toFixed(1)} +${(r.end - r.start).toFixed(1)} ${r.key}`)
    .join('\n');
}

/**
 * Kinds of request that never hold up a step's hand-off: deletes, receives and visibility updates of messages
 * already handled or handed over, reuse records, the run index, the Durable engine's own queues and tables, the host's
 * lease blobs and listings. Anything else counts as possibly on the path, so a new request on it is never missed.
 */
const OFF_PATH = [
  /^queue (delete|receive|update) /,
  /^queue \w+ hub-/,
  /^table \S+ (ReuseCache|RunIndex)$/,
  /^table \S+ \w*Instances$/,
  /^table \S+ \w*History$/,
  /^blob \S+ azure-webjobs-/,
  /^blob list /,
];

/**
 * Storage requests in a row on the critical path of each step of a chain: between one job's send (`dispatch`, e.g.
 * `queue send compute-cpu`) and the next one's, walking back from the later send to the request that answered last
 * before it went out, and from that one likewise, until the earlier send — the requests each hand-off waited for,
 * one after the other (requests that overlapped count once, as one round trip). What cannot stand on the path
 * (OFF_PATH) is left out of the walk. One number per pair of consecutive sends.
 */
export function requestsInARow(requests: TracedRequest[], dispatch: string): number[] {
  const onPath = requests.filter((r) => !OFF_PATH.some((p) => p.test(r.key)));
  const sends = onPath.filter((r) => r.key === dispatch).sort((a, b) => a.start - b.start);
  const counts: number[] = [];
  for (let i = 1; i < sends.length; i++) {
    const from = sends[i - 1];
    let at = sends[i];
    // What went out from the earlier send on and answered before the later one: the walk's only candidates.
    const between = onPath.filter((r) => r.start >= from.start && r.end <= at.start);
    let n = 0;
    while (at !== from) {
      let before: TracedRequest | undefined;
      for (const r of between) if (r.end <= at.start && r !== at && (!before || r.end > before.end)) before = r;
      if (!before) break;
      n++;
      at = before;
    }
    if (at === from) counts.push(n);
  }
  return counts;
}
