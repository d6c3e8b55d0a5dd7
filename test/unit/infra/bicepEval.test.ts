import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Instance, Sym, parametersFromFile, show } from './bicepEval';
import { parseBicep } from './bicepProgram';

const instance = (files: Record<string, string>, params = new Map()) => new Instance('main', 'main.bicep', files, params);

test('parse errors name the file and the line', () => {
  assert.throws(() => parseBicep("var a = 'x\n", 'a.bicep'), { message: 'a.bicep:1: unterminated string' });
  assert.throws(() => parseBicep('var a = 1\nwhile b\n', 'a.bicep'), { message: 'a.bicep:2: unknown statement "while"' });
  assert.throws(() => parseBicep('var a = {\n  b: 1 c: 2\n}\n', 'a.bicep'), {
    message: 'a.bicep:2: expected a newline or "," after a property',
  });
});

test('decorators, comments, multi-line calls and interpolated keys are read', () => {
  const source = [
    "@description('Optional. A (tricky) \\'value\\'.')",
    '@metadata({',
    "  azd: { type: 'location' }",
    '})',
    "param p string = 'x' // trailing comment",
    '/* block',
    '   comment */',
    'var o = union(',
    '  { a: 1 },',
    "  { '${p}': {} }",
    ')',
  ].join('\n');
  assert.deepEqual([...parseBicep(source, 'main.bicep').params.keys()], ['p']);
  assert.equal(show(instance({ 'main.bicep': source }).variable('o')), '{a: 1, x: {}}');
});

test('loops over module parameters expand, and unknown values stay symbolic', () => {
  const files = {
    'main.bicep': [
      "param names array = ['a', 'b']",
      'param region string',
      "module m 'mod.bicep' = [for n in names: {",
      "  name: 'm-${n}'",
      '  params: {',
      '    item: n',
      '    region: region',
      '  }',
      '}]',
    ].join('\n'),
    'mod.bicep': [
      'param item string',
      'param region string',
      "resource q 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {",
      "  name: 'compute-${item}'",
      '  properties: {',
      '    where: toLower(region)',
      '    id: guid(resourceGroup().id, item)',
      '  }',
      '}',
    ].join('\n'),
  };
  const resources = instance(files, parametersFromFile('{"parameters":{"region":{"value":"${AZURE_LOCATION}"}}}')).resources();
  assert.deepEqual(
    resources.map((r) => [r.instance.id, r.body.name]),
    [
      ['main/m[0]', 'compute-a'],
      ['main/m[1]', 'compute-b'],
    ],
  );
  const props = resources[0].body.properties as Record<string, unknown>;
  assert.ok(props.where instanceof Sym);
  assert.equal(show(props.where as Sym), 'toLower($AZURE_LOCATION)');
  assert.equal(show(props.id as Sym), "guid(resourceGroup().id, 'a')");
});

test('a parameters file binds ${VAR} symbolically and ${VAR=default} to its default', () => {
  const bound = parametersFromFile(
    '{"parameters":{"a":{"value":"${X}"},"b":{"value":"${Y=fallback}"},"c":{"value":"${Z=}"},"d":{"value":3}}}',
  );
  assert.equal(show(bound.get('a')!), '$X');
  assert.equal(bound.get('b'), 'fallback');
  assert.equal(bound.get('c'), '');
  assert.equal(bound.get('d'), 3);
});

test('a module pointing at a missing file is an error', () => {
  const files = { 'main.bicep': "module m 'nope.bicep' = {\n  name: 'm'\n}\n" };
  assert.throws(() => instance(files).resources(), { message: 'nope.bicep does not exist (referenced by a module)' });
});
