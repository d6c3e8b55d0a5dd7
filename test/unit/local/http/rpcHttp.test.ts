import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serializeCookie } from '../../../../local/http/rpcHttp';

test('RPC cookies become Set-Cookie values', () => {
  assert.equal(
    serializeCookie({
      name: 'session',
      value: 'a b',
      path: { value: '/' },
      domain: { value: 'example.com' },
      expires: { value: { seconds: 0 } },
      maxAge: { value: 60 },
      secure: { value: true },
      httpOnly: { value: true },
      sameSite: 'explicitNone',
    }),
    'session=a%20b; Domain=example.com; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=60; Secure; HttpOnly; SameSite=None',
  );
  assert.equal(serializeCookie({ name: 'x', value: '1', sameSite: 'none' }), 'x=1');
});
