import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { token } from '../../../cli/commands/token';
import { CliUsageError } from '../../../cli/errors';
import { createAuthorizer } from '../../../shared/auth/authorizer';
import { LocalKeyStore } from '../../../shared/auth/localKeyStore';
import { loadConfig } from '../../../shared/config';

const tempDir = () => mkdtempSync(join(tmpdir(), 'sluice-cli-token-'));

function capture(t: TestContext) {
  const out: string[] = [];
  const err: string[] = [];
  t.mock.method(console, 'log', (...a: unknown[]) => out.push(a.join(' ')));
  t.mock.method(console, 'error', (...a: unknown[]) => err.push(a.join(' ')));
  return { out, err };
}

test('sluice token creates the key on first use, says so, and prints an admin token the host accepts', async (t) => {
  const dir = tempDir();
  const { out, err } = capture(t);
  assert.equal(await token(['--dir', dir]), 0);
  const path = join(dir, '.sluice', 'auth', 'signing-key.jwk.json');
  assert.deepEqual(err, [
    `sluice token: created the development signing key ${path}; a local host started from that folder trusts it`,
  ]);
  assert.equal(out.length, 1);
  const store = await LocalKeyStore.load(dir);
  const principal = await createAuthorizer(loadConfig({}).auth, { localKeyStore: store }).authorize(
    `Bearer ${out[0]}`,
    'Sluice.Admin',
  );
  assert.equal(principal?.name, 'local-developer');

  assert.equal(await token(['--dir', dir, '--role', 'read', '--lifetime', '30m', '--subject', 'ada']), 0);
  assert.equal(err.length, 1, 'nothing more is said once the key exists');
  const claims = decodeJwt(out[1]);
  assert.deepEqual(claims.roles, ['Sluice.Read']);
  assert.equal(claims.sub, 'ada');
  assert.equal((claims.exp as number) - (claims.iat as number), 1800);
});

test('bad input is one readable line (exit 2 through CliUsageError)', async (t) => {
  capture(t);
  const cases: [string[], string][] = [
    [['--role', 'owner'], 'token: --role must be read, run or admin, not "owner"'],
    [
      ['--lifetime', '1y'],
      'token: --lifetime: "1y" is not a lifetime between 1s and 30d; write it as a number and a unit, e.g. 30m, 1h or 7d',
    ],
    [['--subject', ' '], 'token: --subject must not be empty'],
    [
      ['--colour'],
      /^token: Unknown option '--colour'.* \(usage: sluice token \[--role read\|run\|admin\] \[--dir DIR\] \[--lifetime 1h\] \[--subject NAME\]\)$/,
    ] as unknown as [string[], string],
  ];
  for (const [argv, message] of cases) {
    await assert.rejects(token(argv), (err: unknown) => {
      assert.ok(err instanceof CliUsageError);
      assert.ok(!err.message.includes('\n'), 'one line');
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    });
  }
});

test('a damaged key is exit 1 with the reason', async (t) => {
  const dir = tempDir();
  const store = await LocalKeyStore.loadOrCreate(dir);
  writeFileSync(store.path, '{}');
  const { out, err } = capture(t);
  assert.equal(await token(['--dir', dir]), 1);
  assert.deepEqual(out, []);
  assert.match(err[0], /^sluice token: The development signing key .* is damaged/);
});
