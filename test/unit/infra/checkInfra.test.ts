import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInfra, type CheckInfraInput, type TriggerInfo } from './checkInfra';
import { loadTriggers, readBicepFiles, readCodeFacts, storageNames } from './codeFacts';

const MAIN = 'infra/bicep/main.bicep';
const STORAGE = 'infra/bicep/modules/storage.bicep';
const APP = 'infra/bicep/modules/functionApp.bicep';
const ACCESS = 'infra/bicep/modules/access.bicep';
const WORKERS = 'infra/bicep/modules/workers.bicep';
const SITE = '"appSettings" (infra/bicep/modules/functionApp.bicep, instance main/api)';
const JOB = 'Container Apps job "jobs" (infra/bicep/modules/workers.bicep, instance main/workers)';

let real: CheckInfraInput;

before(() => {
  // The registered triggers come from the compiled app, loaded through the local host's core shim.
  real = { bicepFiles: readBicepFiles(), ...readCodeFacts(loadTriggers()) };
});

/** The real input with one Bicep file edited; fails if the edit does not apply, so a test cannot pass vacuously. */
function withBicep(file: string, from: string | RegExp, to: string): CheckInfraInput {
  const text = real.bicepFiles[file];
  const edited = text.replace(from, to);
  assert.notEqual(edited, text, `the edit of ${file} did not apply`);
  return { ...real, bicepFiles: { ...real.bicepFiles, [file]: edited } };
}

const without = (list: string[], item: string) => {
  assert.ok(list.includes(item), `${item} is not in the list`);
  return list.filter((x) => x !== item);
};

test('the templates and the code agree', () => {
  assert.deepEqual(checkInfra(real), []);
});

test('the code side is read from the code, not from a copy', () => {
  for (const s of ['SLUICE_STORAGE__accountName', 'SLUICE_AUTH_AUDIENCE', 'AzureWebJobsStorage', 'TASKHUB_NAME'])
    assert.ok(real.settings.includes(s), s);
  assert.ok(real.tables.includes('Runs'));
  assert.ok(real.queues.includes('step-results'));
  assert.ok(real.containers.includes('workspaceblobstore'));
  assert.deepEqual(real.computeTargets, ['cpu']);
});

test('every *TABLES, *QUEUES and *CONTAINERS export of names.ts is checked', () => {
  const names = storageNames({ TABLES: { a: 'A' }, STORE_TABLES: { b: 'B' }, QUEUES: { q: 'q' }, CONTAINERS: { c: 'c' }, computeQueue: () => '' });
  assert.deepEqual(names, { tables: ['A', 'B'], queues: ['q'], containers: ['c'] });
});

describe('settings', () => {
  test('fails when Bicep stops setting a setting the code reads', () => {
    const input = withBicep(MAIN, /\n {2}SLUICE_DEFAULT_COMPUTE: defaultCompute/, '');
    assert.deepEqual(checkInfra(input), [
      `app setting "SLUICE_DEFAULT_COMPUTE" is read by the code but ${SITE} does not set it`,
      `${JOB} does not set "SLUICE_DEFAULT_COMPUTE", which the worker reads`,
    ]);
  });

  test('fails when the code stops reading a setting Bicep sets', () => {
    const input = { ...real, settings: without(real.settings, 'SLUICE_AUTH_JWKS_URI') };
    assert.deepEqual(checkInfra(input), [
      `app setting "SLUICE_AUTH_JWKS_URI" is set by ${SITE} but nothing reads it; remove it, or read it in shared/config.ts`,
      `${JOB} sets "SLUICE_AUTH_JWKS_URI" but nothing reads it`,
    ]);
  });

  test('fails on an app setting that nothing reads', () => {
    const input = withBicep(APP, "  AzureWebJobsStorage__credential: 'managedidentity'", "$&\n  FEATURE_X: 'on'");
    assert.deepEqual(checkInfra(input), [
      `app setting "FEATURE_X" is set by ${SITE} but nothing reads it; remove it, or read it in shared/config.ts`,
    ]);
  });

  test('a connection-string setting is satisfied by its identity-based form only', () => {
    const input = withBicep(APP, /\n {2}SLUICE_STORAGE__accountName: storageAccountName/, '');
    assert.deepEqual(checkInfra(input), [
      `app setting "SLUICE_STORAGE" is read by the code but ${SITE} does not set it`,
      `app setting "SLUICE_STORAGE__accountName" is read by the code but ${SITE} does not set it`,
      // ...and every trigger that listens through that connection (derived, so new triggers need no test change).
      ...input.triggers
        .filter((t) => t.connection === 'SLUICE_STORAGE')
        .map(
          (t) =>
            `trigger of function "${t.functionName}" (${t.type}) uses connection "SLUICE_STORAGE", which is not set ` +
            '(set SLUICE_STORAGE__accountName for an identity-based connection)',
        ),
    ]);
    assert.ok(input.triggers.some((t) => t.connection === 'SLUICE_STORAGE'), 'the app has such triggers');
  });

  test('host.json %NAME% references count as settings the code reads', () => {
    const input = withBicep(MAIN, /\n {2}TASKHUB_NAME: taskHubName/, '');
    assert.deepEqual(checkInfra(input), [
      `app setting "TASKHUB_NAME" is read by the code but ${SITE} does not set it`,
      `${JOB} does not set "TASKHUB_NAME", which the worker reads`,
    ]);
  });
});

