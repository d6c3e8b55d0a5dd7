import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCommand, substitute } from '../../../worker/placeholders';

const bindings = {
  inputs: { raw: '/sb/inputs/0-raw', prepped: '/sb/inputs/1-prepped' },
  outputs: { model: '/sb/outputs/0-model' },
};

test('inputs, data and outputs become local paths, also inside a longer argument', () => {
  assert.equal(substitute('${{inputs.raw}}', bindings, 'args[0]'), '/sb/inputs/0-raw');
  assert.equal(substitute('--data=${{ data.prepped }}', bindings, 'args[0]'), '--data=/sb/inputs/1-prepped');
  assert.equal(substitute('${{data.model}}/m.json', bindings, 'args[0]'), '/sb/outputs/0-model/m.json');
  assert.equal(substitute('${{outputs.model}}', bindings, 'args[0]'), '/sb/outputs/0-model');
  assert.equal(substitute('${{inputs.raw}}:${{inputs.raw}}', bindings, 'a'), '/sb/inputs/0-raw:/sb/inputs/0-raw');
  assert.equal(substitute('plain $HOME ${not} {{x}}', bindings, 'a'), 'plain $HOME ${not} {{x}}');
});

test('a reference to nothing names the argument and what the step has', () => {
  assert.throws(() => substitute('${{data.nope}}', bindings, 'args[3]'), {
    name: 'PlaceholderError',
    message:
      'args[3]: "${{data.nope}}" names no input or output of this step (it has: model, raw, prepped); add "nope" to the step\'s inputs',
  });
  assert.throws(
    () => substitute('${{outputs.raw}}', bindings, 'args[0]'),
    /names no output of this step \(it has: model\)/,
  );
  assert.throws(
    () => substitute('${{parameters.reg}}', bindings, 'args[1]'),
    /args\[1\]: "\$\{\{parameters\.reg\}\}" was not resolved before dispatch/,
  );
});

test('program, arguments and environment values are all resolved', () => {
  const r = resolveCommand(
    { program: '${{inputs.raw}}/tool', args: ['-o', '${{outputs.model}}'], env: { DATA: '${{inputs.prepped}}' } },
    bindings,
  );
  assert.deepEqual(r, {
    program: '/sb/inputs/0-raw/tool',
    args: ['-o', '/sb/outputs/0-model'],
    env: { DATA: '/sb/inputs/1-prepped' },
  });
  assert.throws(
    () => resolveCommand({ program: 'x', args: [], env: { A: '${{inputs.zz}}' } }, bindings),
    /^PlaceholderError: env\.A:/,
  );
});
