import { ForbiddenError, UnauthorizedError } from '../errors';
import type { SluiceConfig } from '../config';
import { ROLE_RANK, type Role } from './types';

/**
 * Why a request was not authenticated, as a stable code in the error's `details.reason` (clients and the
 * `WWW-Authenticate` header use it; the message is for people).
 */
export type UnauthorizedReason =
  | 'missing_token'
  | 'not_bearer'
  | 'malformed'
  | 'unsigned'
  | 'algorithm'
  | 'issuer'
  | 'local_issuer'
  | 'audience'
  | 'expired'
  | 'not_yet_valid'
  | 'signature'
  | 'unknown_key'
  | 'claims';

export type AuthSettings = SluiceConfig['auth'];

/** The role names `sluice token --role` takes. */
export const ROLE_OPTION: Record<Role, string> = {
  'Sluice.Read': 'read',
  'Sluice.Run': 'run',
  'Sluice.Admin': 'admin',
};

/** How to get a valid token in this mode, for the end of every 401 message. */
export function tokenHint(auth: AuthSettings): string {
  const az = auth.audiences[0] ? `az account get-access-token --resource ${auth.audiences[0]}` : undefined;
  if (auth.mode === 'entra') return az ?? 'az account get-access-token';
  return az ? `npx sluice token, or ${az}` : 'npx sluice token';
}

export function unauthorized(reason: UnauthorizedReason, message: string): UnauthorizedError {
  return new UnauthorizedError(message, { reason });
}

/** The reason code of a 401 made by `unauthorized`, if any. */
export function reasonOf(error: UnauthorizedError): UnauthorizedReason | undefined {
  const details = error.details as { reason?: UnauthorizedReason } | undefined;
  return details?.reason;
}

