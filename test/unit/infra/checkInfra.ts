import { show, type Value } from './armEval';
import { readInfraModel, type InfraModel } from './infraModel';

/**
 * Keeps the Bicep templates and the code in step, without Azure: the code's lists (settings, storage names,
 * registered triggers, default compute targets) on one side, the templates as the Bicep CLI compiles them (ARM
 * JSON, evaluated with the deployment's parameters by armEval.ts) on the other. Returns one sentence per
 * problem; an empty list means they agree.
 */
export interface CheckInfraInput {
  /** infra/bicep/main.bicep compiled by the Bicep CLI (scripts/bicep.sh build). */
  template: { [key: string]: Value };
  /**
   * Values of main.bicep's parameters: main.parameters.json as azd reads it, plus a variant's own values (e.g.
   * another backend); the others take their defaults.
   */
  parameters: Record<string, Value>;
  /** Every setting the code reads: shared/config.ts SETTINGS, the host storage setting, host.json's %NAME%s. */
  settings: string[];
  /** The Functions host's storage connection (AzureWebJobsStorage). */
  hostStorageSetting: string;
  /** Settings only the Function App holds (shared/config.ts APP_ONLY_SETTINGS): workers must not get them. */
  appOnlySettings?: string[];
  /** Settings only the workers hold (shared/config.ts WORKER_ONLY_SETTINGS): the Function App must not get them. */
  workerOnlySettings?: string[];
  /** Worker settings that are secrets (WORKER_SECRET_SETTINGS): a Container Apps secret reference, never a value. */
  workerSecretSettings?: string[];
  tables: string[];
  queues: string[];
  containers: string[];
  triggers: TriggerInfo[];
  /** Compute targets of the default configuration (SLUICE_COMPUTE_TARGETS unset). */
  computeTargets: string[];
  computeQueue: (target: string) => string;
  /** Dockerfile.worker, whose command reads the compute target from {@link WORKER_COMPUTE_VARIABLE}. */
  workerDockerfile: string;
  /** host.json `extensions.durableTask.storageProvider` (type, connectionStringName), before app-setting overrides. */
  hostJsonStorageProvider: Record<string, unknown>;
}

/** What the check needs from one registered function's trigger binding. */
export interface TriggerInfo {
  functionName: string;
  type: string;
  connection?: string;
  path?: string;
  queueName?: string;
  source?: string;
}

/**
 * App settings nobody in this repository reads but the platform does. Keep this list short: each entry is a
 * setting that Azure itself consumes.
 */
export const PLATFORM_SETTINGS: Record<string, string> = {
  // The Functions host reads it (so does the local host, local/http/server.ts): `/` is then the app's own function,
  // which redirects to Studio, instead of the host's default page.
  AzureWebJobsDisableHomepage: 'the Functions host: turns its default page at / off',
};

/**
 * Suffixes of an identity-based connection `<CONNECTION>__<suffix>` (the host's convention, also read by
 * shared/config.ts for SLUICE_STORAGE). A connection the code or a trigger uses may carry any of them.
 */
const CONNECTION_SUFFIXES = ['accountName', 'serviceUri', 'blobServiceUri', 'queueServiceUri', 'tableServiceUri', 'credential', 'clientId'];
/** The suffixes that, on their own, make a connection usable without a connection string. */
const CONNECTION_ENDPOINTS = ['accountName', 'serviceUri', 'blobServiceUri'];

/** The variable Dockerfile.worker's command reads to know which compute target to serve. */
export const WORKER_COMPUTE_VARIABLE = 'SLUICE_COMPUTE';

/** Data-plane roles every principal running Sluice needs (see infra/bicep/modules/access.bicep). */
export const REQUIRED_ROLES: Record<string, string> = {
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b': 'Storage Blob Data Owner',
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88': 'Storage Queue Data Contributor',
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3': 'Storage Table Data Contributor',
  '3913510d-42f4-4e42-8a64-420c390055eb': 'Monitoring Metrics Publisher',
};

const STORAGE_TRIGGERS = ['blobtrigger', 'queuetrigger'];

