import assert from 'node:assert/strict';
import type { ScheduleDeps } from '../../../shared/schedules';
import { createHarness, type Harness } from '../api/harness';

/** A pipeline whose datastore input `raw` is its only data-path parameter; no source directories. */
export const DATA_PIPELINE = {
  name: 'ingest',
  parameters: { rate: { type: 'float', default: 0.5 } },
  inputs: { raw: { datastore: 'workspaceblobstore', path: 'incoming/' } },
  steps: [
    {
      name: 'look',
      type: 'command',
      command: 'echo',
      arguments: ['${{inputs.raw}}', '${{parameters.rate}}'],
      inputs: ['raw'],
    },
  ],
};

export interface ScheduleHarness extends Harness {
  deps: ScheduleDeps;
  /** Run ids the OnceLauncher started (each at most once, as the durable adapter guarantees). */
  started: string[];
  launchCalls: string[];
  failLaunch?: Error;
  publish(pipeline?: unknown): Promise<string>;
  /** POST /api/schedules; asserts 201 and returns the schedule JSON. */
  create(body: Record<string, unknown>): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  at(iso: string): void;
}

/** The API harness (memory store, fake auth) plus the schedule service's dependencies over the same store. */
export function scheduleHarness(): ScheduleHarness {
  const h = createHarness() as ScheduleHarness;
  h.started = [];
  h.launchCalls = [];
  h.deps = {
    store: h.store,
    defaultCompute: 'cpu',
    now: () => h.clock.now,
    log: { info: () => undefined, warn: (m) => h.logged.push(m), error: (m) => h.logged.push(m) },
    launcher: {
      async startOnce(runId) {
        h.launchCalls.push(runId);
        if (h.failLaunch) throw h.failLaunch;
        if (h.started.includes(runId)) return false;
        h.started.push(runId);
        return true;
      },
    },
  };
  h.publish = async (pipeline = DATA_PIPELINE) => {
    const res = await h.call('POST', 'published-pipelines', { json: { name: 'p', pipeline } });
    assert.equal(res.status, 201, res.text);
    return res.json.id as string;
  };
  h.create = async (body) => {
    const res = await h.call('POST', 'schedules', { json: body });
    assert.equal(res.status, 201, res.text);
    return res.json;
  };
  h.at = (iso) => (h.clock.now = new Date(iso));
  return h;
}
