import { test } from 'node:test';
import assert from 'node:assert/strict';
import { downstreamOf, findCycle, stepDependencies, topologicalOrder, upstreamOf } from '../../../shared/engine/dag';
import { fixtureSpec } from './helpers';

test('dependencies come from data producers and run_after', () => {
  const deps = stepDependencies(fixtureSpec('valid/all-step-types.yaml'));
  assert.deepEqual(Object.fromEntries(deps), {
    copy: [],
    featurize: ['copy'],
    score: ['featurize'],
    report: ['score'],
    archive: ['score', 'report'],
  });
});

test('topological order keeps the spec order among steps ready together', () => {
  const spec = fixtureSpec('valid/diamond.yaml');
  const deps = stepDependencies(spec);
  assert.deepEqual(topologicalOrder(['a', 'b', 'c', 'd', 'e', 'f'], deps), ['a', 'b', 'c', 'd', 'e', 'f']);
  assert.deepEqual(topologicalOrder(['d', 'c', 'b', 'a', 'f', 'e'], deps), ['a', 'c', 'b', 'd', 'e', 'f']);
});

test('findCycle spells the cycle in execution order; topologicalOrder refuses one', () => {
  const deps = new Map([
    ['a', ['c']],
    ['b', ['a']],
    ['c', ['b']],
    ['x', []],
  ]);
  assert.deepEqual(findCycle(['x', 'a', 'b', 'c'], deps), ['a', 'b', 'c', 'a']);
  assert.equal(findCycle(['x'], new Map([['x', []]])), undefined);
  assert.throws(() => topologicalOrder(['x', 'a', 'b', 'c'], deps), /the steps form a cycle: a → b → c → a/);
});

test('downstreamOf and upstreamOf follow the graph transitively', () => {
  const spec = fixtureSpec('valid/diamond.yaml');
  const deps = stepDependencies(spec);
  const graph = {
    order: topologicalOrder(['a', 'b', 'c', 'd', 'e', 'f'], deps),
    steps: Object.fromEntries([...deps].map(([k, v]) => [k, { dependsOn: v }])),
  };
  assert.deepEqual([...downstreamOf(graph, ['b'])], ['d']);
  assert.deepEqual([...downstreamOf(graph, ['a'])], ['b', 'c', 'd']);
  assert.deepEqual([...upstreamOf(graph, 'd')].sort(), ['a', 'b', 'c']);
});
