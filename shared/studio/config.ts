import type { AuthSettings } from '../auth';

/** What the page needs to sign in, served as `/studio/config.json`: public values only, never a secret. */
export type StudioConfig =
  | { auth: { mode: 'local' } }
  | { auth: { mode: 'entra'; clientId: string; authority: string; scopes: string[] } }
  | { auth: { mode: 'unavailable'; message: string } };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Local mode: the page exchanges the one-time `?signin=` code for a session. Entra mode: MSAL (authorization code
 * with PKCE) signs the user in to the API's own app registration (a client may ask for a token for itself): the
 * client id is the API's app id, found in `SLUICE_AUTH_AUDIENCE` as `api://<app id>` or the bare id (what
 * scripts/entra-app.sh sets), and the scope `api://<app id>/.default`. The registration needs
 * `https://<app>/studio/` as a single-page-application redirect URI.
 */
export function studioConfig(auth: AuthSettings): StudioConfig {
  if (auth.mode === 'local') return { auth: { mode: 'local' } };
  const appId = auth.audiences.map((a) => a.replace(/^api:\/\//i, '').replace(/\/+$/, '')).find((a) => GUID.test(a));
  if (!appId) {
    return {
      auth: {
        mode: 'unavailable',
        message:
          'Studio signs in to the API app registration, whose application id it looks for in SLUICE_AUTH_AUDIENCE ' +
          '(api://<app id> or the bare id); add it there (scripts/entra-app.sh prints the value).',
      },
    };
  }
  return {
    auth: {
      mode: 'entra',
      clientId: appId,
      authority: `https://login.microsoftonline.com/${auth.tenantId ?? 'organizations'}`,
      scopes: [`api://${appId}/.default`],
    },
  };
}
