import type { HostLog } from '../extension';
import type { TimerSchedule } from './schedule';

/** What the host's schedule monitor keeps per timer function (blob `timers/<hostId>/<function>/status`). */
export interface ScheduleStatus {
  Last: string;
  Next: string;
  LastUpdated: string;
}

/** Where schedule status lives; the host uses blobs in `azure-webjobs-hosts`, tests may pass a map. */
export interface ScheduleMonitorStore {
  get(): Promise<ScheduleStatus | undefined>;
  put(status: ScheduleStatus): Promise<void>;
}

/** "No occurrence yet", as .NET's DateTime.MinValue serialises. */
export const NEVER = '0001-01-01T00:00:00';

export interface TimerListenerOptions {
  functionName: string;
  schedule: TimerSchedule;
  runOnStartup: boolean;
  /** Undefined when `useMonitor` is off. */
  monitor?: ScheduleMonitorStore;
  /** Runs the function with the timer payload (PascalCase, as the host sends it). */
  fire(payload: Record<string, unknown>): Promise<void>;
  log: HostLog;
  now?: () => Date;
}

/**
 * Runs one timer function like the host's TimerListener: on start, a tick missed while the host was down fires at
 * once with `IsPastDue: true` (else `runOnStartup` fires once); then each occurrence fires in turn. Invocations never
 * overlap: the next occurrence is computed after the previous invocation ends.
 */
export class TimerListener {
  private stopped = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private status: ScheduleStatus | undefined;

  constructor(private readonly options: TimerListenerOptions) {}

  private now(): Date {
    return this.options.now ? this.options.now() : new Date();
  }

  start(): void {
    this.loop = this.run().catch((err) =>
      this.options.log('error', `Timer ${this.options.functionName} stopped: ${(err as Error).stack ?? err}`),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  /** The next occurrence the listener waits for (for the start-up listing). */
  get nextOccurrence(): string | undefined {
    return this.status?.Next;
  }

  private async run(): Promise<void> {
    const { schedule, monitor } = this.options;
    const now = this.now();
    let pastDue = false;
    let status = monitor ? await monitor.get() : undefined;
    if (status) {
      // A changed schedule moves the recorded next occurrence, as the host's CheckPastDue does.
      const base = status.Last && status.Last !== NEVER ? status.Last : status.LastUpdated;
      const expected = schedule.next(new Date(base));
      if (expected && expected.getTime() !== Date.parse(status.Next)) {
        status = { ...status, Next: expected.toISOString(), LastUpdated: now.toISOString() };
        await monitor!.put(status);
      }
      pastDue = now.getTime() > Date.parse(status.Next);
    } else {
      const next = schedule.next(now);
      status = { Last: NEVER, Next: next ? next.toISOString() : NEVER, LastUpdated: now.toISOString() };
      if (monitor) await monitor.put(status);
    }
    this.status = status;
    if (pastDue) await this.invoke(new Date(status.Next), true);
    else if (this.options.runOnStartup) await this.invoke(undefined, false);
    while (!this.stopped) {
      const next = Date.parse(this.status.Next);
      if (Number.isNaN(next) || this.status.Next === NEVER) return;
      await this.sleepUntil(next);
      if (this.stopped) return;
      await this.invoke(new Date(next), false);
    }
  }

  private sleepUntil(time: number): Promise<void> {
    return new Promise((resolve) => {
      const tick = () => {
        const left = time - this.now().getTime();
        if (left <= 0 || this.stopped) return resolve();
        this.timer = setTimeout(tick, Math.min(left, 2 ** 31 - 1));
      };
      this.wake = resolve;
      tick();
    });
  }

  /** Fires once; `occurrence` is the scheduled time (undefined for runOnStartup), then records the new status. */
  private async invoke(occurrence: Date | undefined, isPastDue: boolean): Promise<void> {
    const { monitor } = this.options;
    const payload = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: monitor ? this.status : null,
      IsPastDue: isPastDue,
    };
    try {
      await this.options.fire(payload);
    } catch {
      // The invoker logged it; a failed invocation does not stop the schedule.
    }
    const now = this.now();
    const next = this.options.schedule.next(now);
    this.status = {
      Last: occurrence ? occurrence.toISOString() : (this.status?.Last ?? NEVER),
      Next: next ? next.toISOString() : NEVER,
      LastUpdated: now.toISOString(),
    };
    if (monitor) {
      try {
        await monitor.put(this.status);
      } catch (err) {
        this.options.log('warn', `Timer ${this.options.functionName}: could not save its schedule status: ${err}`);
      }
    }
  }
}
