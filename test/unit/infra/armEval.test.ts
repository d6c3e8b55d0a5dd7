import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArmDeployment, Opaque, parametersFromFile, parseExpression, show, type Value } from './armEval';

type Template = { [key: string]: Value };

test('expressions: calls, escapes, members and indexes', () => {
  assert.deepEqual(parseExpression("[format('it''s {0}', parameters('a')[0].b)]"), {
    t: 'call',
    name: 'format',
    args: [
      { t: 'lit', value: "it's {0}" },
      {
        t: 'member',
        of: { t: 'index', of: { t: 'call', name: 'parameters', args: [{ t: 'lit', value: 'a' }] }, at: { t: 'lit', value: 0 } },
        name: 'b',
      },
    ],
  });
  assert.throws(() => parseExpression("[concat('a' 'b')]"), { message: "ARM expression [concat('a' 'b')]: expected \",\" or \")\" at 11" });
});

test('a template is evaluated with loops, conditions, modules and their outputs', () => {
  const module: Template = {
    parameters: { names: { type: 'array' }, prefix: { type: 'string', defaultValue: 'q-' } },
    resources: [
      {
        copy: { name: 'queues', count: "[length(parameters('names'))]" },
        type: 'Microsoft.Storage/storageAccounts/queueServices/queues',
        name: "[format('st/default/{0}{1}', parameters('prefix'), parameters('names')[copyIndex()])]",
        properties: {},
      },
    ],
    outputs: { count: { type: 'int', value: "[length(parameters('names'))]" } },
  };
  const main: Template = {
    parameters: { targets: { type: 'array' }, id: { type: 'string' } },
    variables: { copy: [{ name: 'doubled', count: "[length(parameters('targets'))]", input: "[concat(parameters('targets')[copyIndex('doubled')], '2')]" }] },
    resources: [
      { type: 'Microsoft.Resources/deployments', name: 'm', resourceGroup: 'rg', properties: { parameters: { names: { value: "[variables('doubled')]" } }, template: module } },
      { condition: "[not(empty(parameters('id')))]", type: 'Microsoft.Foo/bars', name: 'skipped', properties: {} },
      {
        type: 'Microsoft.Foo/bars',
        name: 'b',
        resourceGroup: 'rg',
        properties: { n: "[reference(resourceId('rg', 'Microsoft.Resources/deployments', 'm')).outputs.count.value]", p: "[reference('x/y/z').principalId]", s: '[[literal]' },
      },
    ],
  };
  const d = new ArmDeployment(main, { targets: ['cpu', 'gpu'], id: '' });
  assert.deepEqual(
    d.resources.map((r) => [r.deployment.path, r.name, r.loop?.index]),
    [
      ['main/m', 'st/default/q-cpu2', 0],
      ['main/m', 'st/default/q-gpu2', 1],
      ['main', 'b', undefined],
    ],
  );
  const b = d.resources[2].body.properties as Template;
  assert.equal(b.n, 2);
  assert.ok(b.p instanceof Opaque);
  assert.equal(show(b.p), 'reference(/subscriptions/<subscription>/providers/x/y/z).principalId');
  assert.equal(b.s, '[literal]');
  assert.throws(() => new ArmDeployment({ resources: [{ type: 'A/b', name: "[lastIndexOf('a', 'b')]" }] }), /lastindexof\(\) is not implemented/);
});

test("azd's parameters file: placeholders stay as text, defaults apply", () => {
  const file = JSON.stringify({ parameters: { a: { value: '${X}' }, b: { value: '${Y=User}' }, c: { value: 3 } } });
  assert.deepEqual(parametersFromFile(file), { a: '${X}', b: 'User', c: 3 });
});