/** Values taken from an untrusted token are shown printable and short. */
export const shown = (value: string) => {
  const clean = value.replace(/\p{Cc}/gu, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
};

const quoteList = (values: string[]) => values.map((v) => `"${shown(v)}"`).join(', ');

/** The 401 messages, one per reason. None of them contains the token. */
export function unauthorizedMessages(auth: AuthSettings, accepted: { issuers: string[]; audiences: string[] }) {
  const hint = tokenHint(auth);
  return {
    missingToken: () =>
      unauthorized(
        'missing_token',
        `Missing Authorization header; send "Authorization: Bearer <token>" (get a token with ${hint})`,
      ),
    notBearer: () =>
      unauthorized(
        'not_bearer',
        `The Authorization header is not a Bearer token; send "Authorization: Bearer <token>" (get a token with ${hint})`,
      ),
    emptyBearer: () =>
      unauthorized(
        'not_bearer',
        `The Authorization header says "Bearer" but carries no token; send "Authorization: Bearer <token>" (get a token with ${hint})`,
      ),
    malformed: () =>
      unauthorized(
        'malformed',
        `The bearer token is malformed: it is not a signed JWT (three base64url parts separated by dots); get a new one (${hint})`,
      ),
    unsigned: () =>
      unauthorized(
        'unsigned',
        `The token is unsigned (alg "none"); only signed tokens are accepted; get a new one (${hint})`,
      ),
    algorithm: (alg: string, allowed: readonly string[]) =>
      unauthorized(
        'algorithm',
        `The token is signed with algorithm "${shown(alg)}", which is not accepted (accepted: ${allowed.join(', ')}); ` +
          `get a token from the configured issuer (${hint})`,
      ),
    noIssuer: () => unauthorized('issuer', `The token has no issuer (iss claim); get a new one (${hint})`),
    issuer: (iss: string) =>
      unauthorized(
        'issuer',
        `The token's issuer "${shown(iss)}" is not accepted; expected ${quoteList(accepted.issuers)}; ` +
          `get a token from that issuer (${hint})`,
      ),
    localIssuer: (iss: string) =>
      unauthorized(
        'local_issuer',
        `The token comes from the local development issuer "${iss}", which is never accepted when ` +
          `SLUICE_AUTH_MODE is "entra"; get a Microsoft Entra ID token (${hint})`,
      ),
    noKeySet: (iss: string) =>
      unauthorized(
        'issuer',
        `The token's issuer "${shown(iss)}" is accepted but the server has no key set to check it ` +
          '(set SLUICE_AUTH_JWKS_URI or SLUICE_AUTH_TENANT_ID)',
      ),
    audience: (aud: unknown) =>
      unauthorized(
        'audience',
        `The token's audience ${describeAudience(aud)} is not accepted; expected ${quoteList(accepted.audiences)}; ` +
          `request a token for that audience (${hint})`,
      ),
    expired: () => unauthorized('expired', `The token has expired; get a new one (${hint})`),
    noExpiry: () =>
      unauthorized('claims', `The token has no expiry (exp claim); only expiring tokens are accepted (${hint})`),
    notYetValid: () =>
      unauthorized(
        'not_yet_valid',
        `The token is not valid yet (its nbf time is in the future); check the clock of the machine that made it, ` +
          `or get a new one (${hint})`,
      ),
    signature: () =>
      unauthorized(
        'signature',
        `The token's signature does not verify: it was altered or signed by a different key; get a new one (${hint})`,
      ),
    unknownKey: (kid: string | undefined, iss: string) =>
      unauthorized(
        'unknown_key',
        `The token is signed by a key${kid ? ` (kid "${shown(kid)}")` : ''} that is not in the key set of issuer "${shown(iss)}"` +
          (iss === LOCAL_ISSUER_NAME
            ? `; make development tokens in the app folder the host runs from (npx sluice token --dir <app folder>)`
            : `; get a new token (${hint})`),
      ),
    noKid: (iss: string) =>
      unauthorized(
        'unknown_key',
        `The token does not name its signing key (no kid header) and issuer "${iss}" has several; get a new one (${hint})`,
      ),
    stepToken: (iss: string, problem: string) =>
      unauthorized(
        'claims',
        `The token of step issuer "${shown(iss)}" is refused: ${problem}; step tokens are made by the workers for ` +
          `one step run (role Sluice.Run, subject step:<step run id>#<attempt>); call with your own token (${hint})`,
      ),
    noCaller: () => unauthorized('claims', `The token names no caller (no oid or sub claim); get a new one (${hint})`),
    invalidClaims: (what: string) => unauthorized('claims', `The token is invalid: ${what}; get a new one (${hint})`),
  };
}

/** Kept here (not imported from localKeyStore) so messages do not load jose. */
const LOCAL_ISSUER_NAME = 'sluice-local';

function describeAudience(aud: unknown): string {
  if (typeof aud === 'string') return `"${shown(aud)}"`;
  if (Array.isArray(aud)) return aud.length ? `[${quoteList(aud.map(String))}]` : '(empty)';
  return '(missing)';
}

const rolesAbove = (role: Role) => (Object.keys(ROLE_RANK) as Role[]).filter((r) => ROLE_RANK[r] > ROLE_RANK[role]);

/** The 403 for a valid token without the route's role: names the role needed, the caller's roles and the fix. */
export function forbidden(auth: AuthSettings, required: Role, held: Role[]): ForbiddenError {
  const higher = rolesAbove(required);
  const needs = `the app role ${required}${higher.length ? ` (or ${higher.join(' or ')})` : ''}`;
  const has = held.length ? `the token has ${held.join(', ')}` : 'the token has no Sluice role';
  const fix =
    auth.mode === 'local'
      ? `get a token with that role: npx sluice token --role ${ROLE_OPTION[required]}`
      : `ask an administrator of the Sluice API to assign ${required} to you or your application, then get a new token`;
  return new ForbiddenError(`This request needs ${needs}; ${has}; ${fix}`, { requiredRole: required, roles: held });
}
