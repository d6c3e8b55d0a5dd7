import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';

export const ROOT = join(__dirname, '..', '..', '..');
export const fixture = (name: string) => join(ROOT, 'test', 'fixtures', name);

export interface HostProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  output(): string;
  /** Resolves when the output matches (checked as lines arrive), rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `node bin/sluice.js host start …` (the built CLI) and waits for its "listening" line. */
export function startHostProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<HostProcess> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('AzureWebJobsStorage' in env)) delete childEnv.AzureWebJobsStorage;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'sluice.js'), 'host', 'start', ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitForOutput = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(out)) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms:\n${out}`)),
        timeoutMs,
      );
      waiters.push({
        pattern,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });

  return new Promise((resolve, reject) => {
    exited.then((code) => reject(new Error(`the host exited (${code}) before listening:\n${out}`)));
    waitForOutput(/Sluice host listening on http:\/\/localhost:(\d+)\n/, 60_000).then(() => {
      const port = Number(/Sluice host listening on http:\/\/localhost:(\d+)/.exec(out)![1]);
      resolve({
        child,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        output: () => out,
        waitForOutput,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    }, reject);
  });
}

export { runCli } from '../support';

/** Reads (and deletes) the messages of a queue (base64-decoded unless told), waiting until `count` have arrived. */
export async function drainQueue(
  connectionString: string,
  queueName: string,
  count: number,
  timeoutMs = 20_000,
  base64 = true,
): Promise<string[]> {
  const queue = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(queueName);
  const got: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    const exists = await queue.exists();
    if (exists) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
      for (const m of receivedMessageItems) {
        got.push(base64 ? Buffer.from(m.messageText, 'base64').toString('utf8') : m.messageText);
        await queue.deleteMessage(m.messageId, m.popReceipt);
      }
    }
    if (got.length < count) await new Promise((r) => setTimeout(r, 200));
  }
  return got;
}

export async function readBlobText(
  connectionString: string,
  container: string,
  name: string,
  timeoutMs = 15_000,
): Promise<string> {
  const blob = BlobServiceClient.fromConnectionString(connectionString)
    .getContainerClient(container)
    .getBlobClient(name);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return (await blob.downloadToBuffer()).toString('utf8');
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Writes a throw-away app under `<repo>/.sluice/test-apps/` (git-ignored; `@azure/functions` still resolves from the
 * repo's node_modules) and returns its folder.
 */
export function makeApp(files: Record<string, string>): string {
  const dir = join(ROOT, '.sluice', 'test-apps', uniqueName('app'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
