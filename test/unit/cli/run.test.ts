import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../cli/commands/run';
import { inspectSnapshotArchive, packSnapshot } from '../../../shared/snapshot';
import { runView, sendJson, startFakeServer, stepView, type FakeServer } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';

const SPEC = `name: demo
parameters:
  reg_rate: { type: number, default: 0.01 }
inputs:
  raw_data: { datastore: workspaceblobstore, path: diabetes/ }
data:
  prepped: {}
steps:
  - name: prepare
    type: python
    source_directory: scripts
    script: prep.py
    arguments: [--in, "\${{inputs.raw_data}}", --out, "\${{data.prepped}}"]
    inputs: [raw_data]
    outputs: [prepped]
  - name: train
    type: python
    source_directory: ./scripts/
    script: train.py
    arguments: [--in, "\${{data.prepped}}", --reg, "\${{parameters.reg_rate}}"]
    inputs: [prepped]
`;

describe('sluice run against a fake API', () => {
  let dir: string;
  let spec: string;
  let server: FakeServer;
  let runs: (() => unknown)[] = [];
  let polls = 0;
  let onPoll: (n: number) => void = () => {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cli-run-'));
    mkdirSync(join(dir, 'scripts'));
    writeFileSync(join(dir, 'scripts', 'prep.py'), 'print("prep")\n');
    writeFileSync(join(dir, 'scripts', 'train.py'), 'print("train")\n');
    writeFileSync(join(dir, 'scripts', '.amlignore'), 'data/\n');
    mkdirSync(join(dir, 'scripts', 'data'));
    writeFileSync(join(dir, 'scripts', 'data', 'big.csv'), 'a,b\n');
    spec = join(dir, 'pipeline.yaml');
    writeFileSync(spec, SPEC);
    server = await startFakeServer();
    server.on('POST /api/snapshots', async (req, res) => {
      const { id } = await inspectSnapshotArchive(req.body);
      sendJson(res, 201, { id, size: req.body.length, created: true });
    });
    server.on('POST /api/experiments/demo/runs', (_req, res) =>
      sendJson(res, 202, {
        id: 'run-1',
        status: 'NotStarted',
        experiment: 'demo',
        links: { self: `${server.url}/api/runs/run-1`, cancel: `${server.url}/api/runs/run-1/cancel` },
      }),
    );
    server.on('GET /api/runs/run-1', (_req, res) => {
      const i = Math.min(polls++, runs.length - 1);
      onPoll(polls);
      sendJson(res, 200, runs[i]());
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.requests.length = 0;
    polls = 0;
    onPoll = () => {};
  });

  const requests = () => server.requests.map((r) => `${r.method} ${r.path}`);

  test('uploads the source directory once, submits, and prints the run id and status URL', async () => {
    const f = fakeIo();
    const code = await runCommand(
      [
        spec,
        '--url',
        server.url,
        '--param',
        'reg_rate=0.1',
        '--data',
        'raw_data=workspaceblobstore:other/',
        '--description',
        'first',
      ],
      f.io,
    );
    assert.equal(code, 0, f.stderr());
    const id = packSnapshot(join(dir, 'scripts')).id;
    assert.deepEqual(requests(), ['POST /api/snapshots', 'POST /api/experiments/demo/runs']);
    assert.ok(server.requests.every((r) => r.headers.authorization === 'Bearer test-token'));
    const body = JSON.parse(server.requests[1].body.toString());
    assert.deepEqual(body, {
      pipeline: SPEC,
      parameters: { reg_rate: '0.1' },
      dataPaths: { raw_data: 'workspaceblobstore:other/' },
      snapshots: { scripts: id },
      regenerateOutputs: false,
      continueOnStepFailure: false,
      description: 'first',
    });
    assert.equal(
      f.stdout(),
      [
        `Snapshot of scripts: 3 files, ${packSnapshot(join(dir, 'scripts')).archive.length} B, uploaded (${id.slice(0, 12)})`,
        'Submitted run run-1 (experiment demo, NotStarted).',
        `Status: ${server.url}/api/runs/run-1`,
        'Follow it with: sluice runs show run-1   (or submit with --follow)',
        '',
      ].join('\n'),
    );
    assert.equal(f.stderr(), '');
  });

  test('--json prints only the submitted run on stdout', async () => {
    const f = fakeIo();
    assert.equal(await runCommand([spec, '--url', server.url, '--json', '--experiment', 'demo'], f.io), 0);
    assert.deepEqual(JSON.parse(f.stdout()), {
      id: 'run-1',
      status: 'NotStarted',
      experiment: 'demo',
      links: { self: `${server.url}/api/runs/run-1`, cancel: `${server.url}/api/runs/run-1/cancel` },
    });
  });

  test('a bad spec fails before any request, as file:line:column: path: message', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, SPEC.replace('script: train.py', 'script: /abs/train.py'));
    const f = fakeIo();
    assert.equal(await runCommand([bad, '--url', server.url], f.io), 2);
    assert.equal(
      f.stderr(),
      `${bad}:19:13: steps[1].script: "/abs/train.py" is absolute; write it as a relative path\n`,
    );
    assert.deepEqual(requests(), []);
  });

  test('bad parameter values fail before any request, naming the option and listing the parameters', async () => {
    const f = fakeIo();
    assert.equal(
      await runCommand([spec, '--url', server.url, '--param', 'reg_rate=high', '--param', 'regrate=1'], f.io),
      2,
    );
    assert.equal(
      f.stderr(),
      [
        'sluice: run: --param regrate: unknown parameter "regrate" (did you mean "reg_rate"?)',
        'sluice: run: --param reg_rate: "high" is not a float (a number such as 0.1)',
        "The pipeline's parameters: reg_rate (float, default 0.01), raw_data (datapath, default workspaceblobstore:diabetes/).",
        '',
      ].join('\n'),
    );
    assert.deepEqual(requests(), []);
  });

  test('a missing file is a usage error', async () => {
    await assert.rejects(runCommand([join(dir, 'nope.yaml')], fakeIo().io), {
      name: 'CliUsageError',
      message: `run: ${join(dir, 'nope.yaml')} does not exist`,
    });
  });

  test('--follow shows the steps, reused ones distinctly, then the metrics; exit 0 when Completed', async () => {
    const reused = stepView({
      name: 'prepare',
      status: 'Completed',
      reused: true,
      reusedFrom: { runId: 'run-0', step: 'prepare' },
      reuseReasons: ['nothing changed since run run-0'],
    });
    runs = [
      () => runView({ status: 'Running' }, [reused, { name: 'train', status: 'Queued', attempt: 1 }]),
      () =>
        runView({ status: 'Running' }, [
          reused,
          { name: 'train', status: 'Running', attempt: 1, startedAt: '2024-05-01T10:00:10.000Z' },
        ]),
      () =>
        runView({ status: 'Completed', endedAt: '2024-05-01T10:00:30.000Z', metrics: { Accuracy: 0.77 } }, [
          reused,
          {
            name: 'train',
            status: 'Completed',
            attempt: 1,
            startedAt: '2024-05-01T10:00:10.000Z',
            endedAt: '2024-05-01T10:00:20.000Z',
            durationMs: 10_000,
          },
        ]),
    ];
    const f = fakeIo();
    assert.equal(await runCommand([spec, '--url', server.url, '--follow'], f.io), 0, f.stderr());
    const out = f.stdout();
    assert.match(
      out,
      /\d\d:\d\d:\d\d {2}prepare {2}Reused {2}reused from run run-0 \(step prepare\): nothing changed since run run-0\n/,
    );
    assert.match(out, /\d\d:\d\d:\d\d {2}train {4}Running {2}on cpu\n/);
    assert.match(out, /\d\d:\d\d:\d\d {2}train {4}Completed {2}10s\n/);
    assert.match(out, /\nMetrics\nMETRIC {4}VALUE\nAccuracy {3}0\.77\n\nRun run-1 Completed in 29s\.\n$/);
  });

  test('--follow exits 1 when the run fails; --json prints only the final run', async () => {
    runs = [
      () =>
        runView({ status: 'Failed', error: { code: 'StepFailed', message: 'train failed', step: 'train' } }, [
          { name: 'prepare', status: 'Completed', attempt: 1 },
          { name: 'train', status: 'Failed', attempt: 1 },
        ]),
    ];
    const f = fakeIo();
    assert.equal(await runCommand([spec, '--url', server.url, '--follow', '--json'], f.io), 1);
    const final = JSON.parse(f.stdout());
    assert.equal(final.status, 'Failed');
    assert.equal(final.steps[1].status, 'Failed');
  });

  test('Ctrl-C while following stops following without canceling the run', async () => {
    runs = [() => runView({ status: 'Running' }, [{ name: 'prepare', status: 'Running', attempt: 1 }])];
    const f = fakeIo();
    onPoll = (n) => {
      if (n === 2) setImmediate(() => f.interrupt());
    };
    assert.equal(await runCommand([spec, '--url', server.url, '--follow'], f.io), 130);
    assert.equal(
      f.stderr(),
      'Stopped following; run run-1 goes on (this did not cancel it).\n' +
        '  Check it with:  sluice runs show run-1\n  Cancel it with: sluice runs cancel run-1\n',
    );
    assert.ok(!requests().some((r) => r.endsWith('/cancel')));
  });

  test('errors from the server: a 400 is bad input (exit 2), others exit 1', async () => {
    const f = fakeIo();
    assert.equal(await runCommand([spec, '--url', server.url, '--experiment', 'bad-request'], f.io), 1);
    assert.equal(f.stderr(), 'sluice: run: No API route matches /api/experiments/bad-request/runs\n');

    server.on('POST /api/experiments/four-hundred/runs', (_req, res) =>
      sendJson(res, 400, {
        error: {
          code: 'BadRequest',
          message: 'body.dataPaths.raw_data: datastore "other" does not exist (and 1 more problem)',
          details: {
            issues: [
              { path: 'body.dataPaths.raw_data', message: 'datastore "other" does not exist' },
              { path: 'body.snapshots.scripts', message: 'no snapshot' },
            ],
          },
        },
      }),
    );
    const g = fakeIo();
    assert.equal(await runCommand([spec, '--url', server.url, '--experiment', 'four-hundred'], g.io), 2);
    assert.equal(
      g.stderr(),
      [
        'sluice: run: body.dataPaths.raw_data: datastore "other" does not exist (and 1 more problem)',
        '  body.dataPaths.raw_data: datastore "other" does not exist',
        '  body.snapshots.scripts: no snapshot',
        '',
      ].join('\n'),
    );
  });

  test('an unreachable server exits 1 with one line saying how to start it', async () => {
    const closed = await startFakeServer();
    await closed.close();
    const f = fakeIo();
    assert.equal(await runCommand([spec, '--url', closed.url], f.io), 1);
    assert.equal(
      f.stderr(),
      `sluice: run: Could not reach Sluice at ${closed.url} (ECONNREFUSED). Is it running? Locally, start it with ` +
        '`npm start`; otherwise check --url or SLUICE_URL.\n',
    );
  });
  test('--plan prints each step reused or run and why, and starts nothing', async () => {
    const plan = {
      dryRun: true,
      experiment: 'demo',
      pipelineId: 'p1',
      pipelineName: 'demo',
      regenerateOutputs: false,
      steps: [
        {
          name: 'prepare',
          reuse: true,
          certain: true,
          reasons: ['unchanged since run r0 (step prepare)'],
          reusedFrom: { runId: 'r0', step: 'prepare' },
        },
        { name: 'train', reuse: false, certain: true, reasons: ['parameter reg_rate 0.01 → 0.1'] },
      ],
      summary: { reused: 1, run: 1 },
    };
    server.on('POST /api/experiments/demo/runs', (req, res) =>
      req.query.get('dryRun') === 'true'
        ? sendJson(res, 200, plan)
        : sendJson(res, 500, { error: { code: 'Unexpected', message: 'a plan must not submit' } }),
    );
    const f = fakeIo();
    const code = await runCommand([spec, '--url', server.url, '--param', 'reg_rate=0.1', '--plan'], f.io);
    assert.equal(code, 0, f.stderr());
    assert.deepEqual(requests(), ['POST /api/snapshots', 'POST /api/experiments/demo/runs']);
    assert.equal(server.requests[1].query.get('dryRun'), 'true');
    assert.deepEqual(JSON.parse(server.requests[1].body.toString()).parameters, { reg_rate: '0.1' });
    assert.match(f.stdout(), /^prepare {2}Reused \(from run r0, step prepare\)$/m);
    assert.match(f.stdout(), /^train {4}Runs: parameter reg_rate 0\.01 → 0\.1$/m);
    assert.match(f.stdout(), /^1 reused, 1 to run\. Nothing was started\.$/m);
    await assert.rejects(runCommand([spec, '--url', server.url, '--plan', '--follow'], fakeIo().io), {
      message: 'run: --plan starts nothing, so --follow cannot go with it',
    });
  });
});
