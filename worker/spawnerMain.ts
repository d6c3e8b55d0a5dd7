// The worker's process launcher (worker/spawner.ts): a small Node.js process that starts step processes for its
// parent over the IPC channel, so that the parent — the whole `npm start` stack, often hundreds of MB — does not
// fork itself once per step. Forking copies the parent's page tables and blocks its event loop until the child has
// exec'd: ≈ 4–5 ms per step in the host process, ≈ 2 ms here. This process holds no state of its own: it relays
// each child's start, output, exit and close, and exits when its parent goes (the channel closes); the children run
// in process groups of their own, as before, which the parent signals itself.
import { spawn } from 'node:child_process';

interface SpawnRequest {
  type: 'spawn';
  id: number;
  program: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const send = (message: object) => {
  if (process.connected) process.send!(message);
};

process.on('message', (m: SpawnRequest) => {
  if (m?.type !== 'spawn') return;
  const { id } = m;
  const started = performance.now();
  let child;
  try {
    child = spawn(m.program, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    send({ type: 'error', id, code: (err as NodeJS.ErrnoException).code, message: (err as Error).message });
    return;
  }
  child.once('spawn', () => send({ type: 'spawned', id, pid: child.pid }));
  child.once('error', (err: NodeJS.ErrnoException) => {
    if (child.pid === undefined) send({ type: 'error', id, code: err.code, message: err.message });
  });
  // Backpressure, as a pipe to the worker had: when the channel's backlog is full, stop reading the step's output
  // (its writes block once the pipe fills) until what was queued has gone out.
  const streams = [child.stdout!, child.stderr!];
  const out = (data: Buffer) => {
    if (!process.connected) return;
    const more = process.send!({ type: 'out', id, data }, () => streams.forEach((s) => s.isPaused() && s.resume()));
    if (!more) streams.forEach((s) => s.pause());
  };
  for (const stream of streams) stream.on('data', out);
  child.once('exit', (exitCode, signal) =>
    send({ type: 'exit', id, exitCode, signal, processMs: performance.now() - started }),
  );
  child.once('close', () => send({ type: 'close', id }));
});
process.on('disconnect', () => process.exit(0));
