import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration } from '../../../cli/format/duration';
import { createFollowView } from '../../../cli/format/follow';
import { renderRun, renderRunList } from '../../../cli/format/runDetails';
import { orderSteps, stepDetail, stepTable } from '../../../cli/format/runView';
import { colorEnabled, createStyle, stripAnsi, truncateVisible, visibleWidth } from '../../../cli/format/style';
import { renderTable } from '../../../cli/format/table';
import type { Run, RunSummary, StepRun } from '../../../sdk';
import { runView, stepView } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';

const plain = createStyle(false);
const color = createStyle(true);
const NOW = Date.parse('2024-05-01T10:01:00.000Z');

const run = (overrides: Record<string, unknown>, steps: Record<string, unknown>[]) =>
  runView(overrides, steps) as unknown as Run;

describe('tables', () => {
  test('columns are padded to the widest cell, right-aligned where asked, trailing spaces trimmed', () => {
    const lines = renderTable(
      [{ header: 'STEP' }, { header: 'TIME', align: 'right' }, { header: 'NOTE' }],
      [
        ['prepare', '7.1s', ''],
        ['train', '1m 05s', 'attempt 2'],
      ],
    );
    assert.deepEqual(lines, ['STEP       TIME  NOTE', 'prepare    7.1s', 'train    1m 05s  attempt 2']);
  });

  test('colour codes take no width', () => {
    const lines = renderTable([{ header: 'A' }, { header: 'B' }], [[color.green('ok'), 'x']]);
    assert.deepEqual(lines.map(stripAnsi), ['A   B', 'ok  x']);
    assert.equal(visibleWidth(color.red('abc')), 3);
  });

  test('truncating keeps colours balanced', () => {
    assert.equal(truncateVisible('abcdef', 4), 'abc…');
    assert.equal(truncateVisible('abc', 4), 'abc');
    const cut = truncateVisible(color.green('abcdef'), 4);
    assert.equal(stripAnsi(cut), 'abc…');
    assert.ok(cut.endsWith('\x1b[0m'));
  });

  test('durations', () => {
    assert.equal(formatDuration(0), '0.0s');
    assert.equal(formatDuration(430), '0.4s');
    assert.equal(formatDuration(7_160), '7.1s');
    assert.equal(formatDuration(42_900), '42s');
    assert.equal(formatDuration(185_000), '3m 05s');
    assert.equal(formatDuration(2 * 3_600_000 + 7 * 60_000), '2h 07m');
    assert.equal(formatDuration(-1), '-');
  });

  test('colours only on a terminal, never with NO_COLOR, always with FORCE_COLOR', () => {
    assert.equal(colorEnabled({ isTTY: true }, {}), true);
    assert.equal(colorEnabled({ isTTY: false }, {}), false);
    assert.equal(colorEnabled({}, {}), false);
    assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colorEnabled({ isTTY: true }, { TERM: 'dumb' }), false);
    assert.equal(colorEnabled({ isTTY: false }, { FORCE_COLOR: '1' }), true);
  });
});

