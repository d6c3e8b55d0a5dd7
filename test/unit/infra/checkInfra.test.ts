import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { show, type Value } from './armEval';
import { readInfraModel } from './infraModel';
import { checkInfra, type CheckInfraInput, type TriggerInfo } from './checkInfra';
import { ROOT, azdParameters, bicepUnavailable, compileBicep, loadTriggers, readCodeFacts, storageNames, type Compiled } from './codeFacts';

type Template = { [key: string]: Value };

/**
 * Deployments the check covers: main.bicep with azd's parameters, then each variant's own values on top. A new
 * backend or option is one more entry here.
 */
const VARIANTS: { name: string; parameters: Record<string, Value> }[] = [
  { name: 'Durable Task Scheduler backend', parameters: { durableBackend: 'durableTaskScheduler' } },
  { name: 'Durable Task Scheduler, Dedicated with 3 capacity units', parameters: { durableBackend: 'durableTaskScheduler', durableSchedulerSku: 'Dedicated', durableSchedulerCapacity: 3 } },
  { name: 'default', parameters: {} },
  { name: 'two compute targets', parameters: { computeTargets: ['cpu', 'gpu'] } },
  // Its first 14 characters end with a hyphen: the job name must still be valid (no "--").
  { name: 'a long compute target name', parameters: { computeTargets: ['gpu-large-mem-x2'], defaultCompute: 'gpu-large-mem-x2' } },
];

const SITE = 'the app settings (main/api)';
const JOB = 'Container Apps job jobs[0] (main/workers)';

let compiled: Compiled;
let real: CheckInfraInput;
let skip: string | undefined;

before(() => {
  compiled = compileBicep();
  skip = bicepUnavailable(compiled);
  if (skip) return;
  assert.ok(compiled.ok, `infra/bicep/main.bicep does not compile:\n${compiled.ok ? '' : compiled.diagnostics}`);
  // The registered triggers come from the compiled app, loaded through the local host's core shim.
  real = { template: compiled.template, parameters: azdParameters(), ...readCodeFacts(loadTriggers()) };
});

/** The real input with the compiled JSON edited; fails if the edit does not apply, so a test cannot pass vacuously. */
function withJson(from: string, to: string, input = real): CheckInfraInput {
  const text = JSON.stringify(input.template);
  const edited = text.split(from).join(to);
  assert.notEqual(edited, text, `the edit ${from} did not apply`);
  return { ...input, template: JSON.parse(edited) as Template };
}

/** The template of the module deployed as `name` (a nested deployment of main). */
function moduleOf(template: Template, name: string): Template {
  const found = (template.resources as Template[]).find((r) => r.type === 'Microsoft.Resources/deployments' && r.name === name);
  assert.ok(found, `no module deployment named ${name}`);
  return (found.properties as Template).template as Template;
}

function edited(edit: (template: Template) => void): CheckInfraInput {
  const template = structuredClone(real.template);
  edit(template);
  assert.notDeepEqual(template, real.template, 'the edit changed nothing');
  return { ...real, template };
}

/** A test that needs the compiled templates: skipped, with the reason, where they cannot be compiled. */
const it = (name: string, fn: () => void) => test(name, (t) => (skip ? t.skip(skip) : fn()));

const without = (list: string[], item: string) => {
  assert.ok(list.includes(item), `${item} is not in the list`);
  return list.filter((x) => x !== item);
};

for (const variant of VARIANTS) {
  test(`the templates and the code agree (${variant.name})`, (t) => {
    if (skip) return t.skip(skip);
    const input = { ...real, parameters: { ...real.parameters, ...variant.parameters } };
    const targets = variant.parameters.computeTargets;
    const jobs = checkInfra(input).filter((p) => p.startsWith('Container Apps job') && p.includes('is named'));
    assert.deepEqual(jobs, []);
    assert.deepEqual(checkInfra(Array.isArray(targets) ? { ...input, computeTargets: targets as string[] } : input), []);
  });
}

