import { randomUUID } from 'node:crypto';
import type { HostLog } from '../../extension';
import { completionTarget } from '../events';
import type { Outbound, TaskMessage } from '../messages';
import { partitionOf } from '../names';
import type { DurableOptions } from '../options';
import type { OrchestratorOutcome } from '../payload';
import { applyPlan, planEpisode, type EpisodePlan } from '../planner';
import { EventType, isTerminal } from '../protocol';
import { emptyState, type ExecutionState } from '../state';
import type { TaskHubStorage } from '../store/taskHub';
import { ActivityPool } from './activityPool';
import { runWorkItem, type ActivityRunner } from './activities';
import { ClaimKeeper, HeldMessage } from './held';
import { loadSession, instanceRowOf } from './load';
import { RowWriter } from './rows';
import { TimerBook } from './timers';
import { groupWorkItems } from './workItems';

/** A task message on its way to an instance, with the queue message that must stay held until it is durable. */
export interface Delivery {
  message: TaskMessage;
  held?: HeldMessage;
  fromQueue: boolean;
}

/** One instance: its waiting messages and its in-memory state; episodes of one instance never overlap. */
export interface Session {
  instanceId: string;
  state?: ExecutionState;
  loading?: Promise<ExecutionState>;
  etag?: string;
  inbox: Delivery[];
  running: boolean;
  rows: RowWriter;
}

export interface EngineDeps {
  hub: TaskHubStorage;
  options: DurableOptions;
  orchestrators(): string[];
  activities(): string[];
  runOrchestrator(name: string, payload: string): Promise<OrchestratorOutcome>;
  runActivity: ActivityRunner;
  log: HostLog;
}

/** Orchestration dispatcher, activity runner and message plumbing of the local Durable engine. */
export class Engine {
  readonly sessions = new Map<string, Session>();
  readonly keeper: ClaimKeeper;
  readonly timers: TimerBook;
  readonly pool: ActivityPool<Delivery>;
  /** Activities started and not yet recorded as completed: a duplicate work item for one of them is dropped. */
  readonly activeActivities = new Set<string>();
  private stopped = false;
  /** Stopping: work in progress may finish, but no new activity starts. */
  private closing = false;
  private readonly running = new Set<Promise<void>>();

  constructor(readonly deps: EngineDeps) {
    const { options } = deps;
    this.keeper = new ClaimKeeper(
      (queue) =>
        queue === deps.hub.names.workItemQueue ? options.workItemQueueVisibilityMs : options.controlQueueVisibilityMs,
      (err) => deps.log('warn', `Durable: could not update a queue message: ${errorText(err)}`),
    );
    this.timers = new TimerBook(
      (message, pending) => void this.timerDue(message, pending),
      (ref) => deps.hub.queues.delete(ref),
    );
    this.pool = new ActivityPool(options.maxConcurrentActivityFunctions, (d) => runWorkItem(this, d));
  }

  start(): void {
    const o = this.deps.options;
    this.keeper.start(Math.max(500, Math.min(o.controlQueueVisibilityMs, o.workItemQueueVisibilityMs) / 2));
  }

  controlQueueOf(instanceId: string): string {
    const names = this.deps.hub.names;
    return names.controlQueues[partitionOf(instanceId, names.controlQueues.length)];
  }

  session(instanceId: string): Session {
    let s = this.sessions.get(instanceId);
    if (!s) {
      s = {
        instanceId,
        inbox: [],
        running: false,
        rows: new RowWriter(instanceId, this.deps.hub.instances, (m) => this.deps.log('warn', m)),
      };
      this.sessions.set(instanceId, s);
    }
    return s;
  }

  /**
   * The instance is known to have no history (a client start of an id without a status row): its first episode
   * starts from an empty state instead of querying the history table. The sentinel's create-only commit is the
   * check: if a history exists after all, the commit fails and the episode is retried on the loaded state.
   */
  assumeNew(instanceId: string): void {
    if (this.sessions.has(instanceId)) return;
    const s = this.session(instanceId);
    s.state = emptyState(instanceId);
    s.etag = undefined;
  }