describe('run views', () => {
  const steps = [
    stepView({
      name: 'prepare',
      status: 'Completed',
      attempt: 0,
      reused: true,
      reusedFrom: { runId: 'run-0', step: 'prepare' },
      reuseReasons: ['inputs, code and parameters unchanged since run run-0'],
    }),
    stepView({
      name: 'train',
      status: 'Running',
      attempt: 2,
      startedAt: '2024-05-01T10:00:30.000Z',
      reuseReasons: { reuse: false, reasons: ['parameter reg_rate 0.01 → 0.1'] },
    }),
    stepView({
      name: 'score',
      status: 'Failed',
      attempt: 1,
      startedAt: '2024-05-01T10:00:00.000Z',
      endedAt: '2024-05-01T10:00:02.500Z',
      durationMs: 2500,
      exitCode: 3,
      error: { code: 'StepFailed', message: 'score.py exited with code 3\nTraceback…' },
    }),
    stepView({ name: 'report', status: 'NotStarted' }),
  ];

  test('the step table shows reused steps as Reused, with where the result came from and why', () => {
    assert.deepEqual(stepTable(run({}, steps), NOW, plain, { reasons: false }), [
      'STEP     STATUS      DURATION  DETAILS',
      'prepare  Reused             -  reused from run run-0 (step prepare): inputs, code and parameters unchanged since run run-0',
      'train    Running          30s  attempt 2, on cpu',
      'score    Failed          2.5s  score.py exited with code 3',
      'report   NotStarted         -',
    ]);
  });

  test('steps are listed in the order they run, not by name', () => {
    const listed = [
      stepView({ name: 'a-report', dependsOn: ['train', 'score'] }),
      stepView({ name: 'prep' }),
      stepView({ name: 'score', dependsOn: ['train'] }),
      stepView({ name: 'train', dependsOn: ['prep'] }),
      stepView({ name: 'zz-independent' }),
    ] as unknown as StepRun[];
    assert.deepEqual(
      orderSteps(listed).map((s) => s.name),
      ['prep', 'train', 'score', 'a-report', 'zz-independent'],
    );
  });

  test('with reasons, a step that ran says why', () => {
    const train = steps[1] as unknown as StepRun;
    assert.equal(stepDetail(train, { reasons: true }), 'attempt 2, on cpu, ran: parameter reg_rate 0.01 → 0.1');
  });

  test("a step's display name is shown with its id", () => {
    const named = [stepView({ name: 'Prepare_Data', displayName: 'Prepare Data', status: 'NotStarted' })];
    assert.deepEqual(stepTable(run({}, named), NOW, plain, { reasons: false }), [
      'STEP                         STATUS      DURATION  DETAILS',
      'Prepare Data (Prepare_Data)  NotStarted         -',
    ]);
  });

  test('statuses are coloured on a terminal', () => {
    const [, reused, running] = stepTable(run({}, steps), NOW, color, { reasons: false });
    assert.ok(reused.includes('\x1b[35mReused\x1b[39m'));
    assert.ok(running.includes('\x1b[36mRunning\x1b[39m'));
  });

  test('runs list', () => {
    const summary = {
      ...runView({ id: 'run-7', status: 'Completed', endedAt: '2024-05-01T10:03:06.000Z' }),
    } as unknown as RunSummary;
    const lines = renderRunList([summary], NOW, plain);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^RUN ID\s+EXPERIMENT\s+STATUS\s+CREATED\s+DURATION\s+TRIGGER$/);
    assert.match(lines[1], /^run-7\s+demo\s+Completed\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+3m 05s\s+manual$/);
    const interactive = { ...summary, id: 'nb-1', kind: 'interactive' } as RunSummary;
    assert.match(renderRunList([interactive], NOW, plain)[1], /^nb-1\s.*\sinteractive$/);
  });
});

