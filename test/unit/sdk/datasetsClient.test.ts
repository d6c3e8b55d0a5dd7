import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rechunk } from '../../../sdk/datasetsClient';
import { datastoresCommand, datasetsCommand } from '../../../cli/commands/data';
import { fakeIo } from '../cli/fakeIo';
import { usage } from '../cli/usage';

async function collect(source: AsyncIterable<Uint8Array> | Uint8Array, size: number): Promise<string[]> {
  const out: string[] = [];
  for await (const block of rechunk(source, size)) out.push(Buffer.from(block).toString());
  return out;
}

async function* pieces(...parts: string[]) {
  for (const p of parts) yield Buffer.from(p);
}

test('rechunk cuts any stream into blocks of exactly the size (the last may be shorter; none when empty)', async () => {
  assert.deepEqual(await collect(pieces('ab', 'cdefg', 'h'), 3), ['abc', 'def', 'gh']);
  assert.deepEqual(await collect(pieces('abcdef'), 3), ['abc', 'def']);
  assert.deepEqual(await collect(Buffer.from('abcd'), 10), ['abcd']);
  assert.deepEqual(await collect(pieces(), 3), []);
  assert.deepEqual(await collect(pieces('', 'a'), 1), ['a']);
});

test('CLI data commands refuse bad options with one line before any request', async () => {
  const f = fakeIo();
  await assert.rejects(
    datastoresCommand('list', ['--overwrite'], f.io),
    usage('datastores list: --overwrite does not apply here; see sluice datastores list --help'),
  );
  await assert.rejects(
    datastoresCommand('download', ['--prefix', '/etc'], f.io),
    usage('datastores download: --prefix "/etc" must be a path inside the datastore (no "/" start, no "..")'),
  );
  await assert.rejects(
    datastoresCommand('upload', ['definitely-not-here.csv'], f.io),
    usage('datastores upload: definitely-not-here.csv does not exist; give a file or a folder to upload'),
  );
  await assert.rejects(
    datasetsCommand('list', ['--files'], f.io),
    usage('datasets list: --files applies to datasets show'),
  );
});
