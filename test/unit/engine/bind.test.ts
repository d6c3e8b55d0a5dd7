import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindTemplate, unboundReferences, usedParameters } from '../../../shared/engine/bind';

const ctx = { values: { reg: 0.1, on: true, name: 'a b', n: 3 }, dataNames: new Set(['prepped']) };

test('parameters are substituted; data references are left for the worker in canonical form', () => {
  assert.equal(bindTemplate('--reg=${{ parameters.reg }}', ctx), '--reg=0.1');
  assert.equal(bindTemplate('${{parameters.on}}/${{parameters.name}}/${{parameters.n}}', ctx), 'true/a b/3');
  assert.equal(bindTemplate('${{ inputs.raw }}', ctx), '${{inputs.raw}}');
  assert.equal(bindTemplate('${{inputs.prepped}}', ctx), '${{data.prepped}}');
  assert.equal(bindTemplate('${{outputs.prepped}}', ctx), '${{data.prepped}}');
  assert.equal(bindTemplate('${{ data.prepped }}/x', ctx), '${{data.prepped}}/x');
});

test('unbound references are reported', () => {
  assert.deepEqual(unboundReferences('${{parameters.missing}} ${{data.prepped}}', ctx), [
    '${{parameters.missing}}: no value for parameter "missing"',
  ]);
});

test('usedParameters lists each parameter once, sorted', () => {
  assert.deepEqual(usedParameters(['${{parameters.b}}', '${{parameters.a}}-${{parameters.b}}', '${{data.x}}']), [
    'a',
    'b',
  ]);
});
