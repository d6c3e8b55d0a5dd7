import type { AuthSettings } from '../auth';

/** What the page needs to sign in, served as `/studio/config.json`: public values only, never a secret. */
export type StudioConfig =
  { auth: { mode: 'local' } } | { auth: { mode: 'entra'; clientId: string; authority: string; scopes: string[] } };

/**
 * Local mode: the page exchanges the one-time `?signin=` code for a session. Entra mode: MSAL (authorization code
 * with PKCE) signs the user in to the API's own app registration (a client may ask for a token for itself), so the
 * client id is the API's app id from `SLUICE_AUTH_AUDIENCE` (`api://<app id>`) and the scope `<audience>/.default`;
 * the registration needs `https://<app>/studio/` as a single-page-application redirect URI.
 */
export function studioConfig(auth: AuthSettings): StudioConfig {
  if (auth.mode === 'local') return { auth: { mode: 'local' } };
  const audience = auth.audiences[0] ?? '';
  const clientId = audience.replace(/^api:\/\//, '').replace(/\/+$/, '');
  return {
    auth: {
      mode: 'entra',
      clientId,
      authority: `https://login.microsoftonline.com/${auth.tenantId ?? 'organizations'}`,
      scopes: [`${audience.replace(/\/+$/, '')}/.default`],
    },
  };
}
