import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { launchThroughLauncher, LauncherLost, type LaunchedProcess } from './spawner';

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
  /** The process's pid (the leader of its group) once it has started; undefined when it could not start. */
  started: Promise<number | undefined>;
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
 * can stop everything it started — children, grandchildren, background jobs — with one signal to the group. A plain
 * step (no command channel) is started by this process's launcher (worker/spawner.ts) where there is one, so the
 * worker's own process is not forked once per step.
 */
export function startStepProcess(options: StepProcessOptions): StepProcess {
  const launched: LaunchedProcess & { channel?: StepProcess['channel'] } =
    (!options.channel && launchThroughLauncher(options)) || spawnHere(options);
  const { started, exit, closed } = launched;
  let leaderExited = false;
  const exited = (async (): Promise<StepProcessExit> => {
    let pid: number;
    try {
      pid = await started;
    } catch (err) {
      throw err instanceof LauncherLost ? err : spawnError(options.program, err as NodeJS.ErrnoException);
    }
    let ended;
    try {
      ended = await exit;
    } catch (err) {
      // The launcher died with the step: nothing will report its end, so its group is stopped here.
      signalGroup(pid, 'SIGKILL');
      throw err;
    } finally {
      leaderExited = true;
    }
    // Whatever the step left running in its group (daemons, stray children) ends with it.
    signalGroup(pid, 'SIGKILL');
    // Resolved once the output pipes have closed and no process of the group is left, so "exited" means the whole
    // tree is gone (a cancel is confirmed only then). Do not wait forever for a straggler outside the group or a
    // zombie nobody reaps.
    await new Promise<void>((resolve) => {
      let isClosed = false;
      const finish = () => {
        clearInterval(poll);
        clearTimeout(cap);
        resolve();
      };
      const check = () => isClosed && !groupAlive(pid) && finish();
      const poll = setInterval(check, 20);
      poll.unref();
      const cap = setTimeout(finish, 3000);
      cap.unref();
      void closed.then(() => {
        isClosed = true;
        check();
      });
    });
    return ended;
  })();
  exited.catch(() => undefined);

  return {
    started: started.catch(() => undefined),
    exited,
    channel: launched.channel,
    async killTree(graceMs) {
      const target = await started.catch(() => undefined);
      if (leaderExited || target === undefined) return;
      signalGroup(target, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(target, 'SIGKILL'), graceMs);
      try {
        await exited.catch(() => undefined);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Spawns the step from this process. */
function spawnHere(options: StepProcessOptions): LaunchedProcess & { channel?: StepProcess['channel'] } {
  const begun = performance.now();
  const child: ChildProcess = spawn(options.program, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: process.platform !== 'win32',
    windowsHide: true,
    stdio: options.channel ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', options.onOutput);
  child.stderr!.on('data', options.onOutput);
  const started = new Promise<number>((resolve, reject) => {
    if (child.pid !== undefined) resolve(child.pid);
    child.once('error', (err) => {
      if (child.pid === undefined) reject(err); // errors after a successful start (e.g. kill failures) are not fatal
    });
  });
  const exit: LaunchedProcess['exit'] = new Promise((resolve, reject) => {
    started.catch(reject);
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal, processMs: performance.now() - begun }));
  });
  const closed = new Promise<void>((resolve) => {
    started.catch(() => resolve());
    child.once('close', () => resolve());
  });
  started.catch(() => undefined);
  exit.catch(() => undefined);
  const channel = options.channel ? { input: child.stdin!, output: child.stdio[3] as Readable } : undefined;
  // A process that dies mid-write must not crash the worker with EPIPE: its exit is what reports the problem.
  channel?.input.on('error', () => undefined);
  channel?.output.on('error', () => undefined);
  return { started, exit, closed, channel };
}

function spawnError(program: string, err: NodeJS.ErrnoException): SpawnError {
  return new SpawnError(
    err.code === 'ENOENT'
      ? `program "${program}" was not found (is it installed and on PATH, or in the source directory?)`
      : err.code === 'EACCES'
        ? `program "${program}" is not executable (chmod +x it, or run it through its interpreter)`
        : `program "${program}" could not be started: ${err.message}`,
  );
}

/**
 * Whether any process of the child's group is still alive, zombies aside (POSIX: /proc where there is one, else
 * signal 0 to the group). Windows: the tree is gone once taskkill returned.
 */
function groupAlive(pid: number): boolean {
  if (process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
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
      if (Number(fields[2]) === pid && fields[0] !== 'Z') return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** Signals every process in the child's group (POSIX), or the tree through taskkill (Windows). */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])], {
      windowsHide: true,
      stdio: 'ignore',
    });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}
