import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fingerprintFiles, md5Base64 } from '../../../shared/compute/fingerprint';

test('md5Base64 is the Content-MD5 encoding', () => {
  assert.equal(md5Base64(Buffer.from('hello')), 'XUFAKrxLKna5cZ2REBfFkg==');
});

test('the fingerprint is SHA-256 over the name-sorted [name, size, md5] triples', () => {
  const a = { name: 'a.txt', size: 1, md5: 'x' };
  const b = { name: 'b/c.txt', size: 2, md5: 'y' };
  const expected = createHash('sha256')
    .update(
      JSON.stringify([
        ['a.txt', 1, 'x'],
        ['b/c.txt', 2, 'y'],
      ]),
    )
    .digest('hex');
  assert.equal(fingerprintFiles([b, a]), expected);
  assert.equal(fingerprintFiles([a, b]), expected, 'order of the input list does not matter');
  assert.notEqual(fingerprintFiles([a, { ...b, md5: 'z' }]), expected, 'content changes it');
  assert.notEqual(fingerprintFiles([a, { ...b, name: 'b/d.txt' }]), expected, 'a rename changes it');
  assert.equal(fingerprintFiles([]), createHash('sha256').update('[]').digest('hex'));
});
