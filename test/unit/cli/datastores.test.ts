import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { datastoresRegisterCommand } from '../../../cli/commands/data';
import { CliUsageError } from '../../../cli/errors';
import { sendJson, startFakeServer, type FakeServer, type Seen } from '../sdk/fakeServer';
import { fakeIo } from './fakeIo';

describe('sluice datastores register', () => {
  let server: FakeServer;
  const seen: Seen[] = [];
  const SECRET = 'c2VjcmV0LWtleS1mb3ItdGhlLWNsaQ==';

  before(async () => {
    server = await startFakeServer();
    server.on('PUT /api/datastores/landing', (req, res) => {
      seen.push(req);
      sendJson(res, 201, {
        name: 'landing',
        container: 'raw',
        accountName: 'landing1',
        isDefault: false,
        datastoreType: 'AzureDataLakeGen2',
        credential: { type: 'account_key' },
      });
    });
  });
  after(async () => {
    await server.close();
  });

  test('sends the kind, account and credential, the secret read from the variable --secret-env names', async () => {
    const f = fakeIo({ env: { LANDING_KEY: SECRET } });
    const argv = ['landing', '--container', 'raw', '--account', 'landing1', '--adls-gen2', '--credential'];
    const code = await datastoresRegisterCommand(
      [...argv, 'account_key', '--secret-env', 'LANDING_KEY', '--create', '--url', server.url],
      f.io,
    );
    assert.equal(code, 0, f.stderr());
    assert.deepEqual(JSON.parse(seen[0].body.toString()), {
      container: 'raw',
      datastoreType: 'AzureDataLakeGen2',
      accountName: 'landing1',
      credential: { type: 'account_key', secret: SECRET },
      createIfNotExists: true,
    });
    assert.match(f.stdout(), /Registered landing: AzureDataLakeGen2 container raw of account landing1 \(account_key\)/);
    assert.ok(!f.stdout().includes(SECRET));
  });

  test('a secret credential without --secret-env, an unset variable or an unknown type is a usage error', async () => {
    const cases: [string[], RegExp][] = [
      [['--credential', 'sas'], /--credential sas needs --secret-env VARIABLE/],
      [['--credential', 'sas', '--secret-env', 'NOPE'], /the environment variable NOPE is not set/],
      [['--credential', 'password'], /--credential "password" is not one of managed_identity, sas/],
      [['--secret-env', 'LANDING_KEY'], /--secret-env needs --credential sas, account_key or service_principal/],
    ];
    for (const [extra, message] of cases) {
      const f = fakeIo({ env: { LANDING_KEY: SECRET } });
      await assert.rejects(
        datastoresRegisterCommand(['landing', '--container', 'raw', ...extra, '--url', server.url], f.io),
        (err: Error) => err instanceof CliUsageError && message.test(err.message),
      );
    }
    await assert.rejects(
      datastoresRegisterCommand(['landing', '--url', server.url], fakeIo().io),
      /--container is required/,
    );
  });
});
