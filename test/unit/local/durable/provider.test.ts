import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyHostJsonOverrides, readHostJson } from '../../../../local/app/hostJson';
import { providerNotice, readDurableOptions } from '../../../../local/durable/options';

/** An app folder holding this host.json. */
function appWith(hostJson: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-provider-'));
  writeFileSync(join(dir, 'host.json'), JSON.stringify(hostJson));
  return dir;
}

const DTS_HOST_JSON = {
  version: '2.0',
  extensions: {
    durableTask: {
      hubName: '%TASKHUB_NAME%',
      storageProvider: { type: 'azureManaged', connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING' },
    },
  },
};

test('an app whose host.json asks for the Durable Task Scheduler is served by the local engine, with one line saying so', () => {
  const options = readDurableOptions(readHostJson(appWith(DTS_HOST_JSON), {}), { TASKHUB_NAME: 'SluiceHub' });
  assert.deepEqual(options.provider, {
    type: 'azureManaged',
    kind: 'durableTaskScheduler',
    connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
  });
  assert.equal(options.hubName, 'SluiceHub');
  assert.equal(
    providerNotice(options),
    'Durable Functions: host.json asks for the Durable Task Scheduler (azureManaged); served locally by the embedded ' +
      'engine on Azure Storage (task hub SluiceHub); DURABLE_TASK_SCHEDULER_CONNECTION_STRING is not used locally.',
  );
});

test('Azure Storage (named or by default) needs no notice; mssql and Netherite get their own', () => {
  const notice = (storageProvider: Record<string, unknown> | undefined) =>
    providerNotice(
      readDurableOptions(
        readHostJson(appWith({ extensions: { durableTask: { hubName: 'Hub1', storageProvider } } }), {}),
        {},
      ),
    );
  assert.equal(notice(undefined), undefined);
  assert.equal(notice({ type: 'AzureStorage' }), undefined);
  assert.equal(notice({ type: 'azure' }), undefined);
  assert.match(
    notice({ type: 'mssql', connectionStringName: 'SQLDB_Connection' })!,
    /asks for the Microsoft SQL Server provider \(mssql\); served locally .*SQLDB_Connection is not used locally\.$/,
  );
  assert.match(
    notice({ type: 'Netherite' })!,
    /asks for the Netherite provider \(Netherite\); served locally by the embedded engine on Azure Storage \(task hub Hub1\)\.$/,
  );
});

test('an unknown provider type is a clear error naming the field and the accepted values', () => {
  const hostJson = readHostJson(appWith({ extensions: { durableTask: { storageProvider: { type: 'redis' } } } }), {});
  assert.throws(
    () => readDurableOptions(hostJson, {}),
    /host\.json extensions\.durableTask\.storageProvider\.type is "redis", which is not a Durable storage provider; use AzureStorage \(the default\), azureManaged \(Durable Task Scheduler\), mssql or netherite\./,
  );
});

test('AzureFunctionsJobHost__ app settings override host.json, as the Functions host applies them', () => {
  const dir = appWith({ extensions: { durableTask: { hubName: '%TASKHUB_NAME%' }, http: { routePrefix: 'api' } } });
  const env = {
    TASKHUB_NAME: 'SluiceHub',
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged',
    AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName:
      'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
    // Keys match case-insensitively and keep host.json's spelling; numbers and booleans get their JSON types.
    azurefunctionsjobhost__Extensions__HTTP__routePrefix: 'v2',
    AzureFunctionsJobHost__extensions__queues__maxDequeueCount: '2',
  };
  const hostJson = readHostJson(dir, env);
  assert.equal(hostJson.routePrefix, 'v2');
  assert.equal(hostJson.queues.maxDequeueCount, 2);
  const options = readDurableOptions(hostJson, env);
  assert.equal(options.provider.kind, 'durableTaskScheduler');
  assert.equal(options.provider.connectionStringName, 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING');
  // Without the settings the same folder is an Azure Storage app.
  assert.equal(
    readDurableOptions(readHostJson(dir, { TASKHUB_NAME: 'SluiceHub' }), { TASKHUB_NAME: 'SluiceHub' }).provider.kind,
    'azureStorage',
  );
});

test('an override replaces a scalar with a section when it goes deeper, and ignores empty path segments', () => {
  const raw: Record<string, unknown> = { extensions: 'none', logging: { logLevel: { default: 'Information' } } };
  const applied = applyHostJsonOverrides(raw, {
    AzureFunctionsJobHost__extensions__durableTask__maxConcurrentActivityFunctions: '3',
    AzureFunctionsJobHost__logging__logLevel__Default: 'Warning',
    AzureFunctionsJobHost__logging____x: 'ignored',
    AzureFunctionsJobHost__extensions__durableTask__extendedSessionsEnabled: 'TRUE',
    OTHER: '1',
  });
  assert.deepEqual(raw, {
    extensions: { durableTask: { maxConcurrentActivityFunctions: 3, extendedSessionsEnabled: true } },
    logging: { logLevel: { default: 'Warning' } },
  });
  assert.deepEqual(applied, [
    'extensions.durableTask.extendedSessionsEnabled',
    'extensions.durableTask.maxConcurrentActivityFunctions',
    'logging.logLevel.Default',
  ]);
});
