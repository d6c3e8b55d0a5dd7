import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
  type UserDelegationKey,
} from '@azure/storage-blob';
import type { DatastoreRecord } from '../store/model';
import { blobServiceUrl } from './kinds';
import { openSecret } from './secrets';

/**
 * Reaching a datastore's blobs: its container, and URLs a storage service may read a blob from (the source of a
 * server-side copy). The workspace's own datastores go through the app's storage connection; others through their
 * recorded credential, its secret opened only here and only in memory.
 */
export interface DatastoreAccess {
  container: ContainerClient;
  /** A URL another storage account can read `blob` from for `minutes` (a SAS: the copy's source authorization). */
  readUrl(blob: string, minutes: number): Promise<string>;
}

export interface AccessDeps {
  /** The workspace account's blob service (the app's storage connection). */
  workspaceBlobs: BlobServiceClient;
  secretsKey?: Buffer;
  /** The app's identity (managed identity in Azure), with its client id when user-assigned. */
  identityClientId?: string;
  now(): Date;
}

export function datastoreAccess(d: DatastoreRecord, deps: AccessDeps): DatastoreAccess {
  if (!d.accountName) return serviceAccess(deps.workspaceBlobs, d.container, deps.now);
  const url = blobServiceUrl(d);
  const type = d.credential?.type ?? 'managed_identity';
  const secret = () => {
    if (!d.sealedSecret) throw new Error(`datastore "${d.name}" has no stored ${type} secret; register it again`);
    if (!deps.secretsKey) throw new Error('SLUICE_SECRETS_KEY is not set, so datastore secrets cannot be opened');
    return openSecret(deps.secretsKey, d.name, d.sealedSecret);
  };
  switch (type) {
    case 'account_key':
      return serviceAccess(
        new BlobServiceClient(url, new StorageSharedKeyCredential(d.accountName, secret())),
        d.container,
        deps.now,
      );
    case 'sas': {
      const sas = secret().replace(/^\?/, '');
      const container = new BlobServiceClient(`${url}?${sas}`).getContainerClient(d.container);
      // A blob client's URL carries the SAS: the copy's source reads with it.
      return { container, readUrl: async (blob) => container.getBlobClient(blob).url };
    }
    case 'service_principal': {
      const credential = new ClientSecretCredential(d.credential!.tenantId!, d.credential!.clientId!, secret());
      return serviceAccess(new BlobServiceClient(url, credential), d.container, deps.now);
    }
    default: {
      const credential: TokenCredential = new DefaultAzureCredential(
        deps.identityClientId ? { managedIdentityClientId: deps.identityClientId } : {},
      );
      return serviceAccess(new BlobServiceClient(url, credential), d.container, deps.now);
    }
  }
}

/**
 * Access through a blob service client: with a shared key, read URLs are service SAS signed by it; with a token
 * credential, user delegation SAS (the identity needs Storage Blob Data Reader or Contributor on the account).
 */
function serviceAccess(service: BlobServiceClient, containerName: string, now: () => Date): DatastoreAccess {
  const container = service.getContainerClient(containerName);
  let delegation: { key: UserDelegationKey; until: number } | undefined;
  return {
    container,
    async readUrl(blob, minutes) {
      const blobClient = container.getBlobClient(blob);
      const startsOn = new Date(now().getTime() - 5 * 60_000);
      const expiresOn = new Date(now().getTime() + minutes * 60_000);
      const params = { containerName, blobName: blob, permissions: BlobSASPermissions.parse('r'), startsOn, expiresOn };
      if (service.credential instanceof StorageSharedKeyCredential) {
        return `${blobClient.url}?${generateBlobSASQueryParameters(params, service.credential).toString()}`;
      }
      if (!delegation || delegation.until < expiresOn.getTime()) {
        const until = new Date(now().getTime() + Math.max(minutes, 60) * 60_000);
        delegation = { key: await service.getUserDelegationKey(startsOn, until), until: until.getTime() };
      }
      const sas = generateBlobSASQueryParameters(params, delegation.key, service.accountName);
      return `${blobClient.url}?${sas.toString()}`;
    },
  };
}

/** What the API needs to register datastores of other accounts (ApiDeps.datastoreReach). */
export interface DatastoreReach {
  /** The workspace account's blob service URL (an emulator's tells where its other accounts are served). */
  workspaceServiceUrl: string;
  /** Seals secrets (SLUICE_SECRETS_KEY); absent, secret credentials are refused. */
  secretsKey?: Buffer;
  /**
   * Whether the datastore's container exists, reached with its credential (creating it when `create`); throws a
   * storage error (with its status) when the credential is refused.
   */
  checkContainer(record: DatastoreRecord, create: boolean): Promise<'exists' | 'created' | 'missing'>;
  access(record: DatastoreRecord): DatastoreAccess;
}

export function datastoreReach(
  workspaceBlobs: BlobServiceClient,
  settings: { secretsKey?: Buffer; identityClientId?: string },
  now: () => Date = () => new Date(),
): DatastoreReach {
  const access = (record: DatastoreRecord) => datastoreAccess(record, { workspaceBlobs, ...settings, now });
  return {
    workspaceServiceUrl: workspaceBlobs.url,
    ...(settings.secretsKey ? { secretsKey: settings.secretsKey } : {}),
    access,
    async checkContainer(record, create) {
      const { container } = access(record);
      if (create) return (await container.createIfNotExists()).succeeded ? 'created' : 'exists';
      return (await container.exists()) ? 'exists' : 'missing';
    },
  };
}
