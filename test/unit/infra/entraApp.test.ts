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

function run(args: string[], dir: string, log: string) {
  return spawnSync('bash', [join(ROOT, 'scripts', 'entra-app.sh'), ...args], {
    encoding: 'utf8',
    env: { PATH: `${dir}:/usr/bin:/bin`, FAKE_AZ_LOG: log, HOME: dir },
  });
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
