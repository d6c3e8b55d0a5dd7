import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The parent's side of the process launcher (worker/spawnerMain.ts): one per process, started on first use, that
 * starts step processes for this process over its IPC channel. Used for plain steps on Linux and macOS; a step that
 * needs a command channel (the parallel step's driver) and Windows spawn directly. If the launcher dies, the steps it
 * had started are reported lost (their process groups are killed by the caller) and the next step starts a new one;
 * one that cannot start at all leaves this process spawning directly.
 */
export interface LaunchedProcess {
  /** The pid once the process started; rejects with the system error (code ENOENT, EACCES…) if it could not. */
  started: Promise<number>;
  /** The leader's exit, and how long it ran from spawn (measured by the launcher). */
  exit: Promise<ExitInfo>;
  /** Resolves once the output pipes have closed. */
  closed: Promise<void>;
}

export interface LaunchRequest {
  program: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  onOutput(chunk: Buffer): void;
}

/** The launcher's process died while it held this step: its process group is stopped and the step reported lost. */
export class LauncherLost extends Error {
  override name = 'LauncherLost';
}

type ExitInfo = { exitCode: number | null; signal: NodeJS.Signals | null; processMs: number };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // the caller awaits it; a rejection nobody awaited is not an error here
  return { promise, resolve, reject };
}

interface Pending {
  onOutput(chunk: Buffer): void;
  spawned(pid: number): void;
  failed(err: Error): void;
  exited(e: ExitInfo): void;
  closed(): void;
  lost(): void;
}

type Message =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'error'; id: number; code?: string; message: string }
  | { type: 'out'; id: number; data: Uint8Array }
  | { type: 'exit'; id: number; exitCode: number | null; signal: NodeJS.Signals | null; processMs: number }
  | { type: 'close'; id: number };

const ENTRY = join(__dirname, __filename.endsWith('.ts') ? 'spawnerMain.ts' : 'spawnerMain.js');

class Launcher {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private next = 1;
  private answered = false;

  constructor(onGone: (usable: boolean) => void) {
    this.child = fork(ENTRY, [], {
      // Under tsx (tests, benches) the launcher is TypeScript too; built, it is plain JavaScript.
      execArgv: ENTRY.endsWith('.ts') ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: Message) => this.receive(m));
    this.child.once('error', () => this.child.kill('SIGKILL'));
    this.child.once('exit', () => {
      onGone(this.answered);
      for (const p of this.pending.values()) p.lost();
      this.pending.clear();
    });
    this.idle();
  }

  launch(request: LaunchRequest): LaunchedProcess {
    const id = this.next++;
    const started = deferred<number>();
    const exit = deferred<ExitInfo>();
    const closed = deferred<void>();
    let pid: number | undefined;
    this.pending.set(id, {
      onOutput: request.onOutput,
      spawned: (p) => {
        pid = p;
        started.resolve(p);
      },
      failed: (err) => {
        started.reject(err);
        exit.reject(err);
        closed.resolve();
      },
      exited: exit.resolve,
      closed: closed.resolve,
      lost: () => {
        const err = new LauncherLost('the worker’s process launcher exited while the step ran');
        if (pid === undefined) started.reject(err);
        exit.reject(err);
        closed.resolve();
      },
    });
    this.busy();
    const { program, args, cwd, env } = request;
    this.child.send({ type: 'spawn', id, program, args, cwd, env });
    return { started: started.promise, exit: exit.promise, closed: closed.promise };
  }

  private receive(m: Message): void {
    this.answered = true;
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'spawned':
        p.spawned(m.pid);
        break;
      case 'error':
        this.pending.delete(m.id);
        p.failed(Object.assign(new Error(m.message), { code: m.code }));
        this.idle();
        break;
      case 'out':
        p.onOutput(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
        break;
      case 'exit':
        p.exited({ exitCode: m.exitCode, signal: m.signal, processMs: m.processMs });
        break;
      case 'close':
        this.pending.delete(m.id);
        p.closed();
        this.idle();
        break;
    }
  }

  /** While a step is out, the channel keeps this process alive (its answers are awaited). */
  private busy(): void {
    this.child.ref();
    (this.child.channel as { ref?(): void } | undefined)?.ref?.();
  }

  /** With nothing out, the launcher must not keep this process alive: it exits when this process does. */
  private idle(): void {
    if (this.pending.size > 0) return;
    this.child.unref();
    (this.child.channel as { unref?(): void } | undefined)?.unref?.();
  }
}

let current: Launcher | undefined;
/** `SLUICE_WORKER_LAUNCHER=off` makes this process spawn its steps itself (docs/architecture.md). */
let unusable = process.platform === 'win32' || process.env.SLUICE_WORKER_LAUNCHER === 'off' || !existsSync(ENTRY);

/** Starts a plain step process through this process's launcher, or answers undefined to spawn directly. */
export function launchThroughLauncher(request: LaunchRequest): LaunchedProcess | undefined {
  if (unusable) return undefined;
  if (!current) {
    const launcher: Launcher = new Launcher((usable) => {
      if (current === launcher) current = undefined;
      // One that died before it ever answered cannot start here (no node, a broken install): spawn directly.
      if (!usable) unusable = true;
    });
    current = launcher;
  }
  return current.launch(request);
}
