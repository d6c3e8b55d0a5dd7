import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserInputError } from '../../../shared/errors';
import { coerce, coerceDataPath, describeParameters, resolveParameters } from '../../../shared/engine/parameters';
import { fixtureSpec } from './helpers';

const spec = fixtureSpec('valid/all-step-types.yaml');
const required = { parameters: { build_id: '42' } };

test('defaults fill what is not submitted; every datastore input is a datapath parameter', () => {
  assert.deepEqual(resolveParameters(spec, required), {
    values: { label: 'nightly', epochs: 3, rate: 0.5, verbose: false, build_id: '42' },
    dataPaths: {
      scoring_data: { datastore: 'scoring', path: 'incoming/' },
      raw: { datastore: 'workspaceblobstore', path: 'raw/' },
    },
  });
});

test('text is coerced to the declared type (values from CLIs and query strings)', () => {
  const r = resolveParameters(spec, {
    parameters: { build_id: 7, epochs: '10', rate: '0.1', verbose: 'TRUE', label: 'x', scoring_data: 'scoring:new/' },
    dataPaths: { raw: { DataStoreName: 'landing', RelativePath: 'raw/2024/' } },
  });
  assert.deepEqual(r.values, { label: 'x', epochs: 10, rate: 0.1, verbose: true, build_id: '7' });
  assert.deepEqual(r.dataPaths, {
    scoring_data: { datastore: 'scoring', path: 'new/' },
    raw: { datastore: 'landing', path: 'raw/2024/' },
  });
});

test('coercion rules', () => {
  assert.deepEqual(coerce('int', 3), { value: 3 });
  assert.deepEqual(coerce('int', ' -3 '), { value: -3 });
  assert.deepEqual(coerce('int', 1.5), { problem: '1.5 is not an int (a whole number such as 3)' });
  assert.deepEqual(coerce('int', '1.0'), { problem: '"1.0" is not an int (a whole number such as 3)' });
  assert.deepEqual(coerce('float', 1), { value: 1 });
  assert.deepEqual(coerce('float', '1e-3'), { value: 0.001 });
  assert.deepEqual(coerce('float', '.5'), { value: 0.5 });
  assert.deepEqual(coerce('float', 'NaN'), { problem: '"NaN" is not a float (a number such as 0.1)' });
  assert.deepEqual(coerce('float', true), { problem: 'true is not a float (a number such as 0.1)' });
  assert.deepEqual(coerce('bool', 'False'), { value: false });
  assert.deepEqual(coerce('bool', 1), { problem: '1 is not a bool (true or false)' });
  assert.deepEqual(coerce('string', false), { value: 'false' });
  assert.deepEqual(coerce('string', null), { problem: 'null is not a string' });
  assert.deepEqual(coerce('string', { a: 1 }), { problem: 'an object is not a string' });
  assert.deepEqual(coerceDataPath({ path: 'x/' }, 'scoring'), { value: { datastore: 'scoring', path: 'x/' } });
  assert.deepEqual(coerceDataPath('ws-store:dir/a:b'), { value: { datastore: 'ws-store', path: 'dir/a:b' } });
  assert.deepEqual(coerceDataPath('x/'), {
    problem: '"x/" is not a data path; write DATASTORE:PATH or {datastore, path}',
  });
  assert.deepEqual(coerceDataPath({ datastore: 'Azure_ML_Name', path: 'x' }), {
    value: { datastore: 'Azure_ML_Name', path: 'x' },
  });
  assert.deepEqual(coerceDataPath({ datastore: 'bad name', path: 'x' }), {
    problem:
      'datastore "bad name" must be a datastore name (letters, digits and "_", at most 255) or a blob container name (3–63 lower-case letters, digits and single hyphens)',
  });
  assert.deepEqual(coerceDataPath({ path: '../etc' }), {
    problem: 'path "../etc" contains ".."; paths may not leave their folder',
  });
  assert.deepEqual(coerceDataPath({ path: 'a', container: 'x' }), {
    problem: 'unknown field "container"; a data path is {datastore, path}',
  });
});

test('unknown names, wrong types and missing values are reported together with the parameter list', () => {
  try {
    resolveParameters(spec, {
      parameters: { epoch: 5, rate: 'fast', verbose: 'yes' },
      dataPaths: { label: 'x:y', nowhere: 'a:b' },
    });
    assert.fail('accepted');
  } catch (err) {
    assert.ok(err instanceof UserInputError);
    assert.equal(err.code, 'InvalidParameters');
    assert.equal(
      err.message,
      [
        'Invalid parameters for pipeline "all-step-types" (6 problems):',
        '  parameters.epoch: unknown parameter "epoch" (did you mean "epochs"?)',
        '  dataPaths.label: "label" is a string parameter, not a data path; pass it in parameters',
        '  dataPaths.nowhere: unknown parameter "nowhere"',
        '  parameters.rate: "fast" is not a float (a number such as 0.1)',
        '  parameters.verbose: "yes" is not a bool (true or false)',
        '  parameters.build_id: missing required string parameter "build_id"',
        'The pipeline\'s parameters: label (string, default "nightly"), epochs (int, default 3), rate (float, default 0.5), ' +
          'verbose (bool, default false), scoring_data (datapath, default scoring:incoming/), build_id (string, required), ' +
          'raw (datapath, default workspaceblobstore:raw/).',
      ].join('\n'),
    );
    assert.deepEqual(err.issues[0], {
      path: 'parameters.epoch',
      message: 'unknown parameter "epoch" (did you mean "epochs"?)',
    });
    const details = err.toBody().error.details as { parameters: unknown[] };
    assert.deepEqual(details.parameters, describeParameters(spec));
  }
});

test('a value given in both parameters and dataPaths is rejected', () => {
  assert.throws(
    () => resolveParameters(spec, { parameters: { build_id: 'b', raw: 'a:x' }, dataPaths: { raw: 'a:y' } }),
    /dataPaths\.raw: "raw" is given in both parameters and dataPaths; give it once/,
  );
});

test('describeParameters marks required parameters and lists inputs as datapaths', () => {
  const d = describeParameters(spec);
  assert.deepEqual(
    d.map((p) => [p.name, p.type, p.required, p.declaredIn]),
    [
      ['label', 'string', false, 'parameters'],
      ['epochs', 'int', false, 'parameters'],
      ['rate', 'float', false, 'parameters'],
      ['verbose', 'bool', false, 'parameters'],
      ['scoring_data', 'datapath', false, 'parameters'],
      ['build_id', 'string', true, 'parameters'],
      ['raw', 'datapath', false, 'inputs'],
    ],
  );
  assert.equal(d[5].description, 'required at submit');
  assert.equal('default' in d[5], false);
});

test('a pipeline without parameters says so', () => {
  assert.throws(
    () => resolveParameters(fixtureSpec('valid/diamond.yaml'), { parameters: { x: 1 } }),
    (err: unknown) => err instanceof UserInputError && err.message.endsWith('\nThe pipeline has no parameters.'),
  );
});