/** App settings the Functions host reads as host.json values (`AzureFunctionsJobHost__extensions__…`). */
export const HOST_JSON_OVERRIDE = /^AzureFunctionsJobHost__/i;

/** The built-in role "Durable Task Data Contributor" (see infra/bicep/modules/durableTaskScheduler.bicep). */
export const DURABLE_TASK_DATA_CONTRIBUTOR = '0ad04412-c4d5-4796-b79c-f76d14c8d402';

/** host.json's durableTask.storageProvider with the app settings that override it applied (key case ignored). */
function durableProvider(input: CheckInfraInput, settings: Record<string, Value>): Record<string, Value> {
  const provider: Record<string, Value> = {};
  for (const [k, v] of Object.entries(input.hostJsonStorageProvider)) if (typeof v === 'string') provider[k.toLowerCase()] = v;
  const prefix = 'azurefunctionsjobhost__extensions__durabletask__storageprovider__';
  for (const [k, v] of Object.entries(settings)) if (k.toLowerCase().startsWith(prefix)) provider[k.slice(prefix.length).toLowerCase()] = v;
  return provider;
}

export function checkInfra(input: CheckInfraInput): string[] {
  const model = readInfraModel(input.template, input.parameters);
  const problems: string[] = [];
  const connections = new Set([
    input.hostStorageSetting,
    ...input.settings.filter((s) => input.settings.includes(`${s}__accountName`)),
    ...input.triggers.filter((t) => STORAGE_TRIGGERS.includes(t.type.toLowerCase())).map((t) => t.connection ?? input.hostStorageSetting),
  ]);
  const isSet = (names: Set<string>, setting: string) =>
    names.has(setting) || CONNECTION_ENDPOINTS.some((suffix) => names.has(`${setting}__${suffix}`));
  const isKnown = (name: string, settings: Record<string, Value> = {}) => {
    if (input.settings.includes(name) || name in PLATFORM_SETTINGS || HOST_JSON_OVERRIDE.test(name)) return true;
    // The Durable provider's connection: the setting its connectionStringName names.
    if (durableProvider(input, settings).connectionstringname === name) return true;
    const m = /^(.+)__([A-Za-z]+)$/.exec(name);
    return !!m && connections.has(m[1]) && CONNECTION_SUFFIXES.includes(m[2]);
  };

  // Settings: every one the code reads is set, and every one that is set is read.
  if (model.appSettings.length === 0) problems.push('Bicep sets no app settings on a Function App (a Microsoft.Web/sites/config resource named "appsettings")');
  for (const app of model.appSettings) {
    if (!app.settings) {
      problems.push(`the app settings of ${app.label} are not known before the deployment runs; build them from parameters and literals`);
      continue;
    }
    const names = new Set(Object.keys(app.settings));
    const workerOnly = new Set(input.workerOnlySettings ?? []);
    for (const s of input.settings) {
      if (workerOnly.has(s)) {
        if (names.has(s)) problems.push(`${app.label} set "${s}", which only the workers may hold (the Function App must never read it)`);
      } else if (!isSet(names, s)) problems.push(`app setting "${s}" is read by the code but ${app.label} does not set it`);
    }
    for (const n of names) {
      if (!isKnown(n, app.settings))
        problems.push(`app setting "${n}" is set by ${app.label} but nothing reads it; remove it, or read it in shared/config.ts`);
    }
    for (const t of input.triggers) problems.push(...checkTrigger(t, app.settings, names, input, model, isSet));
    problems.push(...checkDurableBackend(app.label, app.settings, input, model));
  }

  // Storage objects the code uses.
  const created = (values: Value[]) => new Set(values.filter((v): v is string => typeof v === 'string'));
  const tables = created(model.tables);
  const queues = created(model.queues);
  const containers = created(model.containers);
  for (const t of input.tables) if (!tables.has(t)) problems.push(`table "${t}" (shared/store/names.ts) is not created in Bicep`);
  for (const q of input.queues) if (!queues.has(q)) problems.push(`queue "${q}" (shared/store/names.ts) is not created in Bicep`);
  for (const c of input.containers) if (!containers.has(c)) problems.push(`blob container "${c}" (shared/store/names.ts) is not created in Bicep`);

  // Compute: each default target has a queue and a job that scales on it and serves that target.
  for (const target of input.computeTargets) {
    const queue = input.computeQueue(target);
    if (!queues.has(queue)) problems.push(`queue "${queue}" of compute target "${target}" is not created in Bicep`);
    if (!model.jobs.some((j) => j.queueRules.some((r) => r.queueName === queue)))
      problems.push(`compute target "${target}" has no Container Apps job scaling on queue "${queue}"`);
  }
  if (!new RegExp(`\\$\\{?${WORKER_COMPUTE_VARIABLE}\\b`).test(input.workerDockerfile))
    problems.push(`Dockerfile.worker does not pass $${WORKER_COMPUTE_VARIABLE} to \`sluice worker --compute\``);
  for (const job of model.jobs) problems.push(...checkJob(job, input, queues, isSet, isKnown));

  problems.push(...checkSecurity(model));
  problems.push(...model.secretFlows);
  return problems;
}