test('a property name broken in a module fails to compile with the Bicep error', (t) => {
  if (skip) return t.skip(skip);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bicep-'));
  try {
    cpSync(join(ROOT, 'infra', 'bicep'), dir, { recursive: true });
    const file = join(dir, 'modules', 'storage.bicep');
    const text = readFileSync(file, 'utf8');
    assert.ok(text.includes('allowSharedKeyAccess: false'));
    writeFileSync(file, text.replace('allowSharedKeyAccess: false', 'allowSharedKeyAcess: false'));
    const broken = compileBicep(join(dir, 'main.bicep'));
    assert.equal(broken.ok, false);
    assert.match(broken.ok ? '' : broken.diagnostics, /storage\.bicep\(\d+,\d+\) : (Warning|Error) BCP\d+: .*"allowSharedKeyAcess"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the code side is read from the code, not from a copy', () => {
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
  it('fails when Bicep stops setting a setting the code reads', () => {
    const input = edited((t) => delete (t.variables as Template).sluiceSettings!['SLUICE_DEFAULT_COMPUTE' as never]);
    assert.deepEqual(checkInfra(input), [
      `app setting "SLUICE_DEFAULT_COMPUTE" is read by the code but ${SITE} does not set it`,
      `${JOB} does not set "SLUICE_DEFAULT_COMPUTE", which the worker reads`,
    ]);
  });

  it('fails when the code stops reading a setting Bicep sets', () => {
    const input = { ...real, settings: without(real.settings, 'SLUICE_AUTH_JWKS_URI') };
    assert.deepEqual(checkInfra(input), [
      `app setting "SLUICE_AUTH_JWKS_URI" is set by ${SITE} but nothing reads it; remove it, or read it in shared/config.ts`,
      `${JOB} sets "SLUICE_AUTH_JWKS_URI" but nothing reads it`,
    ]);
  });

  it('fails on an app setting that nothing reads', () => {
    const input = edited((t) => (((moduleOf(t, 'api').variables as Template).hostSettings as Template).FEATURE_X = 'on'));
    assert.deepEqual(checkInfra(input), [
      `app setting "FEATURE_X" is set by ${SITE} but nothing reads it; remove it, or read it in shared/config.ts`,
    ]);
  });

  it('a connection-string setting is satisfied by its identity-based form only', () => {
    const input = edited((t) => delete ((moduleOf(t, 'api').variables as Template).hostSettings as Template).SLUICE_STORAGE__accountName);
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

  it('host.json %NAME% references count as settings the code reads', () => {
    const input = edited((t) => delete ((t.variables as Template).sluiceSettings as Template).TASKHUB_NAME);
    assert.deepEqual(checkInfra(input), [
      `app setting "TASKHUB_NAME" is read by the code but ${SITE} does not set it`,
      `${JOB} does not set "TASKHUB_NAME", which the worker reads`,
    ]);
  });
});

describe('storage names', () => {
  it('fails when Bicep stops creating a queue, a table or a container', () => {
    const input = withJson(
      "concat(createArray('step-results', 'step-work'), variables('computeQueues'))",
      "concat(createArray('step-work'), variables('computeQueues'))",
    );
    assert.deepEqual(checkInfra(input), [
      'trigger of function "stepResults" (queueTrigger) listens on queue "step-results", which Bicep does not create',
      'queue "step-results" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra(withJson('"pipeline-data","logs"', '"pipeline-data"')), [
      'blob container "logs" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra(withJson('"ReuseCache",', '')), [
      'table "ReuseCache" (shared/store/names.ts) is not created in Bicep',
    ]);
  });

  it('fails when the code uses a queue, a table or a container Bicep does not create', () => {
    assert.deepEqual(checkInfra({ ...real, queues: [...real.queues, 'dead-letters'] }), [
      'queue "dead-letters" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra({ ...real, tables: [...real.tables, 'Secrets'] }), [
      'table "Secrets" (shared/store/names.ts) is not created in Bicep',
    ]);
    assert.deepEqual(checkInfra({ ...real, containers: [...real.containers, 'datasets'] }), [
      'blob container "datasets" (shared/store/names.ts) is not created in Bicep',
    ]);
  });
});

describe('compute targets', () => {
  it('fails when a default compute target has no queue and no job', () => {
    assert.deepEqual(checkInfra({ ...real, computeTargets: ['cpu', 'gpu'] }), [
      'queue "compute-gpu" of compute target "gpu" is not created in Bicep',
      'compute target "gpu" has no Container Apps job scaling on queue "compute-gpu"',
    ]);
  });

  it('a second target in Bicep gets its own queue and job', () => {
    const input = { ...real, parameters: { ...real.parameters, computeTargets: ['cpu', 'gpu'] }, computeTargets: ['cpu', 'gpu'] };
    assert.deepEqual(checkInfra(input), []);
  });

  it('fails when a job serves another target than the queue it scales on', () => {
    const input = withJson("format('compute-{0}', parameters('computeTargets')[copyIndex()])", "format('compute-{0}x', parameters('computeTargets')[copyIndex()])");
    assert.deepEqual(checkInfra(input), [
      'compute target "cpu" has no Container Apps job scaling on queue "compute-cpu"',
      `${JOB} scales on queue "compute-cpux", which Bicep does not create`,
      `${JOB} scales on queue "'compute-cpux'" but its worker serves compute target 'cpu' (SLUICE_COMPUTE)`,
    ]);
  });

  it('fails when the queue scaler does not use the managed identity', () => {
    const input = edited((t) => {
      const job = (moduleOf(t, 'workers').resources as Template[]).find((r) => r.type === 'Microsoft.App/jobs')!;
      const rules = (((((job.properties as Template).configuration as Template).eventTriggerConfig as Template).scale as Template).rules as Template[]);
      delete rules[0].identity;
    });
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

  it('a blob trigger on a created container and a queue trigger on a created queue pass', () => {
    assert.deepEqual(checkInfra({ ...real, triggers: [blob, queue] }), []);
  });

  it('fails on a missing connection, container, queue or Event Grid source', () => {
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

  it('%NAME% in a trigger path resolves through the app settings', () => {
    const input = { ...real, triggers: [{ ...blob, path: '%TASKHUB_NAME%/{name}' }] };
    assert.deepEqual(checkInfra(input), [
      'trigger of function "dataChange" (blobTrigger) watches container "SluiceHub", which Bicep does not create',
    ]);
  });

  it('fails when an Event Grid blob trigger has no system topic', () => {
    const input = edited((t) => {
      t.resources = (t.resources as Template[]).filter((r) => r.name !== 'event-grid');
      delete (t.outputs as Template).AZURE_EVENTGRID_SYSTEM_TOPIC_NAME;
    });
    const problems = checkInfra({ ...input, triggers: [blob] });
    assert.deepEqual(problems, [
      'trigger of function "dataChange" (blobTrigger) has source EventGrid but Bicep creates no Event Grid system topic for the storage account',
    ]);
  });
});

describe('security', () => {
  it('fails when storage allows keys, old TLS or public blobs', () => {
const input = withJson('"minimumTlsVersion":"TLS1_2"', '"minimumTlsVersion":"TLS1_0"', withJson('"allowSharedKeyAccess":false', '"allowSharedKeyAccess":true'));
    assert.deepEqual(checkInfra(input), [
      'storage account (main/storage) must set allowSharedKeyAccess: false (it is true)',
      "storage account (main/storage) must set minimumTlsVersion: 'TLS1_2' (it is 'TLS1_0')",
    ]);
  });

  it('fails when a role assignment name is not guid(scope, principal, role)', () => {
    const storageId = "resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))";
    const input = withJson(`guid(${storageId}, parameters('principalId'),`, `guid(${storageId},`);
    const problems = checkInfra(input);
    assert.equal(problems.length, 9);
    assert.equal(problems[0], 'role assignment storageAccess[0] (main/api-access): its name is not guid(scope, principal, role)');
    const swapped = withJson(`guid(${storageId}, parameters('principalId'),`, `guid(resourceId('Microsoft.Insights/components', parameters('applicationInsightsName')), parameters('principalId'),`);
    assert.match(checkInfra(swapped)[0], /^role assignment storageAccess\[0\] \(main\/api-access\): the first argument of guid\(\) is .*\/providers\/Microsoft\.Insights\/components\/appi-\w+', not the id of its scope .*\/providers\/Microsoft\.Storage\/storageAccounts\/st\w+'$/);
  });

  it('fails when an identity or the deployer lacks a data-plane role', () => {
    const input = withJson('{"name":"Storage Queue Data Contributor","id":"974c5e8b-45b9-4653-ba55-5f855dd0fb88"},', '');
    assert.deepEqual(checkInfra(input), [
      'managed identity (main/api-identity) is not assigned Storage Queue Data Contributor',
      'managed identity (main/worker-identity) is not assigned Storage Queue Data Contributor',
      'the deploying principal (principalId) is not assigned Storage Queue Data Contributor',
    ]);
  });

  it('fails when a template reads a key', () => {
    const read = "[listKeys(resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName')), '2023-05-01').keys[0].value]";
    const input = edited((t) => {
      const settings = (moduleOf(t, 'api').variables as Template).hostSettings as Template;
      delete settings.AzureWebJobsStorage__credential;
      settings.AzureWebJobsStorage = read;
    });
    const api = (real.template.resources as Template[]).findIndex((r) => r.name === 'api');
    assert.deepEqual(checkInfra(input), [
      `main.resources[${api}].properties.template.variables.hostSettings.AzureWebJobsStorage: ${read} reads a storage or workspace key; Sluice deploys with identities only`,
    ]);
  });

  it('fails when Application Insights accepts instrumentation-key ingestion', () => {
    const input = withJson('"DisableLocalAuth":true', '"DisableLocalAuth":false');
    assert.deepEqual(checkInfra(input), [
      'Application Insights (main/monitoring) must set DisableLocalAuth: true (Entra-only ingestion)',
    ]);
  });
});

describe('tokens of steps: the step key and the API URL', () => {
  const STEP_KEY_REF = "createObject('name', 'SLUICE_STEP_TOKEN_KEY', 'secretRef', variables('stepTokenSecretName'))";
  const workersModule = (t: Template) => moduleOf(t, 'workers');

  it('the worker jobs get SLUICE_API_URL (the API\'s URL) and the key as a secret; the Function App the public half only', () => {
    const model = readInfraModel(real.template, real.parameters);
    const job = model.jobs[0];
    const env = new Map((job.env ?? []).map((e) => [e.name, e]));
    // The Function App's own https URL (the api module's output `url`).
    assert.match(show(env.get('SLUICE_API_URL')?.value ?? null), /^'?https:\/\/reference\(.*\/Microsoft\.Web\/sites\/func-\w+\)\.defaultHostName'?$/);
    assert.equal(env.get('SLUICE_STEP_TOKEN_KEY')?.value, undefined);
    assert.equal(env.get('SLUICE_STEP_TOKEN_KEY')?.secretRef, 'step-token-key');
    assert.deepEqual(job.secrets, ['step-token-key']);
    assert.equal(env.get('SLUICE_STEP_TOKEN_ISSUER')?.value, 'sluice-steps:${AZURE_ENV_NAME}');
    for (const s of ['SLUICE_SECRETS_KEY', 'SLUICE_STEP_TOKEN_PUBLIC_KEY', 'SLUICE_STEP_TOKEN_KEY_PREVIOUS']) assert.ok(!env.has(s), s);
    const app = model.appSettings[0].settings!;
    assert.equal(app.SLUICE_STEP_TOKEN_PUBLIC_KEY, '${SLUICE_STEP_TOKEN_PUBLIC_KEY}');
    assert.equal(app.SLUICE_STEP_TOKEN_KEY_PREVIOUS, '');
    assert.equal(app.SLUICE_STEP_TOKEN_ISSUER, 'sluice-steps:${AZURE_ENV_NAME}');
    assert.ok(!('SLUICE_STEP_TOKEN_KEY' in app) && !('SLUICE_API_URL' in app));
  });

  it('fails when the key is a plain environment value, or names a secret the job does not define', () => {
    const plain = withJson(STEP_KEY_REF, "createObject('name', 'SLUICE_STEP_TOKEN_KEY', 'value', parameters('stepTokenKey'))");
    assert.deepEqual(checkInfra(plain), [
      `${JOB} sets "SLUICE_STEP_TOKEN_KEY" as a plain value; it must be a secret reference (secretRef to one of the job's secrets)`,
    ]);
    const dangling = withJson(STEP_KEY_REF, "createObject('name', 'SLUICE_STEP_TOKEN_KEY', 'secretRef', 'other')");
    assert.deepEqual(checkInfra(dangling), [
      `${JOB} maps "SLUICE_STEP_TOKEN_KEY" to secret 'other', which the job does not define (configuration.secrets)`,
    ]);
  });

  it('fails when the workers lose the API URL or the key', () => {
    const input = withJson(`${STEP_KEY_REF}, `, '', withJson("createObject('name', 'SLUICE_API_URL', 'value', parameters('apiUrl')), ", ''));
    assert.deepEqual(checkInfra(input), [
      `${JOB} does not set "SLUICE_API_URL", which the worker reads`,
      `${JOB} does not set "SLUICE_STEP_TOKEN_KEY", which the worker reads`,
    ]);
  });

  it('fails when the Function App gets the private key, or the workers get a setting of the app alone', () => {
    const toApp = edited((t) => {
      ((moduleOf(t, 'api').variables as Template).hostSettings as Template).SLUICE_STEP_TOKEN_KEY = 'x';
    });
    assert.deepEqual(checkInfra(toApp), [
      `${SITE} set "SLUICE_STEP_TOKEN_KEY", which only the workers may hold (the Function App must never read it)`,
    ]);
    const toWorkers = edited((t) => {
      const workers = (t.resources as Template[]).find((r) => r.name === 'workers')!;
      const given = ((workers.properties as Template).parameters as Template).sluiceSettings as Template;
      given.value = String(given.value).replace(/^\[union\(/, "[union(variables('appOnlySettings'), ");
    });
    assert.deepEqual(checkInfra(toWorkers), [
      `${JOB} sets "SLUICE_SECRETS_KEY", which only the Function App may hold (a worker must never read it)`,
      `${JOB} sets "SLUICE_STEP_TOKEN_PUBLIC_KEY", which only the Function App may hold (a worker must never read it)`,
      `${JOB} sets "SLUICE_STEP_TOKEN_KEY_PREVIOUS", which only the Function App may hold (a worker must never read it)`,
      'module main/workers receives a secure value in its parameter "sluiceSettings", which is not @secure(); its value would be recorded with the deployment',
    ]);
  });

  it('fails when an output exposes the key, directly or through a variable', () => {
    const direct = edited((t) => ((t.outputs as Template).LEAK = { type: 'string', value: "[parameters('stepTokenKey')]" }));
    assert.deepEqual(checkInfra(direct), [
      'output "LEAK" of main exposes a secure parameter; outputs are readable by anyone who can read the deployment',
    ]);
    const viaVariable = edited((t) => {
      const module = workersModule(t);
      (module.variables as Template).keyCopy = "[format('k={0}', parameters('stepTokenKey'))]";
      (module.outputs as Template).debug = { type: 'string', value: "[variables('keyCopy')]" };
    });
    assert.deepEqual(checkInfra(viaVariable), [
      'output "debug" of main/workers exposes a secure parameter; outputs are readable by anyone who can read the deployment',
    ]);
  });

  it('fails when a module receives the key in a parameter that is not @secure()', () => {
    const input = edited((t) => (((workersModule(t).parameters as Template).stepTokenKey as Template).type = 'string'));
    assert.deepEqual(checkInfra(input), [
      'module main/workers receives a secure value in its parameter "stepTokenKey", which is not @secure(); its value would be recorded with the deployment',
    ]);
    const datastoreKey = edited((t) => (((moduleOf(t, 'api').parameters as Template).appOnlySettings as Template).type = 'object'));
    assert.deepEqual(checkInfra(datastoreKey), [
      'module main/api receives a secure value in its parameter "appOnlySettings", which is not @secure(); its value would be recorded with the deployment',
    ]);
  });

  it('the key has no default in main.bicep and azd passes it from its environment', () => {
    const params = real.template.parameters as Template;
    assert.deepEqual(
      { type: (params.stepTokenKey as Template).type, hasDefault: 'defaultValue' in (params.stepTokenKey as Template) },
      { type: 'securestring', hasDefault: false },
    );
    assert.equal(real.parameters.stepTokenKey, '${SLUICE_STEP_TOKEN_KEY}');
    assert.equal(real.parameters.stepTokenPublicKey, '${SLUICE_STEP_TOKEN_PUBLIC_KEY}');
    assert.ok(!JSON.stringify(real.template).includes('newGuid('), 'no value made anew at each deployment');
  });
});

describe('Durable Task Scheduler backend', () => {
  const onDts = (input = real): CheckInfraInput => ({ ...input, parameters: { ...input.parameters, durableBackend: 'durableTaskScheduler' } });
  const SCHEDULER = '(main/durable-task-scheduler)';

  it('Azure Storage creates no scheduler; the scheduler variant passes with its role, settings and no keys', () => {
    const template = JSON.stringify(real.template);
    assert.ok(template.includes('Microsoft.DurableTask/schedulers'), 'the template declares a scheduler');
    assert.deepEqual(checkInfra(real), []);
    assert.deepEqual(checkInfra(onDts()), []);
  });

  it("fails when the app's identity or the deployer lacks Durable Task Data Contributor", () => {
    const input = edited((t) => {
      const module = moduleOf(t, 'durable-task-scheduler');
      module.resources = (module.resources as Template[]).filter((r) => r.type !== 'Microsoft.Authorization/roleAssignments');
    });
    assert.deepEqual(checkInfra(onDts(input)), [
      `the Function App's identity is not assigned Durable Task Data Contributor on the task hub or scheduler ${SCHEDULER}`,
      `the deploying principal (principalId) is not assigned Durable Task Data Contributor on the task hub or scheduler ${SCHEDULER}`,
    ]);
  });

  it('fails when the connection uses another identity, or no managed identity', () => {
    const other = withJson('ClientID={1}', 'ClientID=00000000-0000-0000-0000-000000000000');
    assert.deepEqual(checkInfra(onDts(other)), [
      "DURABLE_TASK_SCHEDULER_CONNECTION_STRING authenticates as 00000000-0000-0000-0000-000000000000, not as the identity the app runs as (reference(/subscriptions/<subscription>/resourceGroups/rg-${AZURE_ENV_NAME}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-api-4e1e38cd6be3e).clientId)",
    ]);
    const keyed = withJson('Authentication=ManagedIdentity;', 'Authentication=None;');
    assert.match(checkInfra(onDts(keyed)).join('\n'), /^the app settings \(main\/api\) set DURABLE_TASK_SCHEDULER_CONNECTION_STRING to Endpoint=reference\(.*\/Microsoft\.DurableTask\/schedulers\/dts-\w+\)\.endpoint;Authentication=None;ClientID=.*; it must be Endpoint=<scheduler endpoint>;Authentication=ManagedIdentity;ClientID=<the app's identity> \(no keys\)$/);
  });

  it('fails when the task hub is not the one TASKHUB_NAME names', () => {
    const input = withJson(`"taskHubName":{"value":"[parameters('taskHubName')]"}`, `"taskHubName":{"value":"OtherHub"}`);
    assert.deepEqual(checkInfra(onDts(input)), [
      `Durable Task Scheduler ${SCHEDULER} has no task hub named 'SluiceHub' (TASKHUB_NAME); its hubs: 'OtherHub'`,
      // ...and the roles, given on that other hub, do not cover the app's.
      `the Function App's identity is not assigned Durable Task Data Contributor on the task hub or scheduler ${SCHEDULER}`,
      `the deploying principal (principalId) is not assigned Durable Task Data Contributor on the task hub or scheduler ${SCHEDULER}`,
    ]);
  });

  it('fails when the app settings stop selecting the scheduler Bicep creates', () => {
    const input = withJson(`'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type', 'azureManaged', `, '');
    assert.deepEqual(checkInfra(onDts(input)), [
      `Durable Task Scheduler ${SCHEDULER} is created but the app settings (main/api) do not select it (storageProvider.type is 'AzureStorage')`,
    ]);
  });
});
