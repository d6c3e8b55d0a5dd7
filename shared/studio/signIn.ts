import { LocalKeyStore, redeemSignInCode, STUDIO_SESSION_SECONDS } from '../auth';

/**
 * Local mode's Studio sign-in: a valid one-time code (shared/auth/signInCodes.ts) under `dir` becomes a development
 * token with the Admin role for 8 hours, signed with the same key the host trusts (`dir/.sluice/auth`).
 */
export function localStudioSignIn(dir: string, now: () => Date = () => new Date()) {
  return async (code: string): Promise<{ token: string; expiresAt: string } | undefined> => {
    const issuedAt = now();
    if (!(await redeemSignInCode(dir, code, issuedAt))) return undefined;
    const keys = await LocalKeyStore.loadOrCreate(dir);
    const token = await keys.sign({
      role: 'Sluice.Admin',
      subject: 'studio',
      lifetime: STUDIO_SESSION_SECONDS,
      issuedAt,
    });
    const expiresAt = new Date(Math.floor(issuedAt.getTime() / 1000) * 1000 + STUDIO_SESSION_SECONDS * 1000);
    return { token, expiresAt: expiresAt.toISOString() };
  };
}
