import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './codeFacts';

/**
 * scripts/entra-app.sh against a fake `az` that records its calls and answers like a tenant with no Sluice app
 * yet. Checks the order of operations and that nothing secret is created or printed; Microsoft Graph itself is not
 * reachable from here.
 */
const FAKE_AZ = `#!/bin/sh
log="$FAKE_AZ_LOG"
printf '%s\\n' "$*" >>"$log"
for a in "$@"; do case "$a" in @*) cat "\${a#@}" >>"$log"; printf '\\n' >>"$log";; esac; done
case "$*" in
  "ad app list"*) if [ -f "$FAKE_AZ_LOG.sp" ]; then echo "app-123"; else echo ""; fi ;;
  "ad app create"*) echo "app-123" ;;
  "ad app show --id app-123 --query id "*) echo "obj-1" ;;
  "ad app show --id app-123 --query spa.redirectUris"*) printf '%s\n' $FAKE_SPA_URIS ;;
  "ad app show"*) echo "" ;;
  "ad sp show --id app-123 --query id --output tsv")
    if [ -f "$FAKE_AZ_LOG.sp" ]; then echo "sp-9"; else exit 3; fi ;;
  "ad sp show --id app-123 --query appRoles"*) echo "role-run" ;;
  "ad sp create"*) touch "$FAKE_AZ_LOG.sp" ;;
  "ad signed-in-user show"*) echo "user-7" ;;
  "rest --method GET"*) echo "0" ;;
esac
exit 0
`;

function run(args: string[], dir: string, log: string, spaUris = '') {
  return spawnSync('bash', [join(ROOT, 'scripts', 'entra-app.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: `${dir}:/usr/bin:/bin`, FAKE_AZ_LOG: log, HOME: dir, FAKE_SPA_URIS: spaUris },
  });
}

function fakeAz(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'entra-app-'));
  writeFileSync(join(dir, 'az'), FAKE_AZ);
  chmodSync(join(dir, 'az'), 0o755);
  return { dir, log: join(dir, 'az.log') };
}

test('entra-app.sh create registers the API, its roles and scope, and prints the audience', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-app-'));
  const log = join(dir, 'az.log');
  writeFileSync(join(dir, 'az'), FAKE_AZ);
  chmodSync(join(dir, 'az'), 0o755);

  const create = run(['create'], dir, log);
  assert.equal(create.status, 0, create.stderr);
  assert.match(create.stdout, /^SLUICE_AUTH_AUDIENCE=api:\/\/app-123,app-123$/m);
  assert.match(create.stdout, /Run: azd env set SLUICE_AUTH_AUDIENCE "api:\/\/app-123,app-123"/);
  const calls = readFileSync(log, 'utf8');
  assert.match(calls, /ad app create --display-name sluice-api --sign-in-audience AzureADMyOrg/);
  assert.match(calls, /ad app update --id app-123 --identifier-uris api:\/\/app-123/);
  for (const role of ['Sluice.Read', 'Sluice.Run', 'Sluice.Admin'])
    assert.match(calls, new RegExp(`"allowedMemberTypes":\\["User","Application"\\][^}]*"value":"${role.replace('.', '\\.')}"`));
  assert.match(calls, /"value":"user_impersonation"/);
  assert.match(calls, /"preAuthorizedApplications":\[\{"appId":"04b07795-8ddb-461a-bbee-02f9e1bf7b46"/);
  assert.match(calls, /ad sp create --id app-123/);
  assert.match(calls, /ad sp update --id app-123 --set appRoleAssignmentRequired=true/);
  assert.doesNotMatch(calls, /credential reset|password|secret/i);
  // No app URL yet (no --studio-url, no azd environment): Studio's redirect is left for later, and said so.
  assert.doesNotMatch(calls, /"spa"/);
  assert.match(create.stdout, /Studio's sign-in redirect is not registered yet: after azd up, run this again/);

  const assign = run(['assign', '--role', 'Sluice.Run', '--user', 'me'], dir, log);
  assert.equal(assign.status, 0, assign.stderr);
  assert.match(assign.stdout, /Gave user me the role Sluice.Run/);
  assert.match(
    readFileSync(log, 'utf8'),
    /rest --method POST --uri https:\/\/graph\.microsoft\.com\/v1\.0\/servicePrincipals\/sp-9\/appRoleAssignedTo .*"principalId":"user-7","resourceId":"sp-9","appRoleId":"role-run"/,
  );
});

test('entra-app.sh names the missing option', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-app-'));
  const result = run(['assign', '--user', 'me'], dir, join(dir, 'az.log'));
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim(), 'entra-app: assign needs --role Sluice.Read|Sluice.Run|Sluice.Admin');
});

test("entra-app.sh create --studio-url adds Studio's SPA redirect URI, keeping the others", () => {
  const { dir, log } = fakeAz();
  const result = run(
    ['create', '--studio-url', 'https://sluice-x.azurewebsites.net/'],
    dir,
    log,
    'https://other.example/app/',
  );
  assert.equal(result.status, 0, result.stderr);
  const calls = readFileSync(log, 'utf8');
  assert.match(
    calls,
    /rest --method PATCH --uri https:\/\/graph\.microsoft\.com\/v1\.0\/applications\/obj-1 .*\n\{"spa":\{"redirectUris":\["https:\/\/other\.example\/app\/","https:\/\/sluice-x\.azurewebsites\.net\/studio\/"\]\}\}/,
  );
  assert.match(result.stdout, /Added Studio's sign-in redirect https:\/\/sluice-x\.azurewebsites\.net\/studio\//);

  // Run again with the URI registered: nothing is patched.
  const again = fakeAz();
  const second = run(
    ['create', '--studio-url', 'https://sluice-x.azurewebsites.net/studio'],
    again.dir,
    again.log,
    'https://sluice-x.azurewebsites.net/studio/',
  );
  assert.equal(second.status, 0, second.stderr);
  assert.doesNotMatch(readFileSync(again.log, 'utf8'), /"spa"/);
  assert.match(second.stdout, /is registered already/);
});

test('entra-app.sh create refuses a Studio URL that is not https, before changing anything', () => {
  const { dir, log } = fakeAz();
  const result = run(['create', '--studio-url', 'http://sluice-x.azurewebsites.net'], dir, log);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^entra-app: --studio-url must be the app's https URL, e.g\. https:\/\/sluice-api\.azurewebsites\.net/);
  assert.throws(() => readFileSync(log, 'utf8'), /ENOENT/, 'az was not called');
});
