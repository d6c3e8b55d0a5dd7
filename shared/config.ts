import { z } from 'zod';
import { DEVELOPMENT_SECRETS_KEY, SECRETS_KEY_BYTES } from './datastores/secrets';
import { UserInputError } from './errors';
import {
  DEFAULT_STEP_TOKEN_ISSUER,
  parseStepSigningKey,
  parseStepVerificationKey,
  type StepTokenSettings,
} from './auth/stepTokenKeys';

/**
 * Every setting Sluice reads, in one table. Nothing else in the code reads `process.env` for Sluice settings, and
 * Bicep sets exactly these names (checked by test/unit/infra). Precedence: explicit override > environment > default.
 */
export const SETTINGS = {
  /** Storage for Sluice's own tables, queues and blobs: a connection string, or `UseDevelopmentStorage=true`. */
  storage: 'SLUICE_STORAGE',
  /** Identity-based storage (no keys): the account name, used with DefaultAzureCredential. */
  storageAccountName: 'SLUICE_STORAGE__accountName',
  /** Identity-based storage: the client id of a user-assigned managed identity (optional). */
  storageClientId: 'SLUICE_STORAGE__clientId',
  /** Durable Functions task hub name (host.json reads it as %TASKHUB_NAME%). */
  taskHub: 'TASKHUB_NAME',
  /** `local` (development signing key, `sluice token`) or `entra` (Microsoft Entra ID tokens only). */
  authMode: 'SLUICE_AUTH_MODE',
  /** Entra tenant id; gives the v1 and v2 issuers and the JWKS URL. */
  authTenantId: 'SLUICE_AUTH_TENANT_ID',
  /** Expected `aud` claim(s), comma-separated (e.g. `api://sluice-prod,<client id>`). */
  authAudience: 'SLUICE_AUTH_AUDIENCE',
  /** Extra accepted issuers, comma-separated (optional; the tenant's v1 and v2 issuers are always accepted). */
  authIssuers: 'SLUICE_AUTH_ISSUERS',
  /** JWKS URL override (optional; default derived from the tenant). */
  authJwksUri: 'SLUICE_AUTH_JWKS_URI',
  /** Compute target used by steps that name none. */
  defaultCompute: 'SLUICE_DEFAULT_COMPUTE',
  /** Compute targets that exist (comma-separated); each is a queue `compute-<name>` served by workers. */
  computeTargets: 'SLUICE_COMPUTE_TARGETS',
  /**
   * The task hub in the Durable Task Scheduler dashboard (`https://dashboard.durabletask.io/?endpoint=…&taskhub=…`)
   * when the deployment runs on it; empty on Azure Storage. A run's view links its orchestration there.
   */
  durableDashboardUrl: 'SLUICE_DTS_DASHBOARD_URL',
  /**
   * Key that seals datastore secrets (SAS, account keys, client secrets): 32 bytes, base64. In Azure, a Key Vault
   * reference; empty means secret credentials are refused (managed identity needs none). On the local emulator a
   * public development key is used when it is empty (shared/datastores/secrets.ts).
   */
  secretsKey: 'SLUICE_SECRETS_KEY',
  /** Workers: the API's URL, given to steps as SLUICE_URL with a token of their own (worker/stepToken.ts). */
  apiUrl: 'SLUICE_API_URL',
  /**
   * Workers: the deployment's private step key (RS256; PEM or base64 PKCS#8 DER) that signs the tokens of steps. In
   * Azure a Container Apps secret; the Function App never holds it (docs/auth.md, "Tokens of steps").
   */
  stepTokenKey: 'SLUICE_STEP_TOKEN_KEY',
  /** The API: the public half of the step key (SPKI PEM or base64 DER); step tokens are trusted only when it is set. */
  stepTokenPublicKey: 'SLUICE_STEP_TOKEN_PUBLIC_KEY',
  /** The API: the public half of the previous step key, still accepted while a rotation settles (optional). */
  stepTokenKeyPrevious: 'SLUICE_STEP_TOKEN_KEY_PREVIOUS',
  /** The issuer of step tokens (default `sluice-steps`; Bicep sets `sluice-steps:<environment name>`). */
  stepTokenIssuer: 'SLUICE_STEP_TOKEN_ISSUER',
  /** Application Insights (optional): the Functions host and the workers send telemetry there. */
  telemetryConnectionString: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /** `ClientId=<identity client id>;Authorization=AAD`: telemetry signed by that identity (Entra-only ingestion). */
  telemetryAuthentication: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
} as const;

