import { readFileSync } from 'node:fs';
// Durable engine on Azurite: ms per activity in a 100-activity sequence and wall time of a 1,000-wide fan-out/fan-in,
// through a `sluice host start` child process (the conformance app) and the public HTTP API. Baseline, measured on
// the same Azurite in the same run: the storage work one sequential activity cannot avoid (send a work item, commit
// its history in one entity-group transaction, delete the work item).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { startAzurite } from '../local/azurite';
import { repeat, type Bench, type Figure } from './lib';

const ROOT = join(__dirname, '..');
const APP = join(ROOT, 'test', 'fixtures', 'durable-conformance');

function startHost(storage: string, hub: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'sluice.js'), 'host', 'start', '--app', APP, '--port', '0', '--storage', storage],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TASKHUB_NAME: hub } },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stderr!.on('data', (c: Buffer) => (out += c));
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /Sluice host listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`host exited (${code}):\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts an orchestration through the HTTP API and polls its status every 5 ms; returns the wall time in ms. */
async function run(port: number, name: string, input: unknown, expected: unknown): Promise<number> {
  const api = `http://127.0.0.1:${port}/runtime/webhooks/durabletask`;
  // The webhooks take the host's durabletask_extension system key (written to the app's keys file on first start).
  const keys = JSON.parse(readFileSync(join(APP, '.sluice', 'keys.json'), 'utf8')) as {
    systemKeys: Record<string, string>;
  };
  const headers = { 'x-functions-key': keys.systemKeys.durabletask_extension };
  const started = performance.now();
  const res = await fetch(`${api}/orchestrators/${name}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const { id } = (await res.json()) as { id: string };
  for (;;) {
    const status = await fetch(`${api}/instances/${id}?showInput=false`, { headers });
    const body = (await status.json()) as { runtimeStatus: string; output: unknown };
    if (status.status === 200) {
      if (JSON.stringify(body.output) !== JSON.stringify(expected)) {
        throw new Error(`${name} ended ${body.runtimeStatus} with ${JSON.stringify(body.output)}`);
      }
      return performance.now() - started;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One sequential activity's unavoidable storage work on this Azurite, in ms. */
async function storageBaseline(connectionString: string): Promise<number> {
  const queue = new QueueClient(connectionString, `baseline-${Date.now()}`);
  await queue.create();
  const table = TableClient.fromConnectionString(connectionString, `Baseline${Date.now()}`, {
    allowInsecureConnection: true,
  });
  await table.createTable();
  const n = 50;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const sent = await queue.sendMessage(JSON.stringify({ i, event: 'TaskScheduled' }), {
      messageTimeToLive: -1,
      visibilityTimeout: 30,
    });
    await table.submitTransaction([
      ...[0, 1, 2, 3].map(
        (k) =>
          [
            'upsert',
            { partitionKey: 'p', rowKey: `${i}-${k}`, EventType: 'TaskCompleted', Result: '1' },
            'Replace',
          ] as const,
      ),
      ['upsert', { partitionKey: 'p', rowKey: 'sentinel', EventCount: i }, 'Replace'] as const,
    ] as never);
    await queue.deleteMessage(sent.messageId, sent.popReceipt);
  }
  return (performance.now() - started) / n;
}

const bench: Bench = {
  name: 'Durable engine (local host on Azurite)',
  async run(): Promise<Figure[]> {
    const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    try {
      const host = await startHost(azurite.connectionString, `Bench${Date.now().toString(36)}`);
      try {
        const expectedLast = 99 * 99;
        await run(host.port, 'sequence', 100, expectedLast); // warm-up
        await run(host.port, 'fanOut', 1000, (1000 * 1001 * 2001) / 6);
        const sequential = await repeat(5, async () => (await run(host.port, 'sequence', 100, expectedLast)) / 100);
        const fanOut = await repeat(3, () => run(host.port, 'fanOut', 1000, (1000 * 1001 * 2001) / 6));
        const baseline = await repeat(3, () => storageBaseline(azurite.connectionString));
        return [
          { name: 'ms per activity, 100-activity sequence', unit: 'ms', samples: sequential, target: '<= 10' },
          { name: 'wall time, 1,000-activity fan-out/fan-in', unit: 'ms', samples: fanOut, target: '<= 5000' },
          {
            name: 'baseline: send + 5-row history transaction + delete on this Azurite',
            unit: 'ms',
            samples: baseline,
          },
          {
            name: 'sequential activity / baseline',
            unit: 'x',
            samples: sequential.slice(0, 3).map((s, i) => s / baseline[i]),
          },
        ];
      } finally {
        await stop(host.child);
      }
    } finally {
      await azurite.stop();
    }
  },
};

export default bench;
