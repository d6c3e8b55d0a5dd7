import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runsCancelCommand, runsListCommand, runsLogsCommand, runsShowCommand } from '../../../cli/commands/runs';
import { runView, sendJson, startFakeServer, type FakeServer } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';

describe('sluice runs against a fake API', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
    const summaries = ['r3', 'r2', 'r1'].map((id) => {
      const { steps: _s, ...rest } = runView({ id, status: 'Completed', endedAt: '2024-05-01T10:00:11.000Z' });
      return rest;
    });
    server.on('GET /api/runs', (req, res) => {
      const token = req.query.get('continuationToken');
      if (req.query.get('status') === 'Canceled') return sendJson(res, 200, { value: [] });
      if (token === 'next') return sendJson(res, 200, { value: summaries.slice(2) });
      sendJson(res, 200, { value: summaries.slice(0, 2), continuationToken: 'next' });
    });
    server.on('GET /api/runs/r1', (_req, res) =>
      sendJson(
        res,
        200,
        runView(
          {
            id: 'r1',
            status: 'Completed',
            endedAt: '2024-05-01T10:00:31.000Z',
            parameters: { reg_rate: 0.1 },
            dataPaths: { raw_data: { datastore: 'workspaceblobstore', path: 'diabetes/' } },
            metrics: { Accuracy: 0.77 },
          },
          [
            {
              name: 'prepare',
              status: 'Completed',
              reused: true,
              reusedFrom: { runId: 'r0', step: 'prepare' },
              reuseReasons: ['input raw_data unchanged'],
              outputs: [
                {
                  name: 'prepped',
                  container: 'pipeline-data',
                  path: 'r0/prepare/prepped/',
                  files: [{ name: 'data.csv', size: 2048, md5: 'x' }],
                  fingerprint: 'f',
                },
              ],
            },
            {
              name: 'train',
              status: 'Completed',
              attempt: 1,
              startedAt: '2024-05-01T10:00:10.000Z',
              endedAt: '2024-05-01T10:00:30.000Z',
              durationMs: 20_000,
              reuseReasons: ['parameter reg_rate 0.01 → 0.1'],
              metrics: [
                { name: 'Accuracy', kind: 'scalar', value: 0.7, time: 't1' },
                { name: 'Accuracy', kind: 'scalar', value: 0.77, time: 't2' },
                { name: 'loss', kind: 'list', value: [0.9, 0.5, 0.3], time: 't3' },
              ],
            },
          ],
        ),
      ),
    );
    server.on('GET /api/runs/r1/steps/train/logs', (req, res) => {
      res.writeHead(200, {
        'content-type': 'text/plain; charset=utf-8',
        'sluice-step-status': 'Completed',
        'sluice-step-attempt': '1',
        'sluice-log-offset': '12',
      });
      res.end(req.query.get('follow') === 'true' || (req.query.get('offset') ?? '0') === '0' ? 'epoch 1\ndone\n' : '');
    });
    server.on('POST /api/runs/r1/cancel', (_req, res) =>
      sendJson(res, 409, {
        error: { code: 'RunEnded', message: 'Run "r1" has already ended (Completed); there is nothing to cancel.' },
      }),
    );
    server.on('POST /api/runs/r2/cancel', (_req, res) =>
      sendJson(res, 202, { id: 'r2', status: 'CancelRequested', experiment: 'demo', links: {} }),
    );
    server.on('GET /api/runs/secret', (_req, res) =>
      sendJson(res, 401, { error: { code: 'Unauthorized', message: 'The bearer token is signed by an unknown key.' } }),
    );
  });
  after(() => server.close());
  beforeEach(() => (server.requests.length = 0));

  test('runs list: a table, and a hint on stderr when more runs match', async () => {
    const f = fakeIo();
    assert.equal(
      await runsListCommand(['--url', server.url, '--experiment', 'demo', '--status', 'completed'], f.io),
      0,
    );
    const lines = f.stdout().trimEnd().split('\n');
    assert.match(lines[0], /^RUN ID\s+EXPERIMENT\s+STATUS/);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/)[0]),
      ['r3', 'r2'],
    );
    assert.equal(f.stderr(), 'More runs match; add --all to list them all (or raise --top).\n');
    assert.deepEqual(Object.fromEntries(server.requests[0].query), { experiment: 'demo', status: 'Completed' });
  });

  test('runs list --all --json: every page, JSON only', async () => {
    const f = fakeIo();
    assert.equal(await runsListCommand(['--url', server.url, '--all', '--json'], f.io), 0);
    assert.deepEqual(
      JSON.parse(f.stdout()).value.map((r: { id: string }) => r.id),
      ['r3', 'r2', 'r1'],
    );
    assert.equal(server.requests.length, 2);
    assert.equal(server.requests[0].query.get('top'), '100');
    assert.equal(f.stderr(), '');
  });

  test('runs list with no match', async () => {
    const f = fakeIo();
    assert.equal(await runsListCommand(['--url', server.url, '--status', 'Canceled'], f.io), 0);
    assert.equal(f.stdout(), 'No runs found.\n');
  });

  test('runs show: fields, steps with why each was reused or ran, outputs, metrics', async () => {
    const f = fakeIo();
    assert.equal(await runsShowCommand(['r1', '--url', server.url], f.io), 0);
    const out = f.stdout();
    assert.match(out, /^Run r1\n {2}Experiment {2}demo\n {2}Status {6}Completed\n/);
    assert.match(out, /\n {2}Parameters {2}reg_rate=0\.1\n {2}Data paths {2}raw_data=workspaceblobstore:diabetes\/\n/);
    assert.match(out, /\nprepare {2}Reused {12}- {2}reused from run r0 \(step prepare\): input raw_data unchanged\n/);
    assert.match(out, /\ntrain {4}Completed {7}20s {2}ran: parameter reg_rate 0\.01 → 0\.1\n/);
    assert.match(
      out,
      /\nOutputs\nSTEP\s+DATA\s+LOCATION\s+FILES\s+SIZE\nprepare\s+prepped\s+pipeline-data\/r0\/prepare\/prepped\/\s+1\s+2\.0 KiB\n/,
    );
    assert.match(
      out,
      /\nMetrics\nSTEP\s+METRIC\s+VALUE\ntrain\s+Accuracy\s+0\.77\ntrain\s+loss\s+\[3 values\] last 0\.3\n$/,
    );
  });

  test('runs show --json prints the run as the API returned it', async () => {
    const f = fakeIo();
    assert.equal(await runsShowCommand(['r1', '--url', server.url, '--json'], f.io), 0);
    assert.equal(JSON.parse(f.stdout()).steps[1].name, 'train');
  });

  test('runs show of a missing run: exit 1 with the server message', async () => {
    const f = fakeIo();
    assert.equal(await runsShowCommand(['nope', '--url', server.url], f.io), 1);
    assert.equal(f.stderr(), 'sluice: runs show: No API route matches /api/runs/nope\n');
    assert.equal(f.stdout(), '');
  });

  test('a 401 from a local host says where the development key must be', async () => {
    const f = fakeIo();
    assert.equal(await runsShowCommand(['secret', '--url', server.url], f.io), 1);
    assert.equal(
      f.stderr(),
      'sluice: runs show: The bearer token is signed by an unknown key.\n' +
        'The local host trusts tokens signed with the development key in <app folder>/.sluice/auth/; run sluice from ' +
        'the folder the host was started in (where you ran `npm start`).\n',
    );
  });

  test('runs logs prints the log; --follow streams it; --json wraps it', async () => {
    const plain = fakeIo();
    assert.equal(await runsLogsCommand(['r1', 'train', '--url', server.url], plain.io), 0);
    assert.equal(plain.stdout(), 'epoch 1\ndone\n');

    const follow = fakeIo();
    assert.equal(await runsLogsCommand(['r1', 'train', '--follow', '--url', server.url], follow.io), 0);
    assert.equal(follow.stdout(), 'epoch 1\ndone\n');

    const json = fakeIo();
    assert.equal(await runsLogsCommand(['r1', 'train', '--json', '--url', server.url], json.io), 0);
    assert.deepEqual(JSON.parse(json.stdout()), {
      runId: 'r1',
      step: 'train',
      text: 'epoch 1\ndone\n',
      nextOffset: 12,
      status: 'Completed',
      attempt: 1,
    });
  });

  test('runs cancel: requested, or exit 1 when the run already ended', async () => {
    const ok = fakeIo();
    assert.equal(await runsCancelCommand(['r2', '--url', server.url], ok.io), 0);
    assert.equal(ok.stdout(), 'Cancel requested for run r2 (CancelRequested); its running steps are being stopped.\n');

    const ended = fakeIo();
    assert.equal(await runsCancelCommand(['r1', '--url', server.url], ended.io), 1);
    assert.equal(
      ended.stderr(),
      'sluice: runs cancel: Run "r1" has already ended (Completed); there is nothing to cancel.\n',
    );
  });

  test('every command sends the bearer token', async () => {
    await runsShowCommand(['r1', '--url', server.url], fakeIo().io);
    await runsCancelCommand(['r2', '--url', server.url], fakeIo().io);
    assert.ok(server.requests.length >= 2);
    assert.ok(server.requests.every((r) => r.headers.authorization === 'Bearer test-token'));
  });
});
