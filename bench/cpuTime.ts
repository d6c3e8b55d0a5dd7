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

/** The process's CPU so far, or zeros when it has gone or /proc is not there. */
export function cpuOf(pid: number | 'self'): CpuSample {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14–17 of proc(5), counted from 1: utime, stime, cutime, cstime; here from field 3 (state) as index 0.
    const n = (i: number) => Number(f[i - 3]) * TICK_MS;
    return { own: n(14) + n(15), reapedChildren: n(16) + n(17) };
  } catch {
    return { own: 0, reapedChildren: 0 };
  }
}

/** The parent of every live process (Linux /proc), by pid. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      out.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU ms so far of a process and everything under it: its own, its reaped children's, and those of its live
 * descendants (a launcher that starts step processes and reaps them itself, say).
 */
export function treeCpu(root: number | 'self'): number {
  const rootPid = root === 'self' ? process.pid : root;
  const byParent = new Map<number, number[]>();
  for (const [pid, ppid] of parents()) byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  let total = 0;
  const visit = (pid: number) => {
    const c = cpuOf(pid);
    total += c.own + c.reapedChildren;
    for (const child of byParent.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return total;
}
