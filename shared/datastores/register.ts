import { UserInputError } from '../errors';
import type { DatastoreCredential, DatastoreRecord, DatastoreType } from '../store/model';
import type { Store } from '../store/repositories';
import type { DatastoreReach } from './access';
import {
  ACCOUNT_NAME,
  EMULATOR_ENDPOINT,
  ENDPOINT_SUFFIX,
  isBlobDatastore,
  needsSecret,
  OTHER_DATASTORE_TYPES,
  SUPPORTED_KINDS_TEXT,
} from './kinds';
import { RESERVED_CONTAINERS } from './rules';
import { sealSecret } from './secrets';

/** A registration as the API receives it (PUT /api/datastores/{name}). */
export interface Registration {
  name: string;
  container: string;
  datastoreType: DatastoreType;
  accountName?: string;
  endpoint?: string;
  protocol?: 'https' | 'http';
  credential?: DatastoreCredential & { secret?: string };
  description?: string;
  createIfNotExists: boolean;
  overwrite: boolean;
}

/**
 * Registers (or leaves unchanged, or replaces with `overwrite`) a datastore. The workspace's own account needs no
 * credential; another account is reached with the app's managed identity (default), a SAS, an account key or a
 * service principal's secret, sealed before it is stored. Every refusal is a 400 naming the field.
 */
export async function registerDatastore(
  store: Store,
  reach: DatastoreReach | undefined,
  r: Registration,
): Promise<{ record: DatastoreRecord; created: boolean }> {
  if (!isBlobDatastore(r)) {
    const kind = r.datastoreType as keyof typeof OTHER_DATASTORE_TYPES;
    throw UserInputError.field(
      'body.datastoreType',
      `${kind} (${OTHER_DATASTORE_TYPES[kind]}) datastores are not supported: ${SUPPORTED_KINDS_TEXT}; copy the ` +
        "data into blob storage first (e.g. with the service's own export), then register that container",
      'UnsupportedDatastoreType',
    );
  }
  const workspaceAccount = store.datastoreBlobs.accountName();
  // The workspace's own account is reached with the app's storage connection: a credential for it is not stored.
  const other = (r.accountName !== undefined && r.accountName !== workspaceAccount) || r.endpoint !== undefined;
  const record: Omit<DatastoreRecord, 'isDefault'> = { name: r.name, container: r.container };
  if (r.description) record.description = r.description;
  if (r.datastoreType !== 'AzureBlob') record.datastoreType = r.datastoreType;
  let secret: string | undefined;
  if (other) {
    Object.assign(record, await otherAccount(r, reach, workspaceAccount));
    secret = r.credential?.secret;
  } else if (RESERVED_CONTAINERS.includes(r.container)) {
    throw UserInputError.field(
      'body.container',
      `"${r.container}" holds Sluice's own records (${RESERVED_CONTAINERS.join(', ')} are reserved); use another container`,
      'ReservedContainer',
    );
  }

  const existing = await store.datastores.get(r.name);
  const same = existing && sameTarget(existing, record);
  if (existing && !same && !r.overwrite) {
    throw UserInputError.field(
      'body.overwrite',
      `datastore "${r.name}" exists already (${describe(existing)}); pass overwrite=true to point it at ${describe(record)}`,
      'DatastoreExists',
    );
  }
  const containerState = other
    ? await reachContainer(reach!, record as DatastoreRecord, secret, r.createIfNotExists)
    : await workspaceContainer(store, r);
  if (containerState === 'missing') {
    throw UserInputError.field(
      'body.container',
      `container "${r.container}" does not exist in storage account "${record.accountName ?? workspaceAccount}"; ` +
        'create it, or pass createIfNotExists=true',
      'ContainerNotFound',
    );
  }
  if (same && existing.description === record.description && !(secret !== undefined && r.overwrite)) {
    return { record: existing, created: false };
  }
  if (secret !== undefined) record.sealedSecret = sealSecret(reach!.secretsKey!, r.name, secret);
  return { record: await store.datastores.put(record), created: !existing };
}

