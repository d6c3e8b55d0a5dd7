import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArguments, runCommand } from '../../../cli/commands/run';
import { runsCancelCommand, runsListCommand, runsLogsCommand, runsShowCommand } from '../../../cli/commands/runs';
import { CliUsageError } from '../../../cli/errors';
import { fakeIo } from './fakeIo';

const usage = (message: string) => (e: unknown) => {
  assert.ok(e instanceof CliUsageError, `expected a CliUsageError, got ${String(e)}`);
  assert.equal(e.message, message);
  return true;
};

describe('sluice run: arguments', () => {
  test('a full command line', () => {
    const args = parseRunArguments(
      [
        'p.yaml',
        '--experiment',
        'exp-1',
        '--param',
        'reg_rate=0.1',
        '--param',
        'query=a=b',
        '--data',
        'raw_data=workspaceblobstore:diabetes/',
        '--regenerate-outputs',
        '--continue-on-step-failure',
        '--description',
        'try it',
        '--follow',
        '--json',
        '--url',
        'https://sluice.example/api/',
      ],
      {},
    );
    assert.deepEqual(args, {
      file: 'p.yaml',
      url: 'https://sluice.example',
      scope: undefined,
      json: true,
      follow: true,
      plan: false,
      experiment: 'exp-1',
      parameters: { reg_rate: '0.1', query: 'a=b' },
      dataPaths: { raw_data: 'workspaceblobstore:diabetes/' },
      regenerateOutputs: true,
      continueOnStepFailure: true,
      description: 'try it',
    });
  });

  test('the URL comes from --url, else SLUICE_URL, else the local default', () => {
    const url = (argv: string[], env: NodeJS.ProcessEnv) =>
      (parseRunArguments(['p.yaml', ...argv], env) as { url: string }).url;
    assert.equal(url([], {}), 'http://localhost:7071');
    assert.equal(url([], { SLUICE_URL: 'http://127.0.0.1:9999/' }), 'http://127.0.0.1:9999');
    assert.equal(url(['--url', 'http://a:1'], { SLUICE_URL: 'http://b:2' }), 'http://a:1');
  });

  test('--help', async () => {
    assert.equal(parseRunArguments(['--help'], {}), 'help');
    const f = fakeIo();
    assert.equal(await runCommand(['-h'], f.io), 0);
    assert.match(f.stdout(), /^Usage: sluice run FILE \[options\]/);
  });

  const cases: [string, string[], string, NodeJS.ProcessEnv?][] = [
    ['an unknown option', ['p.yaml', '--nope'], 'run: unknown option --nope; see sluice run --help'],
    ['no FILE', [], 'run: missing FILE (usage: sluice run FILE)'],
    ['two files', ['a.yaml', 'b.yaml'], 'run: unexpected argument "b.yaml"; see sluice run --help'],
    ['--url without a value', ['p.yaml', '--url'], 'run: --url needs a value; see sluice run --help'],
    ['a value for a flag', ['p.yaml', '--follow=yes'], 'run: --follow takes no value; see sluice run --help'],
    ['--param without =', ['p.yaml', '--param', 'reg_rate'], 'run: --param "reg_rate" must be written as NAME=VALUE'],
    ['--param without a name', ['p.yaml', '--param', '=1'], 'run: --param "=1" must be written as NAME=VALUE'],
    [
      '--param with a bad name',
      ['p.yaml', '--param', '1x=2'],
      'run: --param "1x=2": "1x" is not a valid name (a letter, then letters, digits, "_" or "-")',
    ],
    [
      'a --param given twice',
      ['p.yaml', '--param', 'a=1', '--param', 'a=2'],
      'run: --param a is given twice; give it once',
    ],
    ['--data without =', ['p.yaml', '--data', 'raw'], 'run: --data "raw" must be written as NAME=DATASTORE:PATH'],
    [
      '--data without a datastore',
      ['p.yaml', '--data', 'raw=diabetes/'],
      'run: --data "raw=diabetes/": the location must be DATASTORE:PATH, e.g. workspaceblobstore:diabetes/',
    ],
    [
      'a bad experiment name',
      ['p.yaml', '--experiment', 'my exp'],
      'run: --experiment "my exp" must be 1–256 letters, digits, "_" or "-", starting with a letter or digit',
    ],
    [
      'a bad --url',
      ['p.yaml', '--url', 'ftp://x'],
      'run: --url "ftp://x" is not an http(s) URL; write it like http://localhost:7071',
    ],
    [
      'a bad SLUICE_URL',
      ['p.yaml'],
      'run: SLUICE_URL "localhost:7071" is not an http(s) URL; write it like http://localhost:7071',
      { SLUICE_URL: 'localhost:7071' },
    ],
  ];
  for (const [name, argv, message, env] of cases) {
    test(`usage error: ${name}`, () => {
      assert.throws(() => parseRunArguments(argv, env ?? {}), usage(message));
    });
  }
});

