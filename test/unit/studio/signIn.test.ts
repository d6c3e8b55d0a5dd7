import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { studio } from '../../../cli/commands/studio';
import { createSignInCode, redeemSignInCode } from '../../../shared/auth';
import { createAuthorizer } from '../../../shared/auth/authorizer';
import { localStudioSignIn } from '../../../shared/studio/signIn';
import { studioConfig } from '../../../shared/studio/config';

const dir = () => mkdtempSync(join(tmpdir(), 'studio-signin-'));

test('a sign-in code works once', async () => {
  const d = dir();
  const code = await createSignInCode(d);
  assert.match(code, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(await redeemSignInCode(d, code), true);
  assert.equal(await redeemSignInCode(d, code), false);
});

test('two requests racing with one code: exactly one wins', async () => {
  const d = dir();
  const code = await createSignInCode(d);
  const results = await Promise.all(Array.from({ length: 8 }, () => redeemSignInCode(d, code)));
  assert.equal(results.filter(Boolean).length, 1);
});

test('an expired, unknown or malformed code is refused, and the folder never holds a code', async () => {
  const d = dir();
  const now = new Date('2026-01-01T10:00:00Z');
  const code = await createSignInCode(d, now, 60_000);
  const stored = readdirSync(join(d, '.sluice', 'auth', 'signin'));
  assert.equal(stored.length, 1);
  assert.ok(!stored[0].includes(code));
  assert.ok(!readFileSync(join(d, '.sluice', 'auth', 'signin', stored[0]), 'utf8').includes(code));
  assert.equal(await redeemSignInCode(d, code, new Date('2026-01-01T10:01:01Z')), false, 'expired');
  assert.equal(await redeemSignInCode(d, 'A'.repeat(32)), false, 'unknown');
  assert.equal(await redeemSignInCode(d, '../../signing-key.jwk.json'), false, 'malformed');
});

test('creating a code sweeps expired ones', async () => {
  const d = dir();
  await createSignInCode(d, new Date('2026-01-01T10:00:00Z'), 1000);
  await createSignInCode(d, new Date('2026-01-01T11:00:00Z'));
  assert.equal(readdirSync(join(d, '.sluice', 'auth', 'signin')).length, 1);
});

test('a redeemed code becomes an Admin development token the local authorizer accepts', async () => {
  const d = dir();
  const signIn = localStudioSignIn(d);
  assert.equal(await signIn('B'.repeat(32)), undefined);
  const session = await signIn(await createSignInCode(d));
  assert.ok(session);
  assert.ok(Date.parse(session.expiresAt) > Date.now() + 7 * 3600_000);
  const az = createAuthorizer({ mode: 'local', audiences: [], issuers: [] }, { localKeyDir: d });
  const principal = await az.authorize(`Bearer ${session.token}`, 'Sluice.Admin');
  assert.deepEqual(principal?.roles, ['Sluice.Admin']);
  assert.equal(principal?.name, 'studio');
});

test('Studio config: local mode; Entra mode signs in to the API app registration with PKCE settings, no secret', () => {
  assert.deepEqual(studioConfig({ mode: 'local', audiences: [], issuers: [] }), { auth: { mode: 'local' } });
  const entra = studioConfig({
    mode: 'entra',
    tenantId: '11111111-2222-3333-4444-555555555555',
    audiences: ['api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'],
    issuers: [],
  });
  assert.deepEqual(entra, {
    auth: {
      mode: 'entra',
      clientId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      authority: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555',
      scopes: ['api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/.default'],
    },
  });
  // A custom application ID URI alone does not give the client id: the page says what to set instead of failing.
  const custom = studioConfig({ mode: 'entra', tenantId: 't', audiences: ['api://sluice-prod'], issuers: [] });
  assert.equal(custom.auth.mode, 'unavailable');
  assert.match((custom.auth as { message: string }).message, /SLUICE_AUTH_AUDIENCE/);
});

test('`sluice studio` prints a fresh sign-in URL whose code the host redeems once', async () => {
  const d = dir();
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => void printed.push(line);
  try {
    assert.equal(await studio(['--url', 'http://localhost:8080/', '--dir', d]), 0);
  } finally {
    console.log = log;
  }
  const m = /^http:\/\/localhost:8080\/studio\/\?signin=([A-Za-z0-9_-]{32})$/.exec(printed.join('\n'));
  assert.ok(m, printed.join('\n'));
  assert.equal(await redeemSignInCode(d, m[1]), true);
  await assert.rejects(studio(['--url', 'ftp://x', '--dir', d]), /--url must start with http/);
});