  /**
   * The instance's state, loaded from the history table if this host has none. `trigger` is the held message of the
   * delivery that needs it: activities the history scheduled and nobody runs are handed to the pool under it.
   */
  load(s: Session, trigger?: HeldMessage): Promise<ExecutionState> {
    if (s.state) return Promise.resolve(s.state);
    s.loading ??= loadSession(this, s)
      .then((state) => {
        this.resumeActivities(state, trigger);
        return state;
      })
      .finally(() => (s.loading = undefined));
    return s.loading;
  }

  /**
   * Hands the activities of a loaded history that are scheduled, not completed and not running here to the pool.
   * Activities are handed over in-process, carried by the message that caused their episode (see `send`): after a
   * host dies, that message comes back, loads the instance, and this runs them again. They are carried by the
   * message that caused this load if it may come back safely, else sent as work items as before.
   */
  private resumeActivities(state: ExecutionState, trigger: HeldMessage | undefined): void {
    if (this.closing || !state.executionId || isTerminal(state.status)) return;
    const waiting: TaskMessage[] = [];
    for (const [id, record] of state.index.scheduled) {
      if (record.event.EventType !== EventType.TaskScheduled || state.index.completed.has(id)) continue;
      if (this.activeActivities.has(activityKey(state.instanceId, state.executionId, id))) continue;
      waiting.push({ instanceId: state.instanceId, executionId: state.executionId, event: record.event });
    }
    if (waiting.length === 0) return;
    if (trigger && !trigger.settled) {
      trigger.carry(waiting.length);
      for (const message of waiting) this.pool.push({ message, held: trigger, fromQueue: false });
      return;
    }
    void this.send(waiting.map((message) => ({ kind: 'activity' as const, message })))
      .then((sent) => sent.forEach((x) => this.dispatch(x)))
      .catch((err: unknown) =>
        this.deps.log('warn', `Durable: could not resume the activities of '${state.instanceId}': ${errorText(err)}`),
      );
  }

  /** Hands a message to its instance; an episode starts at once unless one is running (then it waits for the next). */
  deliver(d: Delivery): void {
    if (this.stopped) return;
    const s = this.session(d.message.instanceId);
    s.inbox.push(d);
    if (!s.running) this.track(this.drain(s));
  }

