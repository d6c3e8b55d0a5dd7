import type { TokenCredential } from '@azure/identity';
import { UnauthorizedError, UserInputError } from '../errors';
import { LocalKeyStore } from './localKeyStore';
import type { Role } from './types';

/**
 * The client-side setting naming the API to ask Entra ID for (the API's app ID URI, e.g. `api://sluice-prod`).
 * It is read by clients (CLI, SDK), not by the app, so it is not in the app's settings table that Bicep mirrors.
 */
export const API_SCOPE_SETTING = 'SLUICE_API_SCOPE';

export interface AccessToken {
  token: string;
  /** Milliseconds since the epoch, like @azure/identity's AccessToken. */
  expiresOnTimestamp: number;
  /** Where the token came from. */
  source: 'local' | 'azure';
}

export interface GetAccessTokenOptions {
  /** The Sluice base URL the token is for. Local hosts (localhost, 127.0.0.1, ::1) get a development token. */
  url: string;
  /** The API's app ID URI or a full scope; `/.default` is added to a bare URI. Default: env SLUICE_API_SCOPE. */
  scope?: string;
  /** Local hosts: the folder holding `.sluice/auth/` (the app folder). Default: the current folder. */
  dir?: string;
  /** Local hosts: the role of the development token. Default Sluice.Admin (it is your own laptop). */
  role?: Role;
  /** Azure: the credential. Default: one shared DefaultAzureCredential (az login, env, managed identity, …). */
  credential?: TokenCredential;
  env?: NodeJS.ProcessEnv;
}

/** True for URLs that point at this machine, where the local host and its development key live. */
export function isLocalUrl(url: string): boolean {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    throw UserInputError.field('url', `"${url}" is not an http(s) URL; write it like http://localhost:7071`);
  const host = parsed.hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]';
}

/** `api://sluice-prod` → `api://sluice-prod/.default`; a scope that already names a permission is kept. */
export function toScope(value: string): string {
  const v = value.trim().replace(/\/+$/, '');
  const bare = /^[a-z][a-z0-9+.-]*:\/\/[^/]+$/i.test(v) || /^[0-9a-f-]{36}$/i.test(v);
  return bare ? `${v}/.default` : v;
}

let sharedCredential: TokenCredential | undefined;

async function defaultCredential(): Promise<TokenCredential> {
  if (!sharedCredential) {
    const { DefaultAzureCredential } = await import('@azure/identity');
    sharedCredential = new DefaultAzureCredential();
  }
  return sharedCredential;
}

/**
 * A bearer token for calling Sluice at `url`: signed with the local development key when the URL is a local host
 * (the key is created on first use, exactly as the host does), otherwise from Microsoft Entra ID through
 * `DefaultAzureCredential` for the API's scope.
 *
 * @example
 *   const { token } = await getAccessToken({ url: 'https://sluice-prod.azurewebsites.net', scope: 'api://sluice-prod' });
 *   await fetch(`${url}/api/runs`, { headers: { Authorization: `Bearer ${token}` } });
 */
export async function getAccessToken(options: GetAccessTokenOptions): Promise<AccessToken> {
  if (isLocalUrl(options.url)) {
    const store = await LocalKeyStore.loadOrCreate(options.dir ?? LocalKeyStore.findDir());
    const lifetime = 3600;
    const token = await store.sign({ role: options.role ?? 'Sluice.Admin', lifetime });
    return { token, expiresOnTimestamp: Date.now() + lifetime * 1000, source: 'local' };
  }
  const env = options.env ?? process.env;
  const configured = options.scope ?? env[API_SCOPE_SETTING];
  if (!configured?.trim()) {
    throw UserInputError.field(
      'scope',
      `no API scope to request a token for ${options.url}; pass the API's app ID URI (e.g. --scope api://sluice-prod) ` +
        `or set ${API_SCOPE_SETTING}`,
    );
  }
  const scope = toScope(configured);
  const credential = options.credential ?? (await defaultCredential());
  let result;
  try {
    result = await credential.getToken(scope);
  } catch (err) {
    throw new UnauthorizedError(
      `Could not get an access token for ${scope}: ${(err as Error).message.split('\n')[0]}; sign in with ` +
        '"az login" (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET for a service principal)',
    );
  }
  if (!result) {
    throw new UnauthorizedError(`No access token was returned for ${scope}; sign in with "az login" and try again`);
  }
  return { token: result.token, expiresOnTimestamp: result.expiresOnTimestamp, source: 'azure' };
}