describe('follow views', () => {
  const at = (status: string, stepStatus: string, extra: Record<string, unknown> = {}) =>
    run({ status }, [
      stepView({
        name: 'prepare',
        status: 'Completed',
        reused: true,
        reusedFrom: { runId: 'run-0', step: 'prepare' },
        reuseReasons: ['unchanged'],
      }),
      stepView({ name: 'train', status: stepStatus, attempt: stepStatus === 'NotStarted' ? 0 : 1, ...extra }),
    ]);

  test('off a terminal: one line per change, reused steps with their reason, then the table and the metrics', () => {
    const f = fakeIo();
    const view = createFollowView(f.io, plain, false);
    view.update(at('Running', 'NotStarted'));
    view.update(at('Running', 'Queued'));
    view.update(at('Running', 'Queued'));
    view.update(at('Running', 'Running', { startedAt: '2024-05-01T10:00:10.000Z' }));
    const done = {
      ...at('Completed', 'Completed', {
        startedAt: '2024-05-01T10:00:10.000Z',
        endedAt: '2024-05-01T10:00:17.100Z',
        durationMs: 7100,
        metrics: [{ name: 'Accuracy', kind: 'scalar', value: 0.774, time: 'x' }],
      }),
      endedAt: '2024-05-01T10:00:20.000Z',
      metrics: { Accuracy: 0.774, AUC: 0.8512345678 },
    } as Run;
    view.finish(done);
    const clock = /^\d\d:\d\d:\d\d {2}/;
    const lines = f.stdout().split('\n');
    assert.ok(
      lines.slice(0, 5).every((l) => clock.test(l)),
      f.stdout(),
    );
    assert.deepEqual(
      lines.map((l) => l.replace(clock, '')),
      [
        'run      Running',
        'prepare  Reused  reused from run run-0 (step prepare): unchanged',
        'train    Queued  on cpu',
        'train    Running  on cpu',
        'train    Completed  7.1s',
        'run      Completed',
        '',
        'STEP     STATUS     DURATION  DETAILS',
        'prepare  Reused            -  reused from run run-0 (step prepare): unchanged',
        'train    Completed      7.1s',
        '',
        'Metrics',
        'METRIC       VALUE',
        'Accuracy     0.774',
        'AUC       0.851235',
        '',
        'Run run-1 Completed in 19s.',
        '',
      ],
    );
  });

  test("off a terminal, a running step's line again each time its progress moves; the table shows the last", () => {
    const f = fakeIo();
    const view = createFollowView(f.io, plain, false);
    const progress = (done: number, failed = 0) => ({
      startedAt: '2024-05-01T10:00:10.000Z',
      progress: { unit: 'mini-batches', done, failed, total: 100, perSecond: 12.5, updatedAt: 'x' },
    });
    view.update(at('Running', 'Running', progress(0)));
    view.update(at('Running', 'Running', progress(0)));
    view.update(at('Running', 'Running', progress(40, 1)));
    const done = at('Completed', 'Completed', {
      ...progress(99, 1),
      endedAt: '2024-05-01T10:00:18.000Z',
      durationMs: 8000,
    });
    view.finish(done);
    const lines = f
      .stdout()
      .split('\n')
      .map((l) => l.replace(/^\d\d:\d\d:\d\d {2}/, ''));
    assert.deepEqual(lines.slice(0, 6), [
      'run      Running',
      'prepare  Reused  reused from run run-0 (step prepare): unchanged',
      'train    Running  0/100 mini-batches, 12.5/s, on cpu',
      'train    Running  40/100 mini-batches, 1 failed, 12.5/s, on cpu',
      'train    Completed  8.0s  99/100 mini-batches, 1 failed',
      'run      Completed',
    ]);
    assert.ok(lines.includes('train    Completed      8.0s  99/100 mini-batches, 1 failed'), f.stdout());
  });

  test('a failed run ends with the error and where to read the log', () => {
    const f = fakeIo();
    const view = createFollowView(f.io, plain, false);
    const failed = {
      ...at('Failed', 'Failed', { startedAt: '2024-05-01T10:00:10.000Z', endedAt: '2024-05-01T10:00:12.000Z' }),
      endedAt: '2024-05-01T10:00:13.000Z',
      error: { code: 'StepFailed', message: 'step train failed: exit code 1', step: 'train' },
    } as Run;
    view.finish(failed);
    assert.match(
      f.stdout(),
      /\nRun run-1 Failed after 12s: step train failed: exit code 1\nSee its log: sluice runs logs run-1 train\n$/,
    );
  });

  test('on a terminal the table is redrawn in place', () => {
    const f = fakeIo({ tty: true, columns: 60 });
    const view = createFollowView(f.io, plain, true);
    view.update(at('Running', 'Queued'));
    const first = f.stdout();
    assert.ok(first.startsWith('\x1b[0J'), 'the first frame only clears below the cursor');
    const frameLines = first.split('\n').length - 1;
    view.update(at('Running', 'Running', { startedAt: '2024-05-01T10:00:10.000Z' }));
    const second = f.stdout().slice(first.length);
    assert.ok(second.startsWith(`\x1b[${frameLines}F\x1b[0J`), 'the next frame moves up over the previous one');
    assert.ok(
      second.split('\n').every((l) => visibleWidth(l.replace(`\x1b[${frameLines}F`, '')) <= 59),
      'lines fit the terminal',
    );
    assert.match(second, /Reused/);
  });
});

test('runs show of an interactive run names its kind and shows no step table', () => {
  const shown = run({ status: 'Running', kind: 'interactive', pipelineId: '', metrics: { rows: 1000 } }, []);
  const lines = renderRun(shown, NOW, plain);
  assert.ok(
    lines.some((l) => /Kind\s+interactive \(Experiment.start_logging\)/.test(l)),
    lines.join('\n'),
  );
  assert.equal(
    lines.some((l) => l.startsWith('Pipeline') || l.startsWith('STEP')),
    false,
    lines.join('\n'),
  );
  assert.ok(
    lines.some((l) => /rows/.test(l)),
    'its metrics are shown',
  );
});

test('runs show prints a warning the server gives about a compute target nothing serves, above the steps', () => {
  const message = 'No worker has served compute target "gpu" ever; step(s) train wait for one.';
  const shown = run({ status: 'Running', warnings: [{ compute: 'gpu', steps: ['train'], message }] }, [
    { name: 'train', status: 'Queued', compute: 'gpu' },
  ]);
  const lines = renderRun(shown, NOW, plain);
  const at = lines.indexOf(`Warning: ${message}`);
  assert.ok(at > 0, lines.join('\n'));
  assert.ok(lines.findIndex((l) => l.startsWith('STEP')) > at, 'the warning comes before the step table');
  assert.equal(
    renderRun(run({ status: 'Running' }, [{ name: 'train', status: 'Queued' }]), NOW, plain).some((l) =>
      l.startsWith('Warning'),
    ),
    false,
  );
});
