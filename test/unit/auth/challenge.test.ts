import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wwwAuthenticate } from '../../../shared/auth/challenge';
import { unauthorized } from '../../../shared/auth/messages';
import { ForbiddenError } from '../../../shared/errors';

test('no token: a bare Bearer challenge (RFC 6750: no error code without credentials)', () => {
  assert.equal(wwwAuthenticate(unauthorized('missing_token', 'Missing')), 'Bearer realm="sluice"');
  assert.equal(wwwAuthenticate(unauthorized('not_bearer', 'Basic')), 'Bearer realm="sluice"');
});

test('a rejected token: invalid_token with a header-safe description', () => {
  assert.equal(
    wwwAuthenticate(unauthorized('issuer', 'The token\'s issuer "x" is not accepted — fix it\\now')),
    'Bearer realm="sluice", error="invalid_token", error_description="The token\'s issuer \'x\' is not accepted  fix it\'now"',
  );
});

test('a missing role: insufficient_scope', () => {
  assert.equal(
    wwwAuthenticate(new ForbiddenError('This request needs the app role Sluice.Run')),
    'Bearer realm="sluice", error="insufficient_scope", error_description="This request needs the app role Sluice.Run"',
  );
});
