import { downloadInputFile, type InputFile, type ListedInput } from '../inputs';

/** A file of a partitioned input: the input's name and the file's path below it (`''`: the input is one file). */
export type InputRef = [input: string, path: string];

interface Fetch {
  done: Promise<void>;
  started: boolean;
  start: () => void;
}

/**
 * Downloads the files of a parallel step's listed inputs while its processes run (docs/parallel-run.md): `prefetch`
 * queues files in the order the mini-batches will be handed out, at most `limit` download at a time, and `ready`
 * resolves when a mini-batch's files are local (moving them to the front of the queue if they were not started).
 * Each file is downloaded once; files of inputs that were not deferred are local already. `operations` counts the
 * downloads (one storage operation each).
 */
export class InputFetcher {
  private readonly files = new Map<string, { input: ListedInput; file: InputFile }>();
  private readonly fetches = new Map<string, Fetch>();
  private queue: Fetch[] = [];
  private active = 0;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();
  operations = 0;

  constructor(
    listed: Record<string, ListedInput>,
    private readonly limit = 32,
    private readonly download = downloadInputFile,
  ) {
    for (const [name, input] of Object.entries(listed))
      for (const file of input.files) this.files.set(key([name, file.rel]), { input, file });
  }

  /** Queues these files (in this order) behind those queued before. */
  prefetch(refs: InputRef[]): void {
    for (const ref of refs) {
      const f = this.fetch(ref);
      if (f && !f.started) this.queue.push(f);
    }
    this.pump();
  }

  /** Resolves when these files are local; rejects if one of them could not be downloaded. */
  async ready(refs: InputRef[]): Promise<void> {
    if (this.closed) throw new Error('the input fetcher is closed');
    const waits: Promise<void>[] = [];
    const urgent: Fetch[] = [];
    for (const ref of refs) {
      const f = this.fetch(ref);
      if (!f) continue;
      if (!f.started) urgent.push(f);
      waits.push(f.done);
    }
    if (urgent.length) {
      this.queue = [...urgent, ...this.queue.filter((f) => !urgent.includes(f))];
      this.pump();
    }
    await Promise.all(waits);
  }

  /** Starts nothing more and waits for the downloads under way (so the sandbox is not removed under one). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = [];
    await Promise.allSettled([...this.inFlight]);
  }

  private fetch(ref: InputRef): Fetch | undefined {
    const k = key(ref);
    const known = this.fetches.get(k);
    if (known) return known;
    const entry = this.files.get(k);
    if (!entry) return undefined; // not a listed input: downloaded before the step started
    let start!: () => void;
    const done = new Promise<void>((resolve, reject) => {
      start = () => {
        f.started = true;
        this.active++;
        this.operations++;
        const p = this.download(entry.input, entry.file).then(resolve, reject);
        this.inFlight.add(p);
        void p.finally(() => {
          this.inFlight.delete(p);
          this.active--;
          this.pump();
        });
      };
    });
    done.catch(() => undefined); // a failure is reported to whoever waits for the file
    const f: Fetch = { done, started: false, start: () => start() };
    this.fetches.set(k, f);
    return f;
  }

  private pump(): void {
    while (!this.closed && this.active < this.limit && this.queue.length) {
      const f = this.queue.shift()!;
      if (!f.started) f.start();
    }
  }
}

const key = ([input, path]: InputRef) => `${input}\u0000${path}`;
