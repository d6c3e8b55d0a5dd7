// The patches Sluice applies inside the Azurite it starts (local/azuritePatches.cjs). lokijs:: removals give the same results as
// before, and removing nothing or one document no longer re-sorts every index of the collection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const patches = createRequire(__filename)('../../../local/azuritePatches.cjs') as {
  patchLoki(loki: unknown, version: string): boolean;
  partitionOfFilter(filter: unknown): string | undefined;
};

const azuriteEntry = require.resolve('azurite/dist/src/azurite.js');
const requireFromAzurite = createRequire(azuriteEntry);

interface Doc {
  id: string;
  queue: string;
  visibleTime: number;
  $loki?: number;
}
interface Collection {
  insert(doc: Doc): Doc;
  remove(docs: Doc | Doc[]): void;
  find(query: object): Doc[];
  findAndRemove(query: object): void;
  chain(): { find(query: object): { data(): Doc[] } };
  ensureIndex(key: string, force?: boolean): void;
}
type Loki = new (name: string) => { addCollection(name: string, options: object): Collection };

const Loki = requireFromAzurite('lokijs') as Loki & { Collection: { prototype: Record<string, unknown> } };

/** Applies the patch as the Azurite wrapper does, to the lokijs Azurite loads. */
function applyPatch(): void {
  const version = (requireFromAzurite('lokijs/package.json') as { version: string }).version;
  assert.equal(patches.patchLoki(Loki, version), true);
}

/** Counts full index rebuilds (lokijs's `ensureIndex(key, true)`) while `fn` runs. */
function rebuilds(fn: () => void): number {
  const proto = Loki.Collection.prototype;
  const original = proto.ensureIndex as (this: Collection, key: string, force?: boolean) => void;
  let n = 0;
  proto.ensureIndex = function (this: Collection, key: string, force?: boolean) {
    if (force) n++;
    return original.call(this, key, force);
  };
  try {
    fn();
  } finally {
    proto.ensureIndex = original;
  }
  return n;
}

function messages(): Collection {
  const coll = new Loki('t').addCollection('messages', { indices: ['id', 'queue', 'visibleTime'] });
  for (let i = 0; i < 200; i++) coll.insert({ id: `m${i}`, queue: `q${i % 3}`, visibleTime: (i * 7919) % 1000 });
  return coll;
}

test('patched: removing nothing or one document keeps the indices without re-sorting them', () => {
  applyPatch();
  const coll = messages();
  coll.find({ visibleTime: { $lte: 500 } }); // the index is built and clean
  assert.equal(
    rebuilds(() => {
      coll.remove([]);
      coll.findAndRemove({ id: 'm7' });
      coll.remove(coll.chain().find({ id: 'm8' }).data());
      coll.find({ visibleTime: { $lte: 500 } });
    }),
    0,
  );
  // A larger batch still takes lokijs's own batch path.
  assert.ok(rebuilds(() => coll.remove(coll.chain().find({ queue: 'q1' }).data())) > 0);
});

test('patched removals give the same answers as a plain list, through every index', () => {
  applyPatch();
  const coll = messages();
  let model: Doc[] = coll.find({}).map((d) => ({ id: d.id, queue: d.queue, visibleTime: d.visibleTime }));
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let round = 0; round < 300; round++) {
    const op = rand(4);
    if (op === 0) {
      const doc = { id: `n${round}`, queue: `q${rand(3)}`, visibleTime: rand(1000) };
      coll.insert({ ...doc });
      model.push(doc);
    } else if (op === 1) {
      const limit = rand(1000);
      const q = `q${rand(3)}`;
      // What Azurite does on every receive and delete: remove the expired messages of a queue, usually none.
      coll.remove(
        coll
          .chain()
          .find({ queue: q, visibleTime: { $lte: limit - 990 } })
          .data(),
      );
      model = model.filter((d) => !(d.queue === q && d.visibleTime <= limit - 990));
    } else if (op === 2 && model.length) {
      const id = model[rand(model.length)].id;
      coll.findAndRemove({ id });
      model = model.filter((d) => d.id !== id);
    } else {
      const q = `q${rand(3)}`;
      const limit = rand(1000);
      const found = coll
        .find({ queue: q, visibleTime: { $lte: limit } })
        .map((d) => d.id)
        .sort();
      const expected = model
        .filter((d) => d.queue === q && d.visibleTime <= limit)
        .map((d) => d.id)
        .sort();
      assert.deepEqual(found, expected, `round ${round}`);
    }
  }
  for (const d of model) assert.equal(coll.find({ id: d.id }).length, 1);
  assert.equal(coll.find({}).length, model.length);
});

test('only another version of lokijs is left alone', () => {
  assert.equal(patches.patchLoki(Loki, '1.6.0'), false);
});

test('a table query is narrowed to a partition only when its filter is a conjunction with PartitionKey eq', () => {
  const p = patches.partitionOfFilter;
  assert.equal(p("PartitionKey eq 'run-1'"), 'run-1');
  assert.equal(p("PartitionKey eq 'a|b' and RowKey ge 'x'"), 'a|b');
  assert.equal(p("PartitionKey eq 'it''s' and (RowKey eq 'a' or RowKey eq 'b')"), "it's");
  assert.equal(p("PartitionKey eq 'a' and Name eq 'x or y'"), 'a', 'an "or" inside quotes is data');
  assert.equal(p("PartitionKey eq 'a' or PartitionKey eq 'b'"), undefined);
  assert.equal(p("PartitionKey eq 'a' and RowKey eq 'x' or RowKey eq 'y'"), undefined, 'and binds tighter than or');
  assert.equal(p("PartitionKey eq 'a' OR RowKey eq 'y'"), undefined);
  assert.equal(p("RowKey eq 'x' and PartitionKey eq 'a'"), undefined, 'not leading: scanned as before');
  assert.equal(p("(PartitionKey eq 'a')"), undefined);
  assert.equal(p("PartitionKey eq 'a'b'"), undefined);
  assert.equal(p("PartitionKey ge 'a'"), undefined);
  assert.equal(p("PartitionKey eq 'a' andx"), undefined);
  assert.equal(p(undefined), undefined);
  assert.equal(p(''), undefined);
});
