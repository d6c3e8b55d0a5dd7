// CPU time of processes, read from /proc (Linux): what a burst costs each process of the stack, so that steps per
// second can be set against the machine's cores. Clock ticks are 10 ms; a burst of several seconds makes that fine.
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

export interface CpuSample {
  /** The process's own user + system time, ms. */
  own: number;
  /** The user + system time of its children that have exited and been reaped (its step processes), ms. */
  reapedChildren: number;
}

interface ProcStat extends CpuSample {
  ppid: number;
}

/** A process's parent and CPU from /proc/<pid>/stat, or undefined when it has gone or /proc is not there. */
function procStat(pid: number | 'self'): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // proc(5) fields from the third (state) on, as index 0: ppid is field 4, utime–cstime fields 14–17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (field: number) => Number(f[field - 3]) * TICK_MS;
    return { ppid: Number(f[1]), own: ms(14) + ms(15), reapedChildren: ms(16) + ms(17) };
  } catch {
    return undefined;
  }
}

/** The process's CPU so far, or zeros when it has gone or /proc is not there. */
export function cpuOf(pid: number | 'self'): CpuSample {
  const stat = procStat(pid);
  return stat ? { own: stat.own, reapedChildren: stat.reapedChildren } : { own: 0, reapedChildren: 0 };
}

/**
 * One reading of every live process. `tree(pid)`: CPU ms so far of a process and everything under it — its own, its
 * reaped children's, and those of its live descendants (a launcher that starts step processes and reaps them itself,
 * say).
 */
export function readProcesses(): { tree(root: number | 'self'): number } {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of stats) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const tree = (pid: number): number => {
    const stat = stats.get(pid);
    const own = stat ? stat.own + stat.reapedChildren : 0;
    return own + (children.get(pid) ?? []).reduce((sum, child) => sum + tree(child), 0);
  };
  return { tree: (root) => tree(root === 'self' ? process.pid : root) };
}

/** CPU ms so far of a process and everything under it (one reading; see readProcesses). */
export function treeCpu(root: number | 'self'): number {
  return readProcesses().tree(root);
}
