import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inspectSnapshotArchive, packSnapshot } from '../../../shared/snapshot';
import { parseSpec } from '../../../shared/spec';
import { PYTHON, REPO } from '../../python';

/**
 * The Python package and the TypeScript side agree: the same folder gets the same snapshot id from the Python packer,
 * the CLI's packer and the server's reading of the Python archive; and a pipeline built in Python, written with
 * Pipeline.to_yaml(), parses to the same spec as the one it submits.
 */

function python(script: string, cwd: string): string {
  const r = spawnSync(PYTHON, ['-c', script], {
    cwd,
    env: { ...process.env, PYTHONPATH: join(REPO, 'python'), PYTHONDONTWRITEBYTECODE: '1', SLUICE_URL: '' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function tree(files: Record<string, string>, executable: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-parity-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  for (const rel of executable) chmodSync(join(dir, rel), 0o755);
  return dir;
}

test('a source folder gets the same snapshot id from Python, the CLI and the server', async () => {
  const dir = tree(
    {
      '.gitignore': '*.log\n!keep.log\ndata/\n/root_only.txt\nbuild/**\n# comment\n\\#hash.txt\n',
      'train.py': 'print("hi")\n',
      'run.sh': '#!/bin/sh\necho hi\n',
      'keep.log': 'kept\n',
      'drop.log': 'dropped\n',
      'data/big.csv': '1,2\n',
      'root_only.txt': 'x',
      'sub/root_only.txt': 'kept in sub',
      'build/out/x.o': 'o',
      '#hash.txt': 'ignored',
      'données/été.csv': 'a;b\n',
      'nested/deeper/empty.txt': '',
      'Zed.py': '',
      'a b.py': '',
    },
    ['run.sh'],
  );
  try {
    const ts = packSnapshot(dir);
    const out = python(
      [
        'import sys',
        'from azureml._sluice.snapshot import pack_snapshot',
        'p = pack_snapshot(".")',
        'sys.stdout.write(p.id + "\\n" + "\\n".join(f[0] for f in p.files))',
        'open("py-archive.tgz", "wb").write(p.archive)',
      ].join('\n'),
      dir,
    );
    const [pyId, ...pyFiles] = out.trim().split('\n');
    assert.deepEqual(
      pyFiles,
      ts.files.map((f) => f.path),
    );
    assert.equal(pyId, ts.id);
    const archive = readFileSync(join(dir, 'py-archive.tgz'));
    const inspected = await inspectSnapshotArchive(archive);
    assert.equal(inspected.id, ts.id);
    assert.ok(inspected.files.find((f) => f.path === 'run.sh')?.executable, 'run.sh keeps its executable bit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Pipeline.to_yaml() parses to the spec the pipeline submits', () => {
  const dir = tree({ 'scripts/prep.py': '', 'scripts/train.py': '' });
  try {
    const out = python(
      `
import json
from azureml.core import Workspace
from azureml.data import DataReference
from azureml.pipeline.core import Pipeline, PipelineData, PipelineParameter
from azureml.pipeline.steps import PythonScriptStep
ws = Workspace("s", "r", "w", url="http://localhost:7071")
raw = DataReference("workspaceblobstore", "raw_data", "diabetes/")
prepped = PipelineData("prepped_data")
reg = PipelineParameter("reg_rate", 0.01)
flag = PipelineParameter("verbose", True)
prep = PythonScriptStep("prep.py", name="Prepare Data", source_directory="scripts", inputs=[raw],
                        outputs=[prepped], arguments=["--in", raw, "--out", prepped, "--quote", 'say "hi": #1'])
train = PythonScriptStep("train.py", name="train", source_directory="scripts", compute_target="cpu",
                         arguments=["--data", prepped, "--reg", reg, "--verbose", flag, "--n", 3],
                         params={"mode": "full"}, allow_reuse=False)
pipeline = Pipeline(ws, [prep, train], description="multi: line\\nand 'quotes'")
spec, _ = pipeline._spec("diabetes")
print(json.dumps({"spec": spec, "yaml": pipeline.to_yaml("pipeline.yaml", name="diabetes")}))
`,
      dir,
    );
    const { spec, yaml } = JSON.parse(out) as { spec: unknown; yaml: string };
    assert.equal(readFileSync(join(dir, 'pipeline.yaml'), 'utf8'), yaml);
    assert.deepEqual(
      parseSpec(yaml, { filename: 'pipeline.yaml' }),
      parseSpec(JSON.stringify(spec), { format: 'json' }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