/** The recorded fields of a datastore in another account (or an ADLS Gen2 file system), checked. */
async function otherAccount(
  r: Registration,
  reach: DatastoreReach | undefined,
  workspaceAccount: string,
): Promise<Partial<DatastoreRecord>> {
  if (!reach) throw new Error('registering a datastore of another account needs the API deps datastoreReach');
  const accountName = r.accountName ?? workspaceAccount;
  if (!ACCOUNT_NAME.test(accountName)) {
    throw UserInputError.field(
      'body.accountName',
      'must be a storage account name: 3–24 lower-case letters and digits',
    );
  }
  const out: Partial<DatastoreRecord> = { accountName };
  let endpoint = r.endpoint;
  if (endpoint === undefined && EMULATOR_ENDPOINT.test(new URL(reach.workspaceServiceUrl).origin)) {
    // On the emulator, another account is served by the same Azurite (path-style): say so in the record.
    endpoint = new URL(reach.workspaceServiceUrl).origin;
  }
  if (endpoint !== undefined) {
    if (!ENDPOINT_SUFFIX.test(endpoint) && !EMULATOR_ENDPOINT.test(endpoint)) {
      throw UserInputError.field(
        'body.endpoint',
        `"${endpoint}" is not a storage endpoint suffix (such as "core.windows.net") nor an emulator URL on ` +
          'loopback (such as "http://127.0.0.1:10000")',
      );
    }
    if (endpoint !== 'core.windows.net') out.endpoint = endpoint;
  }
  if (r.protocol && r.protocol !== 'https') out.protocol = r.protocol;
  const credential = r.credential ?? { type: 'managed_identity' as const };
  const field = 'body.credential';
  if (needsSecret(credential.type)) {
    if (!credential.secret) {
      throw UserInputError.field(
        `${field}.secret`,
        `is required with credential type "${credential.type}" (${secretName(credential.type)})`,
      );
    }
    if (!reach.secretsKey) {
      throw UserInputError.field(
        `${field}.type`,
        `"${credential.type}" needs a stored secret, and this app has no SLUICE_SECRETS_KEY to seal it with; use ` +
          "type managed_identity (grant the app's identity Storage Blob Data Contributor on the account), or set " +
          'SLUICE_SECRETS_KEY (docs/api.md, "Datastores")',
        'SecretsKeyNotSet',
      );
    }
  } else if (credential.secret !== undefined) {
    throw UserInputError.field(`${field}.secret`, 'is not used with managed_identity; leave it out');
  }
  if (credential.type === 'service_principal') {
    for (const id of ['tenantId', 'clientId'] as const) {
      if (!credential[id] || !/^[0-9a-f-]{36}$/i.test(credential[id]))
        throw UserInputError.field(`${field}.${id}`, 'is required with service_principal: a GUID');
    }
  }
  if (endpoint !== undefined && EMULATOR_ENDPOINT.test(endpoint) && !['sas', 'account_key'].includes(credential.type)) {
    throw UserInputError.field(
      `${field}.type`,
      `the storage emulator at ${endpoint} knows no Entra identities, so "${credential.type}" cannot reach ` +
        `account "${accountName}"; give its account key (credential type account_key) or a SAS`,
      'UnsupportedCredential',
    );
  }
  out.credential = { type: credential.type };
  if (credential.type === 'service_principal') {
    out.credential.tenantId = credential.tenantId;
    out.credential.clientId = credential.clientId;
  }
  return out;
}

function secretName(type: DatastoreCredential['type']): string {
  return type === 'sas' ? 'the SAS token' : type === 'account_key' ? "the account's key" : "the application's secret";
}

/** Reaches the container with the new credential (in memory only): a refused credential is the user's to fix. */
async function reachContainer(
  reach: DatastoreReach,
  record: DatastoreRecord,
  secret: string | undefined,
  create: boolean,
): Promise<'exists' | 'created' | 'missing'> {
  const probe = { ...record, isDefault: false };
  if (secret !== undefined) probe.sealedSecret = sealSecret(reach.secretsKey!, record.name, secret);
  try {
    return await reach.checkContainer(probe, create);
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 401 || status === 403) {
      throw UserInputError.field(
        'body.credential',
        `storage account "${record.accountName}" refused the ${record.credential!.type} credential (HTTP ${status}); ` +
          'check it' +
          (record.credential!.type === 'managed_identity'
            ? " and grant the app's identity Storage Blob Data Contributor on the account"
            : ' (a SAS needs read, list, write and create permissions on the container)'),
        'DatastoreAccessDenied',
      );
    }
    if (status === undefined || status >= 500) {
      throw UserInputError.field(
        'body.accountName',
        `storage account "${record.accountName}" could not be reached at its blob endpoint (${(err as Error).message.split('\n')[0]}); check accountName, endpoint and protocol`,
        'DatastoreUnreachable',
      );
    }
    throw err;
  }
}

async function workspaceContainer(store: Store, r: Registration): Promise<'exists' | 'created' | 'missing'> {
  if (await store.datastoreBlobs.containerExists(r.container)) return 'exists';
  if (!r.createIfNotExists) return 'missing';
  await store.datastoreBlobs.ensureContainer(r.container);
  return 'created';
}

/** Same data and same way of reaching it (the secret aside: it is compared by overwrite alone). */
function sameTarget(a: Omit<DatastoreRecord, 'isDefault'>, b: Omit<DatastoreRecord, 'isDefault'>): boolean {
  const key = (d: Omit<DatastoreRecord, 'isDefault'>) =>
    JSON.stringify([
      d.container,
      d.datastoreType ?? 'AzureBlob',
      d.accountName ?? '',
      d.endpoint ?? '',
      d.protocol ?? '',
      d.credential?.type ?? '',
      d.credential?.tenantId ?? '',
      d.credential?.clientId ?? '',
    ]);
  return key(a) === key(b);
}

function describe(d: Omit<DatastoreRecord, 'isDefault'>): string {
  return d.accountName ? `container "${d.container}" of account "${d.accountName}"` : `container "${d.container}"`;
}
