import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import {
  environmentProblem,
  importName,
  packagesToCheck,
  probeEnvironment,
  pythonVersionNote,
  requirementName,
} from '../../../worker/environmentCheck';
import { StepEnvironment } from '../../../shared/spec/environment';
import { PYTHON } from '../../python';

test('requirementName: the distribution of pip and conda lines; none for options, URLs and paths', () => {
  const cases: [string, string | undefined][] = [
    ['scikit-learn==1.3.2', 'scikit-learn'],
    ['pandas[excel]>=1.3; python_version > "3"', 'pandas'],
    ['numpy=1.21', 'numpy'],
    ['conda-forge::lightgbm>=3', 'lightgbm'],
    ['requests @ https://example.invalid/r.whl', 'requests'],
    ['  joblib  ', 'joblib'],
    ['-r requirements.txt', undefined],
    ['--index-url https://x', undefined],
    ['git+https://github.com/a/b.git', undefined],
    ['./wheels/mine.whl', undefined],
    ['# comment', undefined],
  ];
  for (const [line, name] of cases) assert.equal(requirementName(line), name, line);
});

test('importName: the known name map, azureml-* skipped, else "-" and "." become "_"', () => {
  assert.equal(importName('scikit-learn'), 'sklearn');
  assert.equal(importName('Pillow'), 'PIL');
  assert.equal(importName('python-dateutil'), 'dateutil');
  assert.equal(importName('PyYAML'), 'yaml');
  assert.equal(importName('opencv-python'), 'cv2');
  assert.equal(importName('beautifulsoup4'), 'bs4');
  assert.equal(importName('azureml-defaults'), undefined);
  assert.equal(importName('azureml-core'), undefined);
  assert.equal(importName('typing-extensions'), 'typing_extensions');
  assert.equal(importName('zope.interface'), 'zope_interface');
});

test('packagesToCheck: conda then pip, once each, without python/pip or Sluice’s own packages', () => {
  const env = StepEnvironment.parse({
    name: 'train-env',
    conda: ['python=3.10', 'pip', 'numpy', 'scikit-learn'],
    pip: ['azureml-defaults', 'scikit-learn==1.3', 'PyYAML'],
  });
  assert.deepEqual(packagesToCheck(env), [
    { package: 'numpy', module: 'numpy' },
    { package: 'scikit-learn', module: 'sklearn' },
    { package: 'PyYAML', module: 'yaml' },
  ]);
});

test('probeEnvironment runs the real interpreter: a missing package is named with the interpreter', async () => {
  const env = StepEnvironment.parse({ name: 'e', python: '2.7', pip: ['json', 'no-such-package-xyz'] });
  const report = await probeEnvironment(PYTHON, packagesToCheck(env), { env: process.env, cwd: tmpdir() });
  assert.ok(report, 'the interpreter answered');
  assert.deepEqual(report.missing, [{ package: 'no-such-package-xyz', module: 'no_such_package_xyz' }]);
  const problem = environmentProblem(env, report);
  assert.match(
    problem ?? '',
    /environment "e": package "no-such-package-xyz" \(import no_such_package_xyz\) cannot be/,
  );
  assert.ok(problem?.includes(report.executable), problem);
  assert.match(pythonVersionNote(env, report) ?? '', /asks for Python 2\.7; the worker runs .* \(Python 3\./);

  const fine = StepEnvironment.parse({
    name: 'ok',
    python: report.version.split('.').slice(0, 2).join('.'),
    pip: ['json'],
  });
  const good = await probeEnvironment(PYTHON, packagesToCheck(fine), { env: process.env, cwd: tmpdir() });
  assert.equal(environmentProblem(fine, good!), undefined);
  assert.equal(pythonVersionNote(fine, good!), undefined);
  assert.equal(await probeEnvironment('/no/such/python', [], { env: process.env, cwd: tmpdir() }), undefined);
});