describe('sluice runs: arguments', () => {
  const cases: [string, (argv: string[], io: ReturnType<typeof fakeIo>['io']) => Promise<number>, string[], string][] =
    [
      [
        'list: a bad status',
        runsListCommand,
        ['--status', 'done'],
        'runs list: --status must be one of NotStarted, Running, Completed, Failed, CancelRequested, Canceled, not "done"',
      ],
      [
        'list: --top 0',
        runsListCommand,
        ['--top', '0'],
        'runs list: --top must be a whole number from 1 to 100, not "0"',
      ],
      [
        'list: --top 101',
        runsListCommand,
        ['--top', '101'],
        'runs list: --top must be a whole number from 1 to 100, not "101"',
      ],
      [
        'list: --top abc',
        runsListCommand,
        ['--top', 'abc'],
        'runs list: --top must be a whole number from 1 to 100, not "abc"',
      ],
      [
        'list: a bad experiment',
        runsListCommand,
        ['--experiment', 'a/b'],
        'runs list: --experiment "a/b" must be 1–256 letters, digits, "_" or "-", starting with a letter or digit',
      ],
      [
        'list: a positional argument',
        runsListCommand,
        ['x'],
        'runs list: unexpected argument "x"; see sluice runs list --help',
      ],
      [
        'list: an unknown option',
        runsListCommand,
        ['--follow'],
        'runs list: unknown option --follow; see sluice runs list --help',
      ],
      ['show: no run id', runsShowCommand, [], 'runs show: missing RUN_ID (usage: sluice runs show RUN_ID)'],
      [
        'show: two run ids',
        runsShowCommand,
        ['a', 'b'],
        'runs show: unexpected argument "b"; see sluice runs show --help',
      ],
      ['logs: no step', runsLogsCommand, ['r1'], 'runs logs: missing STEP (usage: sluice runs logs RUN_ID STEP)'],
      [
        'logs: nothing',
        runsLogsCommand,
        [],
        'runs logs: missing RUN_ID and STEP (usage: sluice runs logs RUN_ID STEP)',
      ],
      [
        'logs: a value for --follow',
        runsLogsCommand,
        ['r', 's', '--follow=1'],
        'runs logs: --follow takes no value; see sluice runs logs --help',
      ],
      [
        'logs: --attempt 0',
        runsLogsCommand,
        ['r', 's', '--attempt', '0'],
        'runs logs: --attempt must be a whole number from 1 to 1000, not "0"',
      ],
      ['cancel: no run id', runsCancelCommand, [], 'runs cancel: missing RUN_ID (usage: sluice runs cancel RUN_ID)'],
      [
        'cancel: --url without a value',
        runsCancelCommand,
        ['r', '--url'],
        'runs cancel: --url needs a value; see sluice runs cancel --help',
      ],
    ];
  for (const [name, command, argv, message] of cases) {
    test(`usage error: ${name}`, async () => {
      const f = fakeIo();
      await assert.rejects(command(argv, f.io), usage(message));
      assert.equal(f.stdout(), '');
      assert.deepEqual(f.urls, [], 'no client is made for bad input');
    });
  }

  test('each command prints its help', async () => {
    for (const [command, first] of [
      [runsListCommand, 'Usage: sluice runs list'],
      [runsShowCommand, 'Usage: sluice runs show RUN_ID'],
      [runsLogsCommand, 'Usage: sluice runs logs RUN_ID STEP [--attempt N] [--follow]'],
      [runsCancelCommand, 'Usage: sluice runs cancel RUN_ID'],
    ] as const) {
      const f = fakeIo();
      assert.equal(await command(['--help'], f.io), 0);
      assert.ok(f.stdout().startsWith(first), f.stdout());
      assert.match(f.stdout(), /--url URL/);
    }
  });
});
