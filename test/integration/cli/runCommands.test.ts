import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { appSettings, ROOT, spawnCli, startHostProcess, stopProcesses } from '../support';

/**
 * The real `sluice` CLI (bin/sluice.js, built) against the real stack: `sluice host start` on this app over Azurite,
 * one worker serving `cpu`, python3 steps. Tokens come from the development key in the repository folder, as they
 * do for a user who runs `npm start` and then `npx sluice …` in the same folder.
 */

const CLI = join(ROOT, 'bin', 'sluice.js');
let azurite: RunningAzurite;
const children: ChildProcess[] = [];
let url = '';
let work = '';
const experiment = `cli-${randomUUID().slice(0, 8)}`;

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function sluice(args: string[], options: { onStdout?: (text: string, child: ChildProcess) => void } = {}) {
  return new Promise<Result>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, SLUICE_URL: url, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function background(args: string[], env: NodeJS.ProcessEnv, onOutput: (text: string) => void): ChildProcess {
  const child = spawnCli(args, env, onOutput);
  children.push(child);
  return child;
}

const PIPELINE = `name: cli-demo
parameters:
  greeting: { type: string, default: hello }
data:
  words: {}
steps:
  - name: write
    type: python
    source_directory: src
    script: write.py
    arguments: [--out, "\${{data.words}}", --greeting, "\${{parameters.greeting}}"]
    outputs: [words]
  - name: count
    type: python
    source_directory: ./src/
    script: count.py
    arguments: [--words, "\${{data.words}}"]
    inputs: [words]
`;

const WRITE_PY = `import argparse, os
from azureml.core import Run
p = argparse.ArgumentParser()
p.add_argument("--out"); p.add_argument("--greeting")
a = p.parse_args()
os.makedirs(a.out, exist_ok=True)
with open(os.path.join(a.out, "words.txt"), "w") as f:
    f.write(a.greeting + " world\\n")
print("wrote", a.greeting)
`;

const COUNT_PY = `import argparse, os
from azureml.core import Run
p = argparse.ArgumentParser()
p.add_argument("--words")
a = p.parse_args()
path = a.words if os.path.isfile(a.words) else os.path.join(a.words, "words.txt")
n = len(open(path).read().split())
print("counted", n, "words")
Run.get_context().log("word_count", n)
`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'cli-it-'));
  mkdirSync(join(work, 'src'));
  writeFileSync(join(work, 'src', 'write.py'), WRITE_PY);
  writeFileSync(join(work, 'src', 'count.py'), COUNT_PY);
  writeFileSync(join(work, 'src', 'fail.py'), 'import sys\nprint("about to fail")\nsys.exit(3)\n');
  writeFileSync(join(work, 'pipeline.yaml'), PIPELINE);
  writeFileSync(
    join(work, 'failing.yaml'),
    'name: cli-failing\nsteps:\n  - name: boom\n    type: python\n    source_directory: src\n    script: fail.py\n',
  );
  writeFileSync(
    join(work, 'slow.yaml'),
    'name: cli-slow\nsteps:\n  - name: nap\n    type: command\n    command: sleep\n    arguments: ["60"]\n',
  );

  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  const env = appSettings(azurite.connectionString, 'Cli');
  const host = await startHostProcess(azurite.connectionString, env);
  children.push(host.child);
  background(['worker', '--compute', 'cpu', '--storage', azurite.connectionString], env, () => undefined);
  url = `http://localhost:${host.port}`;
});

