import { BlobServiceClient } from '@azure/storage-blob';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/**
 * How a local run reaches ABFSS/WASBS data. There is no Spark and no Hadoop driver here, so the stand-in stages:
 * before a run, each parameter that is an `abfss://` or `wasbs://` URI of a storage account it knows (the local
 * Azurite accounts, given as connection strings) is downloaded into the run's sandbox under
 * `mnt/<account>/<container>/<path>`, and the script gets that local folder instead of the URI (as if the container
 * were mounted). When the run ends, files written or changed there are uploaded back under the URI. A URI of an
 * account it does not know is passed unchanged (reading it fails in the script, as an unreachable account would).
 */

export interface StorageUri {
  scheme: 'abfss' | 'wasbs' | 'abfs' | 'wasb';
  account: string;
  container: string;
  /** Path inside the container, no leading or trailing slash ('' for the container's root). */
  path: string;
}

const URI = /^(abfss?|wasbs?):\/\/([a-z0-9-]{3,63})@([a-z0-9]{1,24})\.(dfs|blob)\.core\.windows\.net(?:\/(.*))?$/;

export function parseStorageUri(value: string): StorageUri | undefined {
  const m = URI.exec(value);
  if (!m) return undefined;
  return {
    scheme: m[1] as StorageUri['scheme'],
    container: m[2]!,
    account: m[3]!,
    path: (m[5] ?? '').replace(/^\/+|\/+$/g, ''),
  };
}

export type Accounts = ReadonlyMap<string, BlobServiceClient>;

/** The accounts the stand-in can stage from, keyed by account name, from storage connection strings. */
export function accountsFrom(connectionStrings: readonly string[]): Accounts {
  const out = new Map<string, BlobServiceClient>();
  for (const cs of connectionStrings) {
    const client = BlobServiceClient.fromConnectionString(cs);
    out.set(client.accountName, client);
  }
  return out;
}

export interface Mount {
  uri: string;
  target: StorageUri;
  folder: string;
  /** Files as downloaded (relative path → size:mtime), to find what the run wrote. */
  downloaded: Map<string, string>;
}

/** Downloads the data under `uri` into `folder`; a URI naming one blob stages it as `folder/<its name>`. */
export async function stage(accounts: Accounts, uri: string, sandbox: string): Promise<Mount | undefined> {
  const target = parseStorageUri(uri);
  if (!target) return undefined;
  const service = accounts.get(target.account);
  if (!service) return undefined;
  const folder = join(sandbox, 'mnt', target.account, target.container, ...target.path.split('/').filter(Boolean));
  await mkdir(folder, { recursive: true });
  const mount: Mount = { uri, target, folder, downloaded: new Map() };
  const container = service.getContainerClient(target.container);
  if (!(await container.exists())) return mount;
  const prefix = target.path ? `${target.path}/` : '';
  for await (const blob of container.listBlobsFlat({ prefix })) {
    const rel = blob.name.slice(prefix.length);
    if (!rel || rel.split('/').some((p) => p === '..' || p === '.' || p === '')) continue;
    const file = join(folder, ...rel.split('/'));
    await mkdir(dirname(file), { recursive: true });
    await container.getBlobClient(blob.name).downloadToFile(file);
    mount.downloaded.set(rel, await signature(file));
  }
  return mount;
}

/** Uploads the files the run added or changed under the mount; returns how many. */
export async function unstage(accounts: Accounts, mount: Mount): Promise<number> {
  const service = accounts.get(mount.target.account)!;
  const container = service.getContainerClient(mount.target.container);
  let uploaded = 0;
  let ensured = false;
  for (const file of await walk(mount.folder)) {
    const rel = relative(mount.folder, file).split(sep).join('/');
    if (mount.downloaded.get(rel) === (await signature(file))) continue;
    if (!ensured) {
      await container.createIfNotExists();
      ensured = true;
    }
    const name = mount.target.path ? `${mount.target.path}/${rel}` : rel;
    await container.getBlockBlobClient(name).uploadFile(file);
    uploaded++;
  }
  return uploaded;
}

async function signature(file: string): Promise<string> {
  const s = await stat(file);
  return `${s.size}:${s.mtimeMs}`;
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