describe('storage names', () => {
  test('fails when Bicep stops creating a queue, a table or a container', () => {
    const input = withBicep(MAIN, "    'step-results'\n", '');
    assert.deepEqual(checkInfra(input), [
      'trigger of function "stepResults" (queueTrigger) listens on queue "step-results", which Bicep does not create',
      'queue "step-results" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra(withBicep(MAIN, "  'logs'\n", '')), [
      'blob container "logs" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra(withBicep(MAIN, "  'ReuseCache'\n", '')), [
      'table "ReuseCache" (shared/store/names.ts) is not created in Bicep',
    ]);
  });

  test('fails when the code uses a queue, a table or a container Bicep does not create', () => {
    assert.deepEqual(checkInfra({ ...real, queues: [...real.queues, 'dead-letters'] }), [
      'queue "dead-letters" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra({ ...real, tables: [...real.tables, 'Secrets'] }), [
      'table "Secrets" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra({ ...real, containers: [...real.containers, 'models'] }), [
      'blob container "models" (shared/store/names.ts) is not created in Bicep',
    ]);
  });
});

describe('compute targets', () => {
  test('fails when a default compute target has no queue and no job', () => {
    assert.deepEqual(checkInfra({ ...real, computeTargets: ['cpu', 'gpu'] }), [
      'queue "compute-gpu" of compute target "gpu" is not created in Bicep',
      'compute target "gpu" has no Container Apps job scaling on queue "compute-gpu"',
    ]);
  });

  test('a second target in Bicep gets its own queue and job', () => {
    const input = withBicep(MAIN, "param computeTargets array = [\n  'cpu'\n", "$&  'gpu'\n");
    assert.deepEqual(checkInfra({ ...input, computeTargets: ['cpu', 'gpu'] }), []);
  });

  test('fails when a job serves another target than the queue it scales on', () => {
    const input = withBicep(WORKERS, "queueName: 'compute-${target}'", "queueName: 'compute-${target}x'");
    assert.deepEqual(checkInfra(input), [
      'compute target "cpu" has no Container Apps job scaling on queue "compute-cpu"',
      `${JOB} scales on queue "compute-cpux", which Bicep does not create`,
      `${JOB} scales on queue "'compute-cpux'" but its worker serves compute target 'cpu' (SLUICE_COMPUTE)`,
    ]);
  });

  test('fails when the queue scaler does not use the managed identity', () => {
    const input = withBicep(WORKERS, /\n\s*\/\/ The scaler reads .*\n\s*identity: identityId/, '');
    assert.deepEqual(checkInfra(input), [
      `${JOB} must read its queue with a managed identity (set the rule's identity, no auth secrets)`,
    ]);
  });
});

