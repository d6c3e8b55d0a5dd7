import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLifetime } from '../../../shared/auth/lifetime';

test('parseLifetime reads seconds, minutes, hours and days', () => {
  assert.equal(parseLifetime('90'), 90);
  assert.equal(parseLifetime('90s'), 90);
  assert.equal(parseLifetime('30m'), 1800);
  assert.equal(parseLifetime('1h'), 3600);
  assert.equal(parseLifetime('7D'), 7 * 86400);
  assert.equal(parseLifetime('30d'), 30 * 86400);
});

test('parseLifetime refuses zero, more than 30 days and other words, naming the option', () => {
  for (const bad of ['0', '31d', '1w', '1.5h', '-1h', 'soon', ''])
    assert.throws(
      () => parseLifetime(bad, '--lifetime'),
      {
        message: `--lifetime: "${bad}" is not a lifetime between 1s and 30d; write it as a number and a unit, e.g. 30m, 1h or 7d`,
      },
      bad,
    );
});
