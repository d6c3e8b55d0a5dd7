import { randomUUID } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { MiniBatch } from './miniBatches';

/** How a mini-batch ended: its rows (append_row), or its failure after its last try. */
export interface BatchResult {
  index: number;
  ok: boolean;
  rows?: string[];
  /** Items that failed (all of a failed mini-batch's). */
  failedItems: number;
  tries: number;
  error?: string;
}

/**
 * The durable record of a parallel step's attempt (docs/parallel-run.md): the mini-batches, listed once, and the
 * results, appended in chunks. A mini-batch is done exactly when its result is in a chunk; a worker that resumes the
 * step after a crash reads both and runs only the rest. The blob implementation counts its storage operations.
 */
export interface ParallelLedger {
  readManifest(): Promise<MiniBatch[] | undefined>;
  writeManifest(batches: MiniBatch[]): Promise<void>;
  /** Every result recorded so far; the first one recorded wins if a mini-batch is in two chunks. */
  readResults(): Promise<Map<number, BatchResult>>;
  /** Records results in one write. */
  appendResults(results: BatchResult[]): Promise<void>;
  /** Storage operations so far. */
  readonly operations: number;
}

/** Where a step attempt's ledger lives: beside its outputs, under a name no data entry can have. */
export const ledgerPrefix = (runId: string, step: string, attempt: number) =>
  `${runId}/${step}/_parallel/attempt-${attempt}/`;

export function blobLedger(container: ContainerClient, prefix: string): ParallelLedger {
  let operations = 0;
  const manifest = container.getBlockBlobClient(prefix + 'manifest.json');
  const put = async (name: string, body: string) => {
    operations++;
    const data = Buffer.from(body, 'utf8');
    await container.getBlockBlobClient(name).uploadData(data, {
      blobHTTPHeaders: { blobContentType: 'application/json' },
    });
  };
  const get = async (name: string): Promise<string | undefined> => {
    operations++;
    try {
      return (await container.getBlobClient(name).downloadToBuffer()).toString('utf8');
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  };
  return {
    get operations() {
      return operations;
    },
    async readManifest() {
      const text = await get(manifest.name);
      return text === undefined ? undefined : (JSON.parse(text) as MiniBatch[]);
    },
    async writeManifest(batches) {
      await put(manifest.name, JSON.stringify(batches));
    },
    async readResults() {
      const names: string[] = [];
      operations++;
      for await (const b of container.listBlobsFlat({ prefix: prefix + 'results/' })) names.push(b.name);
      const out = new Map<number, BatchResult>();
      for (const name of names.sort()) {
        const text = await get(name);
        if (text === undefined) continue;
        for (const r of JSON.parse(text) as BatchResult[]) if (!out.has(r.index)) out.set(r.index, r);
      }
      return out;
    },
    async appendResults(results) {
      if (results.length === 0) return;
      // Sortable by time, unique across workers: chunks are read back in the order they were written.
      const name = `${prefix}results/${Date.now().toString().padStart(15, '0')}-${randomUUID().slice(0, 8)}.json`;
      await put(name, JSON.stringify(results));
    },
  };
}

/** An in-memory ledger (unit tests). */
export function memoryLedger(): ParallelLedger & { chunks: BatchResult[][]; manifest?: MiniBatch[] } {
  const state: { chunks: BatchResult[][]; manifest?: MiniBatch[]; operations: number } = { chunks: [], operations: 0 };
  return {
    get chunks() {
      return state.chunks;
    },
    get manifest() {
      return state.manifest;
    },
    get operations() {
      return state.operations;
    },
    async readManifest() {
      state.operations++;
      return state.manifest && structuredClone(state.manifest);
    },
    async writeManifest(batches) {
      state.operations++;
      state.manifest = structuredClone(batches);
    },
    async readResults() {
      state.operations++;
      const out = new Map<number, BatchResult>();
      for (const chunk of state.chunks) for (const r of chunk) if (!out.has(r.index)) out.set(r.index, r);
      return out;
    },
    async appendResults(results) {
      if (results.length === 0) return;
      state.operations++;
      state.chunks.push(structuredClone(results));
    },
  };
}

/**
 * Collects results and writes them in chunks (every `maxBatch` results or `flushMs`), so a mini-batch costs a
 * fraction of a storage write. `flush` resolves once what was added before it is recorded.
 */
export class ResultWriter {
  private pending: BatchResult[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly ledger: ParallelLedger,
    private readonly maxBatch = 100,
    private readonly flushMs = 200,
  ) {}

  add(result: BatchResult): void {
    this.pending.push(result);
    if (this.pending.length >= this.maxBatch) void this.flush().catch(() => undefined);
    else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), this.flushMs);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const chunk = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      if (this.failure) return;
      try {
        await this.ledger.appendResults(chunk);
      } catch (err) {
        this.failure = err;
      }
    });
    await this.writing;
    if (this.failure) throw this.failure;
  }
}