describe('triggers', () => {
  const blob: TriggerInfo = {
    functionName: 'dataChange',
    type: 'blobTrigger',
    connection: 'SLUICE_STORAGE',
    path: 'workspaceblobstore/{name}',
    source: 'EventGrid',
  };
  const queue: TriggerInfo = { functionName: 'stepResults', type: 'queueTrigger', connection: 'SLUICE_STORAGE', queueName: 'step-results' };

  test('a blob trigger on a created container and a queue trigger on a created queue pass', () => {
    assert.deepEqual(checkInfra({ ...real, triggers: [blob, queue] }), []);
  });

  test('fails on a missing connection, container, queue or Event Grid source', () => {
    const problems = checkInfra({
      ...real,
      triggers: [
        { ...blob, connection: 'DATA_LAKE' },
        { ...blob, functionName: 'other', path: 'incoming/{name}' },
        { ...blob, functionName: 'polling', source: undefined },
        { ...queue, queueName: 'results' },
      ],
    });
    assert.deepEqual(problems, [
      'trigger of function "dataChange" (blobTrigger) uses connection "DATA_LAKE", which is not set (set DATA_LAKE__accountName for an identity-based connection)',
      'trigger of function "other" (blobTrigger) watches container "incoming", which Bicep does not create',
      "trigger of function \"polling\" (blobTrigger) polls its container; Flex Consumption supports blob triggers with source: 'EventGrid' only",
      'trigger of function "stepResults" (queueTrigger) listens on queue "results", which Bicep does not create',
    ]);
  });

  test('%NAME% in a trigger path resolves through the app settings', () => {
    const input = { ...real, triggers: [{ ...blob, path: '%TASKHUB_NAME%/{name}' }] };
    assert.deepEqual(checkInfra(input), [
      'trigger of function "dataChange" (blobTrigger) watches container "SluiceHub", which Bicep does not create',
    ]);
  });

  test('fails when an Event Grid blob trigger has no system topic', () => {
    const input = withBicep(MAIN, /\nmodule events [\s\S]*?\n\}\n/, '\n');
    const problems = checkInfra({ ...withoutOutput(input, 'AZURE_EVENTGRID_SYSTEM_TOPIC_NAME'), triggers: [blob] });
    assert.deepEqual(problems, [
      'trigger of function "dataChange" (blobTrigger) has source EventGrid but Bicep creates no Event Grid system topic for the storage account',
    ]);
  });
});

function withoutOutput(input: CheckInfraInput, name: string): CheckInfraInput {
  const text = input.bicepFiles[MAIN].replace(new RegExp(`\\noutput ${name} .*`), '');
  return { ...input, bicepFiles: { ...input.bicepFiles, [MAIN]: text } };
}

describe('security', () => {
  test('fails when storage allows keys, old TLS or public blobs', () => {
    let input = withBicep(STORAGE, 'allowSharedKeyAccess: false', 'allowSharedKeyAccess: true');
    input = { ...input, bicepFiles: { ...input.bicepFiles, [STORAGE]: input.bicepFiles[STORAGE].replace("'TLS1_2'", "'TLS1_0'") } };
    assert.deepEqual(checkInfra(input), [
      'storage account "storage" (infra/bicep/modules/storage.bicep, instance main/storage) must set allowSharedKeyAccess: false (it is true)',
      "storage account \"storage\" (infra/bicep/modules/storage.bicep, instance main/storage) must set minimumTlsVersion: 'TLS1_2' (it is 'TLS1_0')",
    ]);
  });

  test('fails when a role assignment name is not guid(scope, principal, role)', () => {
    const input = withBicep(ACCESS, 'name: guid(storage.id, principalId, role.id)', 'name: guid(storage.id, role.id)');
    const problems = checkInfra(input);
    assert.equal(problems.length, 9);
    assert.match(problems[0], /^role assignment "storageAccess" \(infra\/bicep\/modules\/access\.bicep, instance main\/apiAccess\): its name is not guid\(scope, principal, role\)$/);
    const swapped = withBicep(ACCESS, 'name: guid(storage.id, principalId, role.id)', 'name: guid(applicationInsights.id, principalId, role.id)');
    assert.match(checkInfra(swapped)[0], /: the first argument of guid\(\) is main\/apiAccess:applicationInsights\.id, not the id of its scope$/);
  });

  test('fails when an identity or the deployer lacks a data-plane role', () => {
    const input = withBicep(ACCESS, /\n {2}\{\n {4}name: 'Storage Queue Data Contributor'\n[^}]*\}/, '');
    assert.deepEqual(checkInfra(input), [
      'managed identity "identity" (infra/bicep/modules/identity.bicep, instance main/apiIdentity) is not assigned Storage Queue Data Contributor',
      'managed identity "identity" (infra/bicep/modules/identity.bicep, instance main/workerIdentity) is not assigned Storage Queue Data Contributor',
      'the deploying principal (principalId) is not assigned Storage Queue Data Contributor',
    ]);
  });

  test('fails when a template reads a key', () => {
    const input = withBicep(APP, "  AzureWebJobsStorage__credential: 'managedidentity'\n", "  AzureWebJobsStorage: listKeys(storageAccountName, '2023-05-01').keys[0].value\n");
    assert.deepEqual(checkInfra(input), [`${APP}:54 reads a storage or workspace key; Sluice deploys with identities only`]);
  });

  test('fails when Application Insights accepts instrumentation-key ingestion', () => {
    const input = withBicep('infra/bicep/modules/monitoring.bicep', 'DisableLocalAuth: true', 'DisableLocalAuth: false');
    assert.deepEqual(checkInfra(input), [
      'Application Insights "applicationInsights" (infra/bicep/modules/monitoring.bicep, instance main/monitoring) must set DisableLocalAuth: true (Entra-only ingestion)',
    ]);
  });
});
