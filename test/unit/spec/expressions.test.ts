import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replaceExpressions, scanExpressions } from '../../../shared/spec/expressions';

test('scanExpressions finds every well-formed reference, with whitespace allowed inside the braces', () => {
  const { references, problems } = scanExpressions(
    '--in=${{ inputs.raw }}:${{data.prepped-data}} ${{parameters.reg_rate}}',
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    references.map((r) => [r.kind, r.name, r.text]),
    [
      ['inputs', 'raw', '${{ inputs.raw }}'],
      ['data', 'prepped-data', '${{data.prepped-data}}'],
      ['parameters', 'reg_rate', '${{parameters.reg_rate}}'],
    ],
  );
});

test('scanExpressions reports malformed expressions', () => {
  assert.deepEqual(scanExpressions('${{parameters}}').problems, [
    '"${{parameters}}" is not a known expression; write ${{parameters.NAME}}, ${{inputs.NAME}}, ${{data.NAME}} or ${{outputs.NAME}}',
  ]);
  assert.deepEqual(scanExpressions('${{data.9x}}').problems, [
    '"${{data.9x}}" does not name a data: "9x" is not a valid name',
  ]);
  assert.deepEqual(scanExpressions('a ${{data.x}} ${{data.y').problems, [
    '"a ${{data.x}} ${{data.y" has a "${{" without its closing "}}"',
  ]);
  assert.deepEqual(scanExpressions('plain $HOME {{x}} ${x}'), { references: [], problems: [] });
});

test('replaceExpressions substitutes only what the callback returns, without rescanning values', () => {
  const out = replaceExpressions('${{parameters.a}}-${{data.b}}-${{parameters.c}}', (r) =>
    r.kind === 'parameters' && r.name === 'a' ? '${{parameters.c}}' : undefined,
  );
  assert.equal(out, '${{parameters.c}}-${{data.b}}-${{parameters.c}}');
});