/** Settings only the Functions app holds: Bicep never gives them to workers (checked by test/unit/infra). */
export const APP_ONLY_SETTINGS: readonly string[] = [
  SETTINGS.secretsKey,
  SETTINGS.stepTokenPublicKey,
  SETTINGS.stepTokenKeyPrevious,
];

/** Settings only the workers hold: Bicep never gives them to the Functions app (checked by test/unit/infra). */
export const WORKER_ONLY_SETTINGS: readonly string[] = [SETTINGS.apiUrl, SETTINGS.stepTokenKey];

/** Worker settings that are secrets: a Container Apps secret reference in Bicep, never a plain value. */
export const WORKER_SECRET_SETTINGS: readonly string[] = [SETTINGS.stepTokenKey];

/** Falls back to the Functions host's own storage setting when SLUICE_STORAGE is not set. */
export const FUNCTIONS_STORAGE_SETTING = 'AzureWebJobsStorage';

export type StorageSettings =
  { kind: 'connectionString'; connectionString: string } | { kind: 'identity'; accountName: string; clientId?: string };

export interface SluiceConfig {
  storage: StorageSettings;
  taskHub: string;
  auth: {
    mode: 'local' | 'entra';
    tenantId?: string;
    audiences: string[];
    issuers: string[];
    jwksUri?: string;
    /** Tokens of steps signed with the deployment's step key (docs/auth.md, "Tokens of steps"). */
    stepTokens?: StepTokenSettings;
  };
  /** Workers: the API's URL that steps call back (SLUICE_API_URL). */
  apiUrl?: string;
  defaultCompute: string;
  computeTargets: string[];
  /** The task hub in the Durable Task Scheduler dashboard, when deployed on it (SLUICE_DTS_DASHBOARD_URL). */
  durableDashboardUrl?: string;
  /** Seals datastore secrets (SLUICE_SECRETS_KEY); undefined when unset outside the emulator. */
  secretsKey?: Buffer;
}

const DEV_STORAGE = 'UseDevelopmentStorage=true';

const isDevelopmentStorage = (value: string) => /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(value);

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const computeName = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/, 'use lower-case letters, digits and single hyphens');

