import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FunctionRegistry } from '../../../local/core/registry';
import type { HostExtension } from '../../../local/extension';
import { buildCatalog, unsupportedWarning } from '../../../local/functions/catalog';

function registry(functions: Record<string, Record<string, { type: string; direction: 'in' | 'out' }>>) {
  const r = new FunctionRegistry();
  for (const [name, bindings] of Object.entries(functions)) {
    r.functions.set(name, { name, metadata: { name, bindings }, callback: () => undefined });
  }
  return r;
}

const durable: HostExtension = {
  name: 'durable',
  triggerTypes: ['orchestrationtrigger'],
  inputTypes: ['durableclient'],
  start: async () => undefined,
  stop: async () => undefined,
  inputValue: () => ({}),
};

test('built-in and extension triggers and bindings are supported; others are named', () => {
  const entries = buildCatalog(
    registry({
      api: {
        req: { type: 'httpTrigger', direction: 'in' },
        client: { type: 'durableClient', direction: 'in' },
        out: { type: 'blob', direction: 'out' },
        $return: { type: 'http', direction: 'out' },
      },
      orch: { t: { type: 'orchestrationTrigger', direction: 'in' } },
      bus: { t: { type: 'queueTrigger', direction: 'in' }, o: { type: 'serviceBus', direction: 'out' } },
      hub: { t: { type: 'eventHubTrigger', direction: 'in' } },
    }),
    [durable],
  );
  const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
  assert.equal(byName.api.kind, 'http');
  assert.equal(byName.api.unsupported, undefined);
  assert.equal(byName.orch.kind, 'extension');
  assert.equal(byName.orch.extension, durable);
  assert.equal(byName.bus.unsupported, 'its out binding "o" (type "serviceBus") is not supported');
  assert.equal(
    unsupportedWarning(byName.hub),
    'Function "hub" cannot run on the Sluice host: its trigger "t" (type "eventHubTrigger") is not supported. ' +
      'Its invocations answer with an error; the other functions are not affected.',
  );
});
