import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import { createAuthorizer } from '../../../shared/auth/authorizer';
import { getAccessToken, isLocalUrl, toScope } from '../../../shared/auth/getAccessToken';
import { LocalKeyStore } from '../../../shared/auth/localKeyStore';
import { loadConfig } from '../../../shared/config';
import { UnauthorizedError, UserInputError } from '../../../shared/errors';

function fakeCredential(result: { token: string; expiresOnTimestamp: number } | Error) {
  const scopes: (string | string[])[] = [];
  const credential: TokenCredential = {
    getToken: async (scope) => {
      scopes.push(scope);
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return { credential, scopes };
}

test('isLocalUrl: localhost, 127.0.0.1 and ::1 are local; anything else is not', () => {
  for (const url of ['http://localhost:7071', 'http://127.0.0.1:7071/api', 'http://[::1]:7071', 'http://app.localhost'])
    assert.equal(isLocalUrl(url), true, url);
  for (const url of ['https://sluice.azurewebsites.net', 'http://127.0.0.2', 'http://localhost.example.com'])
    assert.equal(isLocalUrl(url), false, url);
  for (const url of ['localhost:7071', 'not a url'])
    assert.throws(() => isLocalUrl(url), {
      message: `url: "${url}" is not an http(s) URL; write it like http://localhost:7071`,
    });
});

test('toScope adds /.default to a bare app ID URI or client id and keeps named scopes', () => {
  assert.equal(toScope('api://sluice-prod'), 'api://sluice-prod/.default');
  assert.equal(toScope('api://sluice-prod/'), 'api://sluice-prod/.default');
  assert.equal(toScope('api://sluice-prod/.default'), 'api://sluice-prod/.default');
  assert.equal(toScope('0b8c9a2e-1f3d-4c5b-9e7a-6d5c4b3a2f10'), '0b8c9a2e-1f3d-4c5b-9e7a-6d5c4b3a2f10/.default');
  assert.equal(toScope('api://sluice-prod/user_impersonation'), 'api://sluice-prod/user_impersonation');
});

test('a local URL gets an admin development token that the local host accepts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-gat-'));
  const { credential, scopes } = fakeCredential(new Error('must not be called'));
  const result = await getAccessToken({ url: 'http://localhost:7071', dir, credential });
  assert.equal(result.source, 'local');
  assert.ok(result.expiresOnTimestamp > Date.now());
  assert.deepEqual(scopes, []);
  const store = await LocalKeyStore.load(dir);
  assert.ok(store, 'the key was created in dir');
  const principal = await createAuthorizer(loadConfig({}).auth, { localKeyStore: store }).authorize(
    `Bearer ${result.token}`,
    'Sluice.Admin',
  );
  assert.deepEqual(principal?.roles, ['Sluice.Admin']);
});

test('a remote URL asks the credential for the API scope (option first, then SLUICE_API_SCOPE)', async () => {
  const { credential, scopes } = fakeCredential({ token: 'entra-token', expiresOnTimestamp: 42 });
  const url = 'https://sluice-prod.azurewebsites.net';
  assert.deepEqual(await getAccessToken({ url, scope: 'api://sluice-prod', credential, env: {} }), {
    token: 'entra-token',
    expiresOnTimestamp: 42,
    source: 'azure',
  });
  await getAccessToken({ url, credential, env: { SLUICE_API_SCOPE: 'api://from-env' } });
  assert.deepEqual(scopes, ['api://sluice-prod/.default', 'api://from-env/.default']);
});

test('a remote URL without a scope says how to give one', async () => {
  await assert.rejects(getAccessToken({ url: 'https://sluice.example.com', env: {} }), (err: unknown) => {
    assert.ok(err instanceof UserInputError);
    assert.equal(
      err.message,
      "scope: no API scope to request a token for https://sluice.example.com; pass the API's app ID URI " +
        '(e.g. --scope api://sluice-prod) or set SLUICE_API_SCOPE',
    );
    return true;
  });
});

test('a credential failure says how to sign in', async () => {
  const { credential } = fakeCredential(new Error('DefaultAzureCredential failed to retrieve a token.\nmore lines'));
  await assert.rejects(
    getAccessToken({ url: 'https://sluice.example.com', scope: 'api://sluice-prod', credential, env: {} }),
    (err: unknown) => {
      assert.ok(err instanceof UnauthorizedError);
      assert.equal(
        err.message,
        'Could not get an access token for api://sluice-prod/.default: DefaultAzureCredential failed to retrieve a ' +
          'token.; sign in with "az login" (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET for a ' +
          'service principal)',
      );
      return true;
    },
  );
});
