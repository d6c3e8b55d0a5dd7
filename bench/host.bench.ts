// Local host: start-up time of a 20-function app and HTTP trigger throughput for a trivial handler.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startAzurite } from '../local/azurite';
import { repeat, type Bench, type Figure } from './lib';

const ROOT = join(__dirname, '..');
const APP = join(ROOT, 'test', 'fixtures', 'host-bench');

/** Starts the built CLI and resolves when it prints its "listening" line. */
function startHost(storage: string): Promise<{ child: ChildProcess; port: number; ms: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'sluice.js'), 'host', 'start', '--app', APP, '--port', '0', '--storage', storage],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stderr!.on('data', (c: Buffer) => (out += c));
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /Sluice host listening on http:\/\/localhost:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]), ms: performance.now() - started });
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

/** `clients` keep-alive loops, each sending `perClient` requests; returns requests per second. */
async function load(url: string, clients: number, perClient: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = 0; i < perClient; i++) {
        const res = await fetch(url);
        if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
  return (clients * perClient) / ((performance.now() - started) / 1000);
}

/** A plain Node HTTP server answering "pong" in a child process: the baseline for the throughput figure. */
function startBaseline(): Promise<{ child: ChildProcess; port: number }> {
  const code =
    "require('http').createServer((q,s)=>s.end('pong')).listen(0,'127.0.0.1',function(){console.log(this.address().port)})";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) =>
    child.stdout!.once('data', (c: Buffer) => resolve({ child, port: Number(String(c)) })),
  );
}

const bench: Bench = {
  name: 'local Functions host',
  async run(): Promise<Figure[]> {
    // Azurite's own first start is excluded: it runs once, before every measured host start.
    const azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
    try {
      const startup = await repeat(
        5,
        async () => {
          const host = await startHost(azurite.connectionString);
          await stop(host.child);
          return host.ms;
        },
        1,
      );
      const host = await startHost(azurite.connectionString);
      try {
        const url = `http://127.0.0.1:${host.port}/api/ping`;
        await load(url, 4, 100); // warm-up
        const throughput = await repeat(3, () => load(url, 16, 250));
        const baseline = await startBaseline();
        let plain: number[];
        try {
          const plainUrl = `http://127.0.0.1:${baseline.port}/`;
          await load(plainUrl, 4, 100);
          plain = await repeat(3, () => load(plainUrl, 16, 250));
        } finally {
          await stop(baseline.child);
        }
        const ratio = throughput.map((t, i) => t / plain[i]);
        return [
          {
            name: 'host start-up, 20-function app (spawn to "listening" line, Azurite already running)',
            unit: 'ms',
            samples: startup,
          },
          {
            name: 'HTTP trigger throughput, trivial handler (16 keep-alive clients x 250 requests)',
            unit: 'requests/s',
            samples: throughput,
          },
          {
            name: 'same load against a plain Node http server (baseline)',
            unit: 'requests/s',
            samples: plain,
          },
          { name: 'host throughput / baseline', unit: 'x', samples: ratio },
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
