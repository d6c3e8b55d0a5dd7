import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/engine';
import { ev } from '../events';
import { unknownOrchestratorMessage } from '../failures';
import { isTerminal, type RuntimeStatusName } from '../protocol';
import type { InstanceQuery, InstanceRow } from '../store/instancesTable';
import type { TaskHubStorage } from '../store/taskHub';
import { formatHistory, statusPayload, type StatusPayload } from './status';

/** A bad argument: the HTTP API answers 400 "One or more of the arguments submitted is incorrect". */
export class ArgumentError extends Error {
  override name = 'ArgumentError';
}

/** Instance ids: as the extension validates them in StartNewAsync. */
const MAX_INSTANCE_ID_LENGTH = 100;
/** Statuses in which a new start with the same id is refused (the extension's default dedupe set). */
const RUNNING: RuntimeStatusName[] = ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'];

export function validateInstanceId(id: string): void {
  if (id.startsWith('@')) throw new ArgumentError('Orchestration instance ids must not start with @.');
  // eslint-disable-next-line no-control-regex
  if (/[/\\?#\u0000-\u001f\u007f-\u009f]/.test(id)) {
    throw new ArgumentError('Orchestration instance ids must not contain /, \\, #, ?, or control characters.');
  }
  if (id.length > MAX_INSTANCE_ID_LENGTH) {
    throw new ArgumentError(`Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`);
  }
}

/** What the DurableClient can do, over the task hub and the engine (the HTTP API is a thin layer on this). */
export class DurableOperations {
  constructor(
    private readonly hub: TaskHubStorage,
    private readonly engine: Engine,
    private readonly orchestrators: () => string[],
  ) {}

  /**
   * Starts an orchestration: the start message is enqueued first, then the instance is recorded as Pending. The row
   * is created without reading it first (ids are nearly always new); only when it exists is it read, and a start
   * for a running instance refused (its message deleted: were the host to die first, the engine would drop it as a
   * start for a running instance).
   */
  async startNew(name: string, instanceId: string | undefined, input: string | null): Promise<string> {
    if (!this.orchestrators().includes(name))
      throw new ArgumentError(unknownOrchestratorMessage(name, this.orchestrators()));
    const id = instanceId || randomUUID().replace(/-/g, '');
    validateInstanceId(id);
    await this.rowsWritten(id);
    const now = new Date().toISOString();
    const executionId = randomUUID().replace(/-/g, '');
    const event = ev.executionStarted({ timestamp: now, instanceId: id, executionId, name, input });
    const sent = await this.engine.sendClientMessage({ instanceId: id, event });
    const row: InstanceRow = {
      instanceId: id,
      name,
      input,
      output: null,
      customStatus: null,
      runtimeStatus: 'Pending',
      createdTime: now,
      lastUpdatedTime: now,
      executionId,
      generation: 0,
    };
    let fresh = true;
    try {
      try {
        await this.hub.instances.put(row, undefined);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw err;
        fresh = false;
        const existing = await this.hub.instances.get(id, false);
        if (existing && RUNNING.includes(existing.runtimeStatus)) {
          throw new Error(`An Orchestration instance with the status ${existing.runtimeStatus} already exists.`);
        }
        await this.hub.instances.put(row, existing?.etag);
      }
    } catch (err) {
      sent.discard();
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 409 || code === 412) throw new Error(`An Orchestration instance with the id ${id} already exists.`);
      throw err;
    }
    // An id with no status row has no history either (the row is written before any episode can run, and purged
    // after the history): its first episode need not read the history table. Were there one after all, the
    // episode's commit fails (the sentinel exists) and the instance is loaded from storage.
    if (fresh) this.engine.assumeNew(id);
    sent.deliver();
    return id;
  }

  /** Waits until this host's pending writes of the instance's status row have landed. */
  private async rowsWritten(instanceId: string): Promise<void> {
    await this.engine.sessions.get(instanceId)?.rows.flush();
  }

  /**
   * The status row with what this host knows and has not written yet laid over it (the row is written behind the
   * history, at most once a second while the instance runs: engine/rows.ts), so a client never sees an older state
   * than the one committed.
   */
  private async currentRow(instanceId: string, withInput: boolean): Promise<InstanceRow | undefined> {
    const view = this.engine.sessions.get(instanceId)?.rows.view();
    const stored = await this.hub.instances.get(instanceId, withInput);
    if (!view) return stored;
    if (stored && view.executionId !== stored.executionId && view.name === undefined) return stored;
    if (!stored && view.name === undefined) return undefined;
    const merged = { ...stored, ...view } as InstanceRow;
    if (!withInput) merged.input = null;
    return merged;
  }

  /**
   * The runtime status of an instance this host is running, from memory (its session is the latest committed state);
   * undefined when the host holds no loaded session for it (then only the status row can tell).
   */
  liveStatus(instanceId: string): string | undefined {
    return this.engine.sessions.get(instanceId)?.state?.status;
  }

  async status(
    instanceId: string,
    opts: { showHistory?: boolean; showHistoryOutput?: boolean; showInput?: boolean } = {},
  ): Promise<StatusPayload | undefined> {
    const showInput = opts.showInput ?? true;
    const row = await this.currentRow(instanceId, showInput);
    if (!row) return undefined;
    let history: unknown[] | undefined;
    if (opts.showHistory && row.runtimeStatus !== 'Pending') {
      const loaded = await this.hub.history.load(instanceId);
      history = formatHistory(
        loaded.records.map((r) => r.event),
        opts.showHistoryOutput ?? false,
        showInput,
      );
    }
    return statusPayload(row, showInput, history);
  }

  async list(query: InstanceQuery, showInput = true): Promise<{ items: StatusPayload[]; continuationToken?: string }> {
    // Final statuses are written at once: wait for those on their way, so a listing agrees with a status query.
    await Promise.all([...this.engine.sessions.values()].map((s) => s.rows.settled()));
    const { rows, continuationToken } = await this.hub.instances.query(query, showInput);
    return { items: rows.map((r) => statusPayload(r, showInput)), continuationToken };
  }

  private async send(instanceId: string, event: ReturnType<typeof ev.eventRaised>): Promise<void> {
    (await this.engine.sendClientMessage({ instanceId, event })).deliver();
  }

  raiseEvent(instanceId: string, name: string, data: string | null): Promise<void> {
    return this.send(instanceId, ev.eventRaised(new Date().toISOString(), name, data));
  }

  terminate(instanceId: string, reason: string | null): Promise<void> {
    return this.send(instanceId, ev.executionTerminated(new Date().toISOString(), reason));
  }

  suspend(instanceId: string, reason: string | null): Promise<void> {
    return this.send(instanceId, ev.executionSuspended(new Date().toISOString(), reason));
  }

  resume(instanceId: string, reason: string | null): Promise<void> {
    return this.send(instanceId, ev.executionResumed(new Date().toISOString(), reason));
  }

  /** Deletes a finished instance's history, status row and blobs; returns how many instances were deleted. */
  async purge(instanceId: string): Promise<number> {
    await this.rowsWritten(instanceId);
    const row = await this.hub.instances.get(instanceId, false);
    if (!row || !isTerminal(row.runtimeStatus)) return 0;
    const s = this.engine.sessions.get(instanceId);
    if (s && !s.running && s.inbox.length === 0) this.engine.sessions.delete(instanceId);
    await this.hub.history.purge(instanceId);
    await this.hub.instances.delete(instanceId);
    return 1;
  }

  async purgeBy(query: InstanceQuery): Promise<number> {
    const { rows } = await this.hub.instances.query(query, false);
    let n = 0;
    for (const row of rows) n += await this.purge(row.instanceId);
    return n;
  }

  /** Starts the instance's orchestration again with its original input, under the same or a new id. */
  async restart(instanceId: string, newInstanceId: boolean): Promise<string> {
    await this.rowsWritten(instanceId);
    const row = await this.hub.instances.get(instanceId, true);
    if (!row) throw new ArgumentError(`An orchestrastion with the instanceId ${instanceId} was not found.`);
    return this.startNew(row.name, newInstanceId ? undefined : instanceId, row.input);
  }
}