  private track(p: Promise<void>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private async drain(s: Session): Promise<void> {
    s.running = true;
    try {
      while (s.inbox.length && !this.stopped) {
        const batch = s.inbox.splice(0);
        try {
          await this.episode(s, batch);
        } catch (err) {
          this.deps.log(
            'error',
            `Durable: episode of instance '${s.instanceId}' failed and will be retried: ${errorText(err)}`,
          );
          s.state = undefined;
          s.inbox.unshift(...batch);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    } finally {
      s.running = false;
    }
    if (s.inbox.length === 0 && s.state && isTerminal(s.state.status) && s.rows.idle) {
      this.sessions.delete(s.instanceId);
    }
  }

  private async episode(s: Session, batch: Delivery[]): Promise<void> {
    const state = await this.load(s, carrierOf(batch)?.held);
    const plan = await planEpisode(
      state,
      batch.map((d) => ({ message: d.message, fromQueue: d.fromQueue })),
      {
        now: Date.now,
        newExecutionId: () => randomUUID().replace(/-/g, ''),
        knownOrchestrators: this.deps.orchestrators,
        knownActivities: this.deps.activities,
        runOrchestrator: this.deps.runOrchestrator,
      },
    );
    const requeue = batch.filter((_, i) => plan.verdicts[i] === 'requeue');
    if (requeue.length) s.inbox.unshift(...requeue);
    if (plan.changed) {
      const carrier = carrierOf(batch.filter((_, i) => plan.verdicts[i] === 'consume'))?.held;
      const sent = await this.send(plan.outbound, carrier);
      try {
        s.etag = await this.commit(s, state, plan);
      } catch (err) {
        for (const x of sent) if ('held' in x) x.held.forget();
        throw err;
      }
      applyPlan(state, plan);
      this.afterCommit(s, state, plan, sent);
    }
    batch.forEach((d, i) => {
      const verdict = plan.verdicts[i];
      if (verdict === 'consume') d.held?.settle();
      else if (verdict === 'abandon') {
        const n = d.held?.ref.dequeueCount ?? 0;
        if (n > 5) d.held?.settle();
        else d.held?.abandon(Math.min(2 ** n, 30) * 1000);
      }
    });
  }

  private commit(s: Session, state: ExecutionState, plan: EpisodePlan): Promise<string> {
    return this.deps.hub.history.commit({
      instanceId: s.instanceId,
      executionId: plan.execution?.executionId ?? state.executionId!,
      baseIndex: plan.baseIndex,
      records: plan.records,
      status: plan.status,
      customStatus: plan.customStatus,
      output: plan.output,
      held: plan.held,
      etag: s.etag,
    });
  }

  private afterCommit(s: Session, state: ExecutionState, plan: EpisodePlan, sent: Sent[]): void {
    for (const r of plan.records) {
      const target = completionTarget(r.event);
      if (target !== undefined) this.activeActivities.delete(activityKey(s.instanceId, state.executionId, target));
    }
    s.rows.write(instanceRowOf(state, plan));
    for (const id of plan.cancelledTimers) this.timers.cancel(s.instanceId, id);
    if (isTerminal(state.status)) this.timers.cancelAll(s.instanceId);
    for (const x of sent) this.dispatch(x);
  }

  /**
   * Sends an episode's outbound messages (claimed: invisible to pollers until released). Its activities are not sent
   * when `carrier` is given: they go to the pool in-process once the history is committed, and the carrier — a held
   * message of the episode that, should it come back after a crash, is dropped as a duplicate but reloads the
   * instance, which resumes them — is deleted only when their completions are committed too. That saves the work
   * item's send and delete.
   */
  private async send(outbound: Outbound[], carrier?: HeldMessage): Promise<Sent[]> {
    const o = this.deps.options;
    const q = this.deps.hub.queues;
    const work: Promise<Sent>[] = [];
    const activities = outbound.filter((x) => x.kind === 'activity').map((x) => x.message);
    if (carrier && activities.length) work.push(Promise.resolve({ kind: 'carried', messages: activities, carrier }));
    for (const group of carrier ? [] : groupWorkItems(activities)) {
      work.push(
        q.send(this.deps.hub.names.workItemQueue, group, o.workItemQueueVisibilityMs).then((ref) => ({
          kind: 'activity' as const,
          messages: group,
          held: new HeldMessage(ref, group.length, q, this.keeper),
        })),
      );
    }
    for (const x of outbound) {
      if (x.kind !== 'control') continue;
      const queue = this.controlQueueOf(x.message.instanceId);
      const delay = x.fireAtMs === undefined ? 0 : x.fireAtMs - Date.now();
      if (delay > o.controlQueueVisibilityMs) {
        work.push(
          q
            .send(queue, [x.message], delay)
            .then((ref) => ({ kind: 'timer' as const, message: x.message, fireAtMs: x.fireAtMs!, ref })),
        );
      } else {
        work.push(
          q.send(queue, [x.message], o.controlQueueVisibilityMs).then((ref) => ({
            kind: 'control' as const,
            message: x.message,
            fireAtMs: x.fireAtMs,
            held: new HeldMessage(ref, 1, q, this.keeper, x.fireAtMs ?? 0),
          })),
        );
      }
    }
    return Promise.all(work);
  }

  private dispatch(x: Sent): void {
    if (x.kind === 'carried') {
      // Carried while closing too: the carrier is released with the pool, and brings them back to the next host.
      x.carrier.carry(x.messages.length);
      if (this.closing) void x.carrier.release();
      else for (const message of x.messages) this.pool.push({ message, held: x.carrier, fromQueue: false });
    } else if (x.kind === 'activity') {
      if (this.closing) void x.held.release();
      else for (const message of x.messages) this.pool.push({ message, held: x.held, fromQueue: false });
    } else if (x.kind === 'timer') {
      this.timers.schedule(x.message, x.fireAtMs, { ref: x.ref });
    } else if (x.fireAtMs !== undefined && x.fireAtMs > Date.now()) {
      this.timers.schedule(x.message, x.fireAtMs, { held: x.held });
    } else {
      this.deliver({ message: x.message, held: x.held, fromQueue: false });
    }
  }

  /** A timer is due: deliver it if we hold its message, or claim the message first (long timers are not held). */
  private async timerDue(
    message: TaskMessage,
    pending: { held?: HeldMessage; ref?: import('../store/queues').QueueRef },
  ): Promise<void> {
    if (pending.held) return this.deliver({ message, held: pending.held, fromQueue: false });
    if (!pending.ref) return;
    const claimed = await this.deps.hub.queues
      .setVisibility(pending.ref, this.deps.options.controlQueueVisibilityMs)
      .catch(() => false);
    if (claimed)
      this.deliver({
        message,
        held: new HeldMessage(pending.ref, 1, this.deps.hub.queues, this.keeper),
        fromQueue: false,
      });
  }

  /**
   * Sends a client's message (start, event, terminate, …), held: `deliver` processes it in-process at once,
   * `discard` deletes it (a start the client refuses after all).
   */
  async sendClientMessage(message: TaskMessage): Promise<{ deliver(): void; discard(): void }> {
    const q = this.deps.hub.queues;
    const ref = await q.send(
      this.controlQueueOf(message.instanceId),
      [message],
      this.deps.options.controlQueueVisibilityMs,
    );
    const held = new HeldMessage(ref, 1, q, this.keeper);
    return {
      deliver: () => this.deliver({ message, held, fromQueue: false }),
      discard: () => held.settle(),
    };
  }

  /**
   * Stops gracefully: queued work items are handed back to the queue, running activities and episodes get up to
   * 10 s to finish (their results are recorded), then every message still held is released for the next host.
   */
  async stop(): Promise<void> {
    this.closing = true;
    for (const d of this.pool.clear()) void d.held?.release();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (this.pool.size > 0 || this.running.size > 0)) {
      await Promise.race([Promise.all([this.pool.idle(), ...this.running]), new Promise((r) => setTimeout(r, 100))]);
    }
    this.stopped = true;
    this.timers.clear();
    await Promise.all([...this.sessions.values()].map((s) => s.rows.flush()));
    await this.keeper.stop();
  }
}

type Sent =
  | { kind: 'carried'; messages: TaskMessage[]; carrier: HeldMessage }
  | { kind: 'activity'; messages: TaskMessage[]; held: HeldMessage }
  | { kind: 'timer'; message: TaskMessage; fireAtMs: number; ref: import('../store/queues').QueueRef }
  | { kind: 'control'; message: TaskMessage; fireAtMs?: number; held: HeldMessage };

/**
 * A held message of the batch that may carry activities: one whose return after a crash is harmless — a start
 * (dropped as a duplicate start) or a completion (dropped, its task being completed) — so that its only effect is
 * to load the instance again. An external event or a terminate would be recorded twice, so they never carry.
 */
export function carrierOf(batch: Delivery[]): Delivery | undefined {
  return batch.find(
    (d) =>
      d.held &&
      !d.held.settled &&
      (d.message.event.EventType === EventType.ExecutionStarted || completionTarget(d.message.event) !== undefined),
  );
}

export function activityKey(instanceId: string, executionId: string | undefined, id: number): string {
  return `${instanceId}\n${executionId}\n${id}`;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
