// Two of the patches Sluice applies inside the Azurite it starts (local/azuritePatches.cjs): a URI template made once
// per template string matches and fills exactly as a fresh one, and pooled random bytes are fresh for every call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

interface Template {
  fromUri(uri: string, options?: { strict?: boolean }): Record<string, string> | undefined;
  fill(values: Record<string, string>): string;
}
type Factory = (template: string) => Template;

const patches = createRequire(__filename)('../../../local/azuritePatches.cjs') as {
  cachedUriTemplates(factory: unknown): Factory | undefined;
  pooledRandom(fill: (buf: Buffer) => Buffer): () => Buffer;
};
const requireFromAzurite = createRequire(require.resolve('azurite/dist/src/azurite.js'));
const UriTemplate = requireFromAzurite('uri-templates') as Factory;

test('a cached URI template answers every URI as a fresh template of the same string does', () => {
  const cached = patches.cachedUriTemplates(UriTemplate)!;
  assert.equal(typeof cached, 'function');
  // Templates of the shapes Azurite's specifications use, and URIs that match, half-match and do not.
  const templates = [
    '/{Account}/{Table}',
    '/{Account}/Tables',
    "/{Account}/{Table}(PartitionKey='{pk}',RowKey='{rk}')",
    '/',
  ];
  const uris = [
    '/devstoreaccount1/StepRuns',
    '/devstoreaccount1/Tables',
    "/devstoreaccount1/T(PartitionKey='a',RowKey='b')",
    '/',
    '/a/b/c',
    '/a%2Fb/c',
    '',
  ];
  for (let round = 0; round < 3; round++) {
    for (const t of templates) {
      for (const uri of uris) {
        for (const strict of [true, false]) {
          assert.deepEqual(cached(t).fromUri(uri, { strict }), UriTemplate(t).fromUri(uri, { strict }), `${t} ${uri}`);
        }
      }
      assert.equal(
        cached(t).fill({ Account: 'x', Table: 'y', pk: 'p', rk: 'r' }),
        UriTemplate(t).fill({ Account: 'x', Table: 'y', pk: 'p', rk: 'r' }),
      );
    }
  }
  assert.equal(cached('/{a}'), cached('/{a}'), 'made once per template string');
});

test('a factory of another shape is left alone', () => {
  assert.equal(patches.cachedUriTemplates(undefined), undefined);
  assert.equal(
    patches.cachedUriTemplates(() => ({})),
    undefined,
  );
});

test('pooled random bytes: 16 fresh bytes per call, the pool refilled when used up', () => {
  let fills = 0;
  let counter = 0;
  const rng = patches.pooledRandom((buf) => {
    fills++;
    for (let i = 0; i < buf.length; i++) buf[i] = counter++ & 0xff;
    return buf;
  });
  const seen: Buffer[] = [];
  for (let i = 0; i < 300; i++) seen.push(rng());
  assert.ok(seen.every((b) => b.length === 16));
  assert.equal(fills, Math.ceil((300 * 16) / 4096));
  // Each call's bytes are its own: changing them (uuid's v4 sets its version bits in place) changes no other.
  const first = Buffer.from(seen[0]);
  seen[1].fill(0);
  assert.deepEqual(seen[0], first);
  assert.deepEqual([...seen[0]], [...Array(16).keys()]);
  assert.deepEqual(
    [...seen[256]],
    [...Array(16).keys()].map((i) => (4096 + i) & 0xff),
  );
});
