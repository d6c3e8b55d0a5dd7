/**
 * Timing marks of one job on the worker, for finding where its time goes (`SLUICE_WORKER_MARKS=1`): each job prints
 * one line on stderr when it ends, `marks <run>/<step>: received +0.0 decoded +0.4 …` (milliseconds since the message was
 * received). Off by default: then every call is a no-op.
 */
export interface StepMarks {
  mark(name: string): void;
  /** Prints the line (once), on stderr: the worker's own log may be silenced (a bench's is). */
  end(): void;
}

const OFF: StepMarks = { mark: () => undefined, end: () => undefined };

export function startMarks(label: () => string, before: [string, number][] = []): StepMarks {
  if (!process.env.SLUICE_WORKER_MARKS) return OFF;
  const t0 = performance.now();
  const marks = before.map(([name, t]) => `${name} ${(t - t0).toFixed(1)}`);
  let done = false;
  return {
    mark(name) {
      marks.push(`${name} +${(performance.now() - t0).toFixed(1)}`);
    },
    end() {
      if (done) return;
      done = true;
      process.stderr.write(`marks ${label()}: ${marks.join(' ')}\n`);
    },
  };
}

const byJob = new WeakMap<object, StepMarks>();

/** Ties marks to a job object, so the functions it is passed to can mark without a parameter of their own. */
export function attachMarks(job: object, marks: StepMarks): void {
  if (marks !== OFF) byJob.set(job, marks);
}

export function marksOf(job: object): StepMarks {
  return byJob.get(job) ?? OFF;
}
