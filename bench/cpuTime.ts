// CPU time of processes, read from /proc (Linux): what a burst costs each process of the stack, so that steps per
// second can be set against the machine's cores. Clock ticks are 10 ms; a burst of several seconds makes that fine.
import { readFileSync } from 'node:fs';

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