/** Reads and validates the settings. Throws UserInputError naming the setting and the fix. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SluiceConfig {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const fail = (name: string, message: string): never => {
    throw UserInputError.field(name, message, 'InvalidSetting');
  };

  let storage: StorageSettings;
  const accountName = get(SETTINGS.storageAccountName);
  const hostStorage = get(FUNCTIONS_STORAGE_SETTING);
  let connectionString = get(SETTINGS.storage) ?? (accountName ? undefined : hostStorage);
  // "UseDevelopmentStorage=true" means the host's emulator; a local host that started one on other ports says where.
  if (connectionString && isDevelopmentStorage(connectionString) && hostStorage && !isDevelopmentStorage(hostStorage)) {
    connectionString = hostStorage;
  }
  if (connectionString) storage = { kind: 'connectionString', connectionString };
  else if (accountName) storage = { kind: 'identity', accountName, clientId: get(SETTINGS.storageClientId) };
  else storage = { kind: 'connectionString', connectionString: DEV_STORAGE };

  const isDev =
    storage.kind === 'connectionString' &&
    /UseDevelopmentStorage=true|127\.0\.0\.1|localhost/i.test(storage.connectionString);
  const mode = get(SETTINGS.authMode) ?? (isDev ? 'local' : 'entra');
  if (mode !== 'local' && mode !== 'entra') fail(SETTINGS.authMode, `must be "local" or "entra", not "${mode}"`);
  const tenantId = get(SETTINGS.authTenantId);
  const audiences = list(get(SETTINGS.authAudience));
  if (mode === 'entra') {
    if (!tenantId)
      fail(SETTINGS.authTenantId, 'is required when SLUICE_AUTH_MODE is "entra"; set it to your Entra tenant id');
    if (audiences.length === 0)
      fail(SETTINGS.authAudience, 'is required when SLUICE_AUTH_MODE is "entra"; set it to the API app id URI');
  }
  const issuers = [...list(get(SETTINGS.authIssuers))];
  if (tenantId)
    issuers.push(`https://sts.windows.net/${tenantId}/`, `https://login.microsoftonline.com/${tenantId}/v2.0`);

  const computeTargets = list(get(SETTINGS.computeTargets));
  if (computeTargets.length === 0) computeTargets.push('cpu');
  for (const t of computeTargets) {
    if (!computeName.safeParse(t).success)
      fail(
        SETTINGS.computeTargets,
        `"${t}" is not a valid compute target name; use lower-case letters, digits and hyphens`,
      );
  }
  const defaultCompute = get(SETTINGS.defaultCompute) ?? computeTargets[0];
  if (!computeTargets.includes(defaultCompute)) {
    fail(
      SETTINGS.defaultCompute,
      `"${defaultCompute}" is not one of SLUICE_COMPUTE_TARGETS (${computeTargets.join(', ')})`,
    );
  }

  const durableDashboardUrl = get(SETTINGS.durableDashboardUrl);
  if (durableDashboardUrl && !/^https?:\/\/[^\s]+$/.test(durableDashboardUrl))
    fail(
      SETTINGS.durableDashboardUrl,
      `"${durableDashboardUrl}" is not a URL; set the dashboard's URL of the task hub, or leave it empty`,
    );

  const secretsKeyText = get(SETTINGS.secretsKey);
  let secretsKey: Buffer | undefined = isDev ? DEVELOPMENT_SECRETS_KEY : undefined;
  if (secretsKeyText) {
    secretsKey = Buffer.from(secretsKeyText, 'base64');
    if (secretsKey.length !== SECRETS_KEY_BYTES || secretsKey.toString('base64') !== secretsKeyText)
      fail(
        SETTINGS.secretsKey,
        `must be ${SECRETS_KEY_BYTES} random bytes in base64 (e.g. the output of \`openssl rand -base64 32\`)`,
      );
  }

  const stepTokenIssuer = get(SETTINGS.stepTokenIssuer) ?? DEFAULT_STEP_TOKEN_ISSUER;
  if (stepTokenIssuer === 'sluice-local' || issuers.includes(stepTokenIssuer))
    fail(
      SETTINGS.stepTokenIssuer,
      `"${stepTokenIssuer}" is the issuer of other tokens; step tokens need an issuer of their own, e.g. sluice-steps:<environment name>`,
    );
  const stepKeyText = get(SETTINGS.stepTokenKey);
  const verificationKeys = [SETTINGS.stepTokenPublicKey, SETTINGS.stepTokenKeyPrevious].flatMap((name) => {
    const text = get(name);
    return text ? [parseStepVerificationKey(text, name)] : [];
  });
  if (get(SETTINGS.stepTokenKeyPrevious) && !get(SETTINGS.stepTokenPublicKey))
    fail(
      SETTINGS.stepTokenPublicKey,
      `is required when ${SETTINGS.stepTokenKeyPrevious} is set; set it to the public half of the current step key`,
    );
  const apiUrl = get(SETTINGS.apiUrl);
  if (apiUrl && !/^https?:\/\/[^\s/]+/.test(apiUrl))
    fail(SETTINGS.apiUrl, `"${apiUrl}" is not a URL; set the API's base URL, e.g. https://<app>.azurewebsites.net`);

  return {
    storage,
    ...(apiUrl ? { apiUrl } : {}),
    ...(secretsKey ? { secretsKey } : {}),
    taskHub: get(SETTINGS.taskHub) ?? 'SluiceHub',
    ...(durableDashboardUrl ? { durableDashboardUrl } : {}),
    auth: {
      mode: mode as 'local' | 'entra',
      tenantId,
      audiences,
      issuers: [...new Set(issuers)],
      jwksUri:
        get(SETTINGS.authJwksUri) ??
        (tenantId ? `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys` : undefined),
      stepTokens: {
        issuer: stepTokenIssuer,
        ...(stepKeyText ? { signingKey: parseStepSigningKey(stepKeyText, SETTINGS.stepTokenKey) } : {}),
        verificationKeys,
      },
    },
    defaultCompute,
    computeTargets,
  };
}

let cached: SluiceConfig | undefined;

/** The process-wide configuration, read once on first use. */
export function config(): SluiceConfig {
  cached ??= loadConfig();
  return cached;
}

/** For tests: forget the cached configuration. */
export function resetConfigForTests(): void {
  cached = undefined;
}

/**
 * Sluice's triggers name `SLUICE_STORAGE` as their connection. When neither it nor its identity-based form is set,
 * it defaults to the Functions host's own storage (AzureWebJobsStorage), as the settings above do. Called once when
 * the app loads, before the host resolves trigger connections.
 */
export function defaultStorageConnection(env: NodeJS.ProcessEnv = process.env): void {
  if (!env[SETTINGS.storage] && !env[SETTINGS.storageAccountName] && env[FUNCTIONS_STORAGE_SETTING]) {
    env[SETTINGS.storage] = env[FUNCTIONS_STORAGE_SETTING];
  }
}
