import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { SluiceClient } from '../../../sdk';
import { startFakeServer, type FakeServer, type Seen } from './fakeServer';

/** A step's log as the server keeps it: one text per attempt, and the step's status. */
interface LogState {
  attempts: string[];
  status: string;
}

const PATH = 'GET /api/runs/run-1/steps/train/logs';

function headers(state: LogState, attempt: number, extra: Record<string, string> = {}) {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'sluice-step-status': state.status,
    'sluice-step-attempt': String(attempt),
    ...extra,
  };
}

/** The non-follow read, as shared/api/routes/stepLogs.ts answers it. */
function read(state: LogState, req: Seen, res: ServerResponse) {
  const attempt = Number(req.query.get('attempt') ?? state.attempts.length);
  const offset = Number(req.query.get('offset') ?? 0);
  const bytes = Buffer.from(state.attempts[attempt - 1] ?? '', 'utf8').subarray(offset);
  res.writeHead(200, headers(state, attempt, { 'sluice-log-offset': String(offset + bytes.length) }));
  res.end(bytes);
}

/** A follow response that writes `chunks` (each flushed on its own) and ends. */
async function stream(res: ServerResponse, state: LogState, attempt: number, chunks: (string | Buffer)[]) {
  res.writeHead(200, headers(state, attempt));
  for (const c of chunks) {
    res.write(c);
    await new Promise((r) => setTimeout(r, 5));
  }
  res.end();
}

async function collect(client: SluiceClient): Promise<string> {
  let out = '';
  for await (const text of client.followLogs('run-1', 'train')) out += text;
  return out;
}

describe('SluiceClient log follow', () => {
  let server: FakeServer;
  let client: SluiceClient;
  before(async () => {
    server = await startFakeServer();
    client = new SluiceClient({ url: server.url, token: 't' });
  });
  after(() => server.close());
  beforeEach(() => (server.requests.length = 0));

  const calls = () =>
    server.requests.map((r) => {
      const q = Object.fromEntries(r.query);
      return `${q.follow ? 'follow' : 'read'} offset=${q.offset ?? 0}${q.attempt ? ` attempt=${q.attempt}` : ''}`;
    });

  test('getStepLogs reads text, next offset, status and attempt from the response', async () => {
    const state: LogState = { attempts: ['one\n', 'two\nthree\n'], status: 'Running' };
    server.on(PATH, (req, res) => read(state, req, res));
    const log = await client.getStepLogs('run-1', 'train', { offset: 4 });
    assert.deepEqual(log, { text: 'three\n', nextOffset: 10, status: 'Running', attempt: 2 });
    assert.equal(server.requests[0].headers.authorization, 'Bearer t');
  });

  test('streams chunks as they come (a character split across chunks stays whole) and ends with the step', async () => {
    const text = 'hello wörld\n';
    const bytes = Buffer.from(text);
    const state: LogState = { attempts: [text], status: 'Completed' };
    server.on(PATH, async (req, res) => {
      if (req.query.get('follow') !== 'true') return read(state, req, res);
      const split = bytes.indexOf(0xc3) + 1; // in the middle of "ö"
      await stream(res, state, 1, [bytes.subarray(0, split), bytes.subarray(split)]);
    });
    assert.equal(await collect(client), text);
    assert.deepEqual(calls(), ['follow offset=0', `read offset=${bytes.length}`]);
  });

  test('when the server ends a long response early, it resumes from the byte offset reached', async () => {
    const state: LogState = { attempts: ['part1\n'], status: 'Running' };
    let follows = 0;
    server.on(PATH, async (req, res) => {
      if (req.query.get('follow') !== 'true') {
        if (follows === 1) state.attempts[0] = 'part1\npart2\n';
        return read(state, req, res);
      }
      follows++;
      if (follows === 1) return stream(res, state, 1, ['part1\n']);
      state.attempts[0] += 'part3\n';
      state.status = 'Completed';
      await stream(res, state, 1, ['part3\n']);
    });
    assert.equal(await collect(client), 'part1\npart2\npart3\n');
    assert.deepEqual(calls(), ['follow offset=0', 'read offset=6', 'follow offset=12', 'read offset=18']);
  });

  test('a given attempt is followed alone: every request names it, and marker-like text in it is just text', async () => {
    const state: LogState = { attempts: ['a\n--- attempt 2 ---\nb\n', 'two\n'], status: 'Running' };
    let follows = 0;
    server.on(PATH, async (req, res) => {
      if (req.query.get('follow') !== 'true') return read(state, req, res);
      follows++;
      if (follows === 1) return stream(res, state, 1, ['a\n--- attem', 'pt 2 ---\n']);
      state.status = 'Failed';
      await stream(res, state, 1, []);
    });
    let out = '';
    for await (const text of client.followLogs('run-1', 'train', { attempt: 1 })) out += text;
    assert.equal(out, 'a\n--- attempt 2 ---\nb\n');
    assert.deepEqual(calls(), [
      'follow offset=0 attempt=1',
      'read offset=20 attempt=1',
      'follow offset=22 attempt=1',
      'read offset=22 attempt=1',
    ]);
  });

  test("a retry's marker inside the stream restarts the offset count in the new attempt", async () => {
    const state: LogState = { attempts: ['a1\n', 'b'], status: 'Running' };
    server.on(PATH, async (req, res) => {
      if (req.query.get('follow') !== 'true') {
        state.status = 'Completed';
        return read(state, req, res);
      }
      // The marker arrives split over two chunks.
      await stream(res, state, 1, ['a1\n\n--- attem', 'pt 2 ---\nb']);
    });
    assert.equal(await collect(client), 'a1\n\n--- attempt 2 ---\nb');
    assert.deepEqual(calls(), ['follow offset=0', 'read offset=1']);
  });

  test('an attempt that changed between two connections: the rest of the old one, a marker, then the new one', async () => {
    const state: LogState = { attempts: ['x'], status: 'Running' };
    let follows = 0;
    server.on(PATH, async (req, res) => {
      if (req.query.get('follow') !== 'true') {
        if (follows === 1 && state.attempts.length === 1) {
          state.attempts = ['xyz', 'sec'];
        }
        return read(state, req, res);
      }
      follows++;
      if (follows === 1) return stream(res, state, 1, ['x']);
      state.attempts[1] = 'second';
      state.status = 'Completed';
      await stream(res, state, 2, ['second']);
    });
    assert.equal(await collect(client), 'xyz\n--- attempt 2 ---\nsecond');
    assert.deepEqual(calls(), [
      'follow offset=0',
      'read offset=1',
      'read offset=1 attempt=1',
      'follow offset=0',
      'read offset=6',
    ]);
  });

  test('aborting stops following with an Aborted error', async () => {
    const state: LogState = { attempts: ['tick\n'], status: 'Running' };
    server.on(PATH, async (_req, res) => {
      res.writeHead(200, headers(state, 1));
      res.write('tick\n');
      // never ends on its own
    });
    const controller = new AbortController();
    let got = '';
    const err = await (async () => {
      for await (const text of client.followLogs('run-1', 'train', { signal: controller.signal })) {
        got += text;
        controller.abort();
      }
    })().catch((e: unknown) => e);
    assert.equal(got, 'tick\n');
    assert.equal((err as { code?: string }).code, 'Aborted');
  });
});