after(async () => {
  await stopProcesses(children);
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('sluice run and sluice runs on the real stack', () => {
  let runId = '';

  test('run --follow: snapshot upload, live steps, metrics, exit 0', async () => {
    const r = await sluice([
      'run',
      join(work, 'pipeline.yaml'),
      '--experiment',
      experiment,
      '--param',
      'greeting=hi',
      '--follow',
    ]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^Snapshot of src: 3 files, .*, uploaded \([0-9a-f]{12}\)\n/);
    runId = /Submitted run (\S+) \(experiment /.exec(r.stdout)![1];
    assert.match(r.stdout, new RegExp(`Status: ${url}/api/runs/${runId}\n`));
    assert.match(r.stdout, /\d\d:\d\d:\d\d {2}write {2}Completed {2}\S+\n/);
    assert.match(r.stdout, /\d\d:\d\d:\d\d {2}count {2}Completed {2}\S+\n/);
    assert.match(r.stdout, /\nMetrics\nMETRIC {6}VALUE\nword_count {6}2\n/);
    assert.match(r.stdout, new RegExp(`\nRun ${runId} Completed in \\S+\\.\n$`));
    assert.equal(r.stderr, '');
  });

  test('runs list --json, runs show, runs logs', async () => {
    const list = await sluice(['runs', 'list', '--experiment', experiment, '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      JSON.parse(list.stdout).value.map((r: { id: string; status: string }) => [r.id, r.status]),
      [[runId, 'Completed']],
    );

    const show = await sluice(['runs', 'show', runId]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /\n {2}Parameters {2}greeting=hi\n/);
    assert.match(show.stdout, /\nwrite {2}Completed .*\ncount {2}Completed/);
    assert.match(show.stdout, new RegExp(`\nwrite +words +pipeline-data/${runId}/write/words/ +1 +`));

    const logs = await sluice(['runs', 'logs', runId, 'count']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /counted 2 words\n/);

    const followed = await sluice(['runs', 'logs', runId, 'write', '--follow']);
    assert.equal(followed.code, 0, followed.stderr);
    assert.match(followed.stdout, /wrote hi\n/);
  });

  test('a failing step: exit 1, the error and where to read the log', async () => {
    const r = await sluice(['run', join(work, 'failing.yaml'), '--experiment', experiment, '--follow']);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    const id = /Submitted run (\S+) /.exec(r.stdout)![1];
    assert.match(r.stdout, /\d\d:\d\d:\d\d {2}boom {2}Failed {2}/);
    assert.match(r.stdout, new RegExp(`\nRun ${id} Failed after .*\nSee its log: sluice runs logs ${id} boom\n$`));
    const logs = await sluice(['runs', 'logs', id, 'boom']);
    assert.match(logs.stdout, /about to fail\n/);
  });

  test('Ctrl-C stops following but not the run; runs cancel then stops it', async () => {
    const r = await sluice(['run', join(work, 'slow.yaml'), '--experiment', experiment, '--follow'], {
      onStdout: (text, child) => {
        if (/nap {2}Running/.test(text) && child.exitCode === null) child.kill('SIGINT');
      },
    });
    assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
    const id = /Submitted run (\S+) /.exec(r.stdout)![1];
    assert.match(r.stderr, new RegExp(`^Stopped following; run ${id} goes on \\(this did not cancel it\\)\\.\n`));

    const running = await sluice(['runs', 'show', id, '--json']);
    assert.equal(JSON.parse(running.stdout).status, 'Running');

    const cancel = await sluice(['runs', 'cancel', id]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, new RegExp(`^Cancel requested for run ${id} \\(CancelRequested\\)`));

    let status = '';
    for (let i = 0; i < 100 && status !== 'Canceled'; i++) {
      status = JSON.parse((await sluice(['runs', 'show', id, '--json'])).stdout).status;
      if (status !== 'Canceled') await new Promise((res) => setTimeout(res, 200));
    }
    assert.equal(status, 'Canceled');
    const again = await sluice(['runs', 'cancel', id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /has already ended \(Canceled\); there is nothing to cancel\.\n$/);
  });

  test('bad input: exit 2 with one line per problem, before anything is sent', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, PIPELINE.replace('inputs: [words]', 'inputs: [wordz]'));
    const r = await sluice(['run', bad, '--url', 'http://127.0.0.1:1']);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `${bad}:17:26: steps[1].arguments[1]: \${{data.words}}: list "words" in this step's inputs or outputs\n` +
        `${bad}:18:14: steps[1].inputs[0]: unknown input "wordz" (did you mean "words"?); declare it under ` +
        'inputs: (a datastore path) or data: (written by a step)\n',
    );
    assert.equal(r.stdout, '');

    const missing = await sluice(['runs', 'show', 'no-such-run']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'sluice: runs show: Run "no-such-run" does not exist.\n');
  });
});
