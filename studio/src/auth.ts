// How the page gets a bearer token: locally a one-time sign-in code from `npm start` becomes a session token kept
// in sessionStorage; in Azure, MSAL.js (authorization code + PKCE), loaded only then.

export type StudioConfig =
  | { auth: { mode: 'local' } }
  | { auth: { mode: 'entra'; clientId: string; authority: string; scopes: string[] } }
  | { auth: { mode: 'unavailable'; message: string } };

const KEY = 'sluice.studio.session';

interface Session {
  token: string;
  expiresAt: string;
}

let tokenSource: (() => Promise<string | undefined>) | undefined;

export function storedSession(): Session | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    if (s && Date.parse(s.expiresAt) > Date.now() + 30_000) return s;
  } catch {
    /* a damaged entry is the same as none */
  }
  sessionStorage.removeItem(KEY);
  return undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(KEY);
}

/** The bearer token for the next API call, or undefined when the user must sign in. */
export async function currentToken(): Promise<string | undefined> {
  return tokenSource ? tokenSource() : storedSession()?.token;
}

export type SignInState = { signedIn: true } | { signedIn: false; message: string };

/**
 * Signs in as the config says. Local: `?signin=<code>` is exchanged once (then removed from the address bar and
 * history); afterwards the session in sessionStorage is used until it expires.
 */
export async function signIn(config: StudioConfig): Promise<SignInState> {
  if (config.auth.mode === 'unavailable') return { signedIn: false, message: config.auth.message };
  if (config.auth.mode === 'entra') return entraSignIn(config.auth);
  const url = new URL(location.href);
  const code = url.searchParams.get('signin');
  if (code) {
    url.searchParams.delete('signin');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    const res = await fetch('/api/studio/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (res.ok) {
      sessionStorage.setItem(KEY, JSON.stringify((await res.json()) as Session));
      return { signedIn: true };
    }
    const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    if (!storedSession())
      return { signedIn: false, message: body?.error?.message ?? `Sign-in failed (${res.status}).` };
  }
  if (storedSession()) return { signedIn: true };
  return {
    signedIn: false,
    message:
      'Open the sign-in link that `npm start` printed, or run `npx sluice studio` for a new one (each link works once, for 10 minutes).',
  };
}

async function entraSignIn(auth: { clientId: string; authority: string; scopes: string[] }): Promise<SignInState> {
  const { PublicClientApplication, InteractionRequiredAuthError } = await import('@azure/msal-browser');
  const msal = new PublicClientApplication({
    auth: { clientId: auth.clientId, authority: auth.authority, redirectUri: `${location.origin}/studio/` },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  const account = result?.account ?? msal.getAllAccounts()[0];
  if (!account) {
    await msal.loginRedirect({ scopes: auth.scopes });
    return { signedIn: false, message: 'Signing in with Microsoft Entra ID…' };
  }
  msal.setActiveAccount(account);
  tokenSource = async () => {
    try {
      return (await msal.acquireTokenSilent({ scopes: auth.scopes, account })).accessToken;
    } catch (err) {
      if (err instanceof InteractionRequiredAuthError)
        await msal.acquireTokenRedirect({ scopes: auth.scopes, account });
      return undefined;
    }
  };
  return { signedIn: true };
}
