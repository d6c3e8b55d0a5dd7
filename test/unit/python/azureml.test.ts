import { test } from 'node:test';
import { runPythonSuite } from '../../python';

/** python/tests/unit: argument handling of every class against the v1 signatures, spec building, tokens, snapshots. */
test('the azureml package (python/tests/unit)', async (t) => {
  await runPythonSuite(t, 'unit', { SLUICE_URL: '', SLUICE_TOKEN: '' });
});
