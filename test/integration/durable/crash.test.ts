// Crash safety (../shared/docs/durable-protocol.md §5.4): the host child process is SIGKILLed at 10 random moments
// while a 20-activity chain and a 20-wide fan-out run; Azurite runs separately, so storage survives. After the
// restarts every instance completes with the right output, no activity ran twice within one host process, an
// activity ran again only when the host died before its result could be recorded, and no history event is doubled.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { fixture, startHostProcess, uniqueName, type HostProcess } from '../host/hostProcess';
import { sleep, type Status } from './durableHost';

let azurite: RunningAzurite;
let host: HostProcess | undefined;

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
});
after(async () => {
  await host?.stop('SIGKILL');
  await azurite?.stop();
});

/** Sum of 2*i for i < 20: what both orchestrations return. */
const EXPECTED = 2 * ((19 * 20) / 2);
/** A completion is recorded milliseconds after the activity ends; a kill this much later cannot have prevented it. */
const RECORDED_WITHIN_MS = 3000;

test(
  'SIGKILL at 10 random moments: every instance completes, no completed activity runs again',
  { timeout: 240_000 },
  async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'durable-crash-')), 'side-effects.log');
    writeFileSync(file, '');
    const env = {
      TASKHUB_NAME: uniqueName('Crash')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 40),
      SIDE_EFFECT_FILE: file,
    };
    const args = ['--app', fixture('durable-crash'), '--port', '0', '--storage', azurite.connectionString];
    const kills: { pid: number; at: number }[] = [];
    const delays: number[] = [];

    host = await startHostProcess(args, env);
    const started: { id: string; statusQueryGetUri: string }[] = [];
    for (const name of ['crashChain', 'crashFan', 'crashChain', 'crashFan']) {
      const res = await fetch(`${host.baseUrl}/api/start/${name}`, { method: 'POST' });
      assert.equal(res.status, 202);
      started.push((await res.json()) as { id: string; statusQueryGetUri: string });
    }
    for (let i = 0; i < 10; i++) {
      const delay = 300 + Math.floor(Math.random() * 2200);
      delays.push(delay);
      await sleep(delay);
      const pid = host.child.pid!;
      await host.stop('SIGKILL');
      kills.push({ pid, at: Date.now() });
      host = await startHostProcess(args, env);
    }

    // Status URLs carry the first host's port: ask the current host for the same paths.
    const statusUrl = (s: { statusQueryGetUri: string }) =>
      `${host!.baseUrl}${new URL(s.statusQueryGetUri).pathname}${new URL(s.statusQueryGetUri).search}`;
    for (const s of started) {
      const deadline = Date.now() + 120_000;
      for (;;) {
        const res = await fetch(statusUrl(s));
        const body = (await res.json()) as Status;
        if (res.status === 200) {
          assert.equal(body.runtimeStatus, 'Completed', JSON.stringify(body));
          assert.equal(body.output, EXPECTED);
          break;
        }
        assert.ok(
          Date.now() < deadline,
          `instance ${s.id} did not finish (delays ${delays.join(', ')}): ${JSON.stringify(body)}`,
        );
        await sleep(200);
      }
      // No duplicated history events: exactly one completion per scheduled activity.
      const hist = (await (await fetch(`${statusUrl(s)}&showHistory=true`)).json()) as Status;
      const completions = hist.historyEvents!.filter((e) => e.EventType === 'TaskCompleted');
      assert.equal(completions.length, 20, `instance ${s.id}: ${completions.length} TaskCompleted events`);
    }

    const runs = new Map<string, { pid: number; start: number; end: number }[]>();
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const [instanceId, key, pid, start, end] = line.split(' ');
      const list = runs.get(`${instanceId} ${key}`) ?? [];
      list.push({ pid: Number(pid), start: Number(start), end: Number(end) });
      runs.set(`${instanceId} ${key}`, list);
    }
    assert.equal(runs.size, 4 * 20, 'every activity of every instance ran');
    let reruns = 0;
    for (const [key, list] of runs) {
      const pids = list.map((r) => r.pid);
      assert.equal(new Set(pids).size, pids.length, `${key} ran twice in one host process: ${JSON.stringify(list)}`);
      for (let i = 0; i < list.length - 1; i++) {
        reruns++;
        const kill = kills.find((k) => k.pid === list[i].pid);
        assert.ok(kill, `${key} ran again although its first host (pid ${list[i].pid}) was not killed`);
        assert.ok(
          kill.at - list[i].end < RECORDED_WITHIN_MS,
          `${key} completed ${kill.at - list[i].end} ms before its host was killed, yet ran again: ${JSON.stringify(list)}`,
        );
      }
    }
    console.log(`crash test: kill delays ${delays.join(', ')} ms; ${reruns} activity re-runs after kills`);
    await host.stop('SIGKILL');
    host = undefined;
  },
);

test(
  'SIGTERM mid-run: the host stops gracefully and the next host finishes the work',
  { timeout: 120_000 },
  async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'durable-stop-')), 'side-effects.log');
    writeFileSync(file, '');
    const env = {
      TASKHUB_NAME: uniqueName('Stop')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 40),
      SIDE_EFFECT_FILE: file,
    };
    const args = ['--app', fixture('durable-crash'), '--port', '0', '--storage', azurite.connectionString];
    host = await startHostProcess(args, env);
    const res = await fetch(`${host.baseUrl}/api/start/crashChain`, { method: 'POST' });
    const check = (await res.json()) as { statusQueryGetUri: string };
    await sleep(700);
    assert.equal(await host.stop('SIGTERM'), 0, 'the host exits cleanly');
    const ranBefore = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    assert.ok(ranBefore > 0 && ranBefore < 20, `some but not all steps ran before the stop (${ranBefore})`);
    host = await startHostProcess(args, env);
    const url = new URL(check.statusQueryGetUri);
    const statusUrl = `${host.baseUrl}${url.pathname}${url.search}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await fetch(statusUrl);
      const body = (await r.json()) as Status;
      if (r.status === 200) {
        assert.equal(body.output, EXPECTED);
        break;
      }
      assert.ok(Date.now() < deadline, JSON.stringify(body));
      await sleep(100);
    }
    const keys = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')[1]);
    assert.equal(new Set(keys).size, 20);
    assert.equal(keys.length, 20, 'a graceful stop records what ran, so nothing runs twice');
    await host.stop('SIGKILL');
    host = undefined;
  },
);