/** Variables the worker image's command reads ($NAME or ${NAME...} in Dockerfile.worker's CMD). */
export function workerCommandVariables(dockerfile: string): Set<string> {
  const cmd = dockerfile.split('\n').filter((l) => /^\s*(CMD|ENTRYPOINT)\b/.test(l)).join('\n');
  return new Set([...cmd.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
}

function checkTrigger(
  t: TriggerInfo,
  settings: Record<string, Value>,
  names: Set<string>,
  input: CheckInfraInput,
  model: InfraModel,
  isSet: (names: Set<string>, s: string) => boolean,
): string[] {
  const problems: string[] = [];
  const type = t.type.toLowerCase();
  const what = `trigger of function "${t.functionName}" (${t.type})`;
  const resolve = (value: string) =>
    value.replace(/%([^%]+)%/g, (whole, name: string) => {
      const v = settings[name];
      if (typeof v === 'string') return v;
      problems.push(`${what} uses %${name}%, which is not an app setting with a literal value`);
      return whole;
    });
  const durable = ['orchestrationtrigger', 'activitytrigger', 'entitytrigger'].includes(type);
  if (STORAGE_TRIGGERS.includes(type) || durable) {
    const connection = (durable ? undefined : t.connection) ?? input.hostStorageSetting;
    if (!isSet(names, connection))
      problems.push(`${what} uses connection "${connection}", which is not set (set ${connection}__accountName for an identity-based connection)`);
  }
  if (type === 'blobtrigger') {
    const container = resolve(t.path ?? '').split('/')[0];
    if (!model.containers.includes(container)) problems.push(`${what} watches container "${container}", which Bicep does not create`);
    if ((t.source ?? '').toLowerCase() !== 'eventgrid') {
      problems.push(`${what} polls its container; Flex Consumption supports blob triggers with source: 'EventGrid' only`);
    } else if (!model.systemTopics.some((s) => s.topicType === 'Microsoft.Storage.StorageAccounts')) {
      problems.push(`${what} has source EventGrid but Bicep creates no Event Grid system topic for the storage account`);
    }
  }
  if (type === 'queuetrigger') {
    const queue = resolve(t.queueName ?? '');
    if (!model.queues.includes(queue)) problems.push(`${what} listens on queue "${queue}", which Bicep does not create`);
  }
  return problems;
}

function checkJob(
  job: InfraModel['jobs'][number],
  input: CheckInfraInput,
  queues: Set<string>,
  isSet: (names: Set<string>, s: string) => boolean,
  isKnown: (name: string) => boolean,
): string[] {
  const problems: string[] = [];
  const name = `Container Apps job ${job.label}`;
  // Container Apps job names: lower-case letters, digits and single hyphens, a letter first, at most 32 characters.
  if (typeof job.name !== 'string' || !/^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/.test(job.name) || job.name.includes('--'))
    problems.push(`${name} is named ${show(job.name ?? null)}, which Container Apps refuses (lower-case letters, digits and single hyphens, a letter first, 32 characters at most)`);
  const dockerfileReads = workerCommandVariables(input.workerDockerfile);
  if (job.triggerType !== 'Event') problems.push(`${name} must be event-driven (triggerType: 'Event')`);
  if (job.queueRules.length === 0) problems.push(`${name} has no azure-queue scale rule`);
  for (const rule of job.queueRules) {
    if (typeof rule.queueName !== 'string') problems.push(`${name} scales on a queue whose name is not known before the deployment runs (${show(rule.queueName ?? null)})`);
    else if (!queues.has(rule.queueName)) problems.push(`${name} scales on queue "${rule.queueName}", which Bicep does not create`);
    if (rule.usesSecrets || rule.identity === undefined || rule.identity === '')
      problems.push(`${name} must read its queue with a managed identity (set the rule's identity, no auth secrets)`);
  }
  if (!job.env) {
    problems.push(`the environment variables of ${name} are not known before the deployment runs`);
    return problems;
  }
  const names = new Set(job.env.map((e) => e.name));
  const appOnly = new Set(input.appOnlySettings ?? []);
  for (const s of input.settings) {
    if (appOnly.has(s)) {
      if (names.has(s)) problems.push(`${name} sets "${s}", which only the Function App may hold (a worker must never read it)`);
      continue;
    }
    if (s !== input.hostStorageSetting && !isSet(names, s)) problems.push(`${name} does not set "${s}", which the worker reads`);
  }
  for (const n of names) {
    if (!dockerfileReads.has(n) && (!isKnown(n) || n.startsWith(`${input.hostStorageSetting}__`)))
      problems.push(`${name} sets "${n}" but nothing reads it`);
  }
  for (const s of input.workerSecretSettings ?? []) {
    const entry = job.env.find((e) => e.name === s);
    if (!entry) continue; // a missing setting is reported above
    if (entry.value !== undefined || entry.secretRef === undefined)
      problems.push(`${name} sets "${s}" as a plain value; it must be a secret reference (secretRef to one of the job's secrets)`);
    else if (!job.secrets.includes(String(entry.secretRef)))
      problems.push(`${name} maps "${s}" to secret ${show(entry.secretRef)}, which the job does not define (configuration.secrets)`);
  }
  const served = job.env.find((e) => e.name === WORKER_COMPUTE_VARIABLE)?.value;
  for (const rule of job.queueRules) {
    if (typeof served !== 'string' || input.computeQueue(served) !== rule.queueName)
      problems.push(`${name} scales on queue "${show(rule.queueName ?? null)}" but its worker serves compute target ${show(served ?? null)} (${WORKER_COMPUTE_VARIABLE})`);
  }
  return problems;
}

function checkSecurity(model: InfraModel): string[] {
  const problems: string[] = [];
  const expected: [string, Value][] = [
    ['allowSharedKeyAccess', false],
    ['minimumTlsVersion', 'TLS1_2'],
    ['allowBlobPublicAccess', false],
  ];
  if (model.storageAccounts.length === 0) problems.push('Bicep creates no storage account');
  for (const account of model.storageAccounts) {
    for (const [key, value] of expected) {
      if (account.properties[key] !== value)
        problems.push(`storage account ${account.label} must set ${key}: ${show(value)} (it is ${show(account.properties[key] ?? null)})`);
    }
  }
  for (const ai of model.applicationInsights) {
    if (ai.disableLocalAuth !== true) problems.push(`Application Insights ${ai.label} must set DisableLocalAuth: true (Entra-only ingestion)`);
  }
  for (const ra of model.roleAssignments) {
    if (ra.nameProblem) problems.push(`role assignment ${ra.label}: ${ra.nameProblem}`);
  }
  for (const p of model.principals) {
    const held = new Set(model.roleAssignments.filter((ra) => ra.principal === p.principal).map((ra) => ra.roleId?.toLowerCase()));
    for (const [id, role] of Object.entries(REQUIRED_ROLES)) if (!held.has(id)) problems.push(`${p.label} is not assigned ${role}`);
  }
  for (const read of model.keyReads) problems.push(`${read} reads a storage or workspace key; Sluice deploys with identities only`);
  return problems;
}

/**
 * The Durable backend the app settings select. On the Durable Task Scheduler (`azureManaged`): a scheduler with a
 * task hub named as TASKHUB_NAME, a connection naming its endpoint and the app's own identity (no key, no other
 * identity), and that identity (and the deployer) holding Durable Task Data Contributor on the hub or the scheduler.
 * On Azure Storage: no scheduler that nothing uses.
 */
function checkDurableBackend(label: string, settings: Record<string, Value>, input: CheckInfraInput, model: InfraModel): string[] {
  const problems: string[] = [];
  const provider = durableProvider(input, settings);
  const type = typeof provider.type === 'string' ? provider.type.toLowerCase() : 'azurestorage';
  if (type !== 'azuremanaged') {
    for (const s of model.schedulers)
      problems.push(`Durable Task Scheduler ${s.label} is created but ${label} do not select it (storageProvider.type is ${show(provider.type ?? 'AzureStorage')})`);
    return problems;
  }
  const connectionName = typeof provider.connectionstringname === 'string' ? provider.connectionstringname : undefined;
  if (!connectionName) {
    problems.push(`${label} select the Durable Task Scheduler but name no connection (storageProvider.connectionStringName)`);
    return problems;
  }
  const connection = settings[connectionName];
  // A literal shows quoted, a value known only at deployment (the endpoint) shows as its expression.
  const shown = connection === undefined ? '' : show(connection).replace(/^'|'$/g, '');
  const match = /^Endpoint=(.+);Authentication=ManagedIdentity;ClientID=(.+)$/.exec(shown);
  const clientId = settings[`${input.hostStorageSetting}__clientId`];
  if (!match) {
    problems.push(`${label} set ${connectionName} to ${show(connection ?? null)}; it must be Endpoint=<scheduler endpoint>;Authentication=ManagedIdentity;ClientID=<the app's identity> (no keys)`);
    return problems;
  }
  if (clientId === undefined || match[2] !== show(clientId))
    problems.push(`${connectionName} authenticates as ${match[2]}, not as the identity the app runs as (${show(clientId ?? null)})`);
  const scheduler = model.schedulers.find((s) => match[1].includes(s.id));
  if (!scheduler) {
    problems.push(`${connectionName} does not name the endpoint of a Durable Task Scheduler that Bicep creates (${match[1]})`);
    return problems;
  }
  const hubName = settings[SETTINGS_TASK_HUB];
  if (!scheduler.taskHubs.some((h) => h.name === hubName))
    problems.push(`Durable Task Scheduler ${scheduler.label} has no task hub named ${show(hubName ?? null)} (${SETTINGS_TASK_HUB}); its hubs: ${scheduler.taskHubs.map((h) => show(h.name)).join(', ') || 'none'}`);
  const principal = show(clientId ?? null).replace(/\.clientId$/, '.principalId');
  const holders = [
    { label: 'the Function App\'s identity', principal },
    ...model.principals.filter((p) => p.label.startsWith('the deploying principal')),
  ];
  for (const holder of holders) {
    const held = model.roleAssignments.some(
      (ra) =>
        ra.principal === holder.principal &&
        ra.roleId?.toLowerCase() === DURABLE_TASK_DATA_CONTRIBUTOR &&
        (ra.scope === scheduler.id || scheduler.taskHubs.some((h) => h.id === ra.scope && h.name === hubName)),
    );
    if (!held) problems.push(`${holder.label} is not assigned Durable Task Data Contributor on the task hub or scheduler ${scheduler.label}`);
  }
  return problems;
}

/** The app setting that names the task hub (shared/config.ts SETTINGS.taskHub; host.json reads it as hubName). */
const SETTINGS_TASK_HUB = 'TASKHUB_NAME';
