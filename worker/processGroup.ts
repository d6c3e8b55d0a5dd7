import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

export interface StepProcessOptions {
  program: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Receives stdout and stderr chunks as they arrive. */
  onOutput(chunk: Buffer): void;
  /**
   * Opens a command channel besides the output: the process's stdin (written by the worker) and its file
   * descriptor 3 (read by the worker), for processes that take work from the worker (the parallel step's driver).
   */
  channel?: boolean;
}

export interface StepProcessExit {
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Spawn to exit. */
  processMs: number;
}

export interface StepProcess {
  pid: number | undefined;
  /**
   * Resolves when the process has exited, the rest of its group is gone and its output pipes are drained (at most a
   * few seconds after the leader's exit). Rejects when it could not start.
   */
  exited: Promise<StepProcessExit>;
  /** Stops the whole process tree: SIGTERM to the group, SIGKILL after `graceMs`. Resolves once the leader is gone. */
  killTree(graceMs: number): Promise<void>;
  /** The command channel, when `channel` was asked for: what the worker writes, and what the process answers. */
  channel?: { input: Writable; output: Readable };
}

/** Could not start the program (not found, not executable): the step's fault, reported to the user. */
export class SpawnError extends Error {
  override name = 'SpawnError';
}

/**
 * Spawns a step without a shell, as the leader of its own process group (detached), so that a timeout or a cancel
 * can stop everything it started — children, grandchildren, background jobs — with one signal to the group.
 */
export function startStepProcess(options: StepProcessOptions): StepProcess {
  const started = performance.now();
  const child: ChildProcess = spawn(options.program, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: process.platform !== 'win32',
    windowsHide: true,
    stdio: options.channel ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', options.onOutput);
  child.stderr!.on('data', options.onOutput);
  let leaderExited = false;
  const exited = new Promise<StepProcessExit>((resolvePromise, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // errors after a successful start (e.g. kill failures) are not fatal
      const why =
        err.code === 'ENOENT'
          ? `program "${options.program}" was not found (is it installed and on PATH, or in the source directory?)`
          : err.code === 'EACCES'
            ? `program "${options.program}" is not executable (chmod +x it, or run it through its interpreter)`
            : `program "${options.program}" could not be started: ${err.message}`;
      reject(new SpawnError(why));
    });
    child.once('exit', (exitCode, signal) => {
      leaderExited = true;
      const processMs = performance.now() - started;
      // Whatever the step left running in its group (daemons, stray children) ends with it.
      signalGroup(child, 'SIGKILL');
      // Resolved once the output pipes have closed and no process of the group is left, so "exited" means the whole
      // tree is gone (a cancel is confirmed only then). Do not wait forever for a straggler outside the group or a
      // zombie nobody reaps.
      let done = false;
      let closed = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(poll);
        resolvePromise({ exitCode, signal, processMs });
      };
      const check = () => closed && !groupAlive(child) && finish();
      const poll = setInterval(check, 20);
      poll.unref();
      child.once('close', () => {
        closed = true;
        check();
      });
      setTimeout(finish, 3000).unref();
    });
  });
  exited.catch(() => undefined);

  const channel = options.channel ? { input: child.stdin!, output: child.stdio[3] as Readable } : undefined;
  // A process that dies mid-write must not crash the worker with EPIPE: its exit is what reports the problem.
  channel?.input.on('error', () => undefined);
  channel?.output.on('error', () => undefined);
  return {
    pid: child.pid,
    exited,
    channel,
    async killTree(graceMs) {
      if (leaderExited || child.pid === undefined) return;
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
      try {
        await exited.catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Whether any process of the child's group is still alive, zombies aside (POSIX: /proc where there is one, else
 * signal 0 to the group). Windows: the tree is gone once taskkill returned.
 */
function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined || process.platform === 'win32') return false;
  try {
    process.kill(-child.pid, 0);
  } catch {
    return false; // ESRCH: no process left in the group
  }
  if (process.platform !== 'linux') return true;
  try {
    // Members of the group that are not zombies (a zombie is gone; it waits only for its parent to reap it).
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === child.pid && fields[0] !== 'Z') return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** Signals every process in the child's group (POSIX), or the tree through taskkill (Windows). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(child.pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])], {
      windowsHide: true,
      stdio: 'ignore',
    });
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}
