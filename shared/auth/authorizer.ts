import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  jwtVerify,
  type FetchImplementation,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { SluiceError, SystemError, UserInputError } from '../errors';
import { SETTINGS } from '../config';
import { inspectToken, readBearer } from './bearer';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LocalKeyStore, type LocalKeySource } from './localKeyStore';
import { forbidden, unauthorizedMessages, type AuthSettings } from './messages';
import { toPrincipal } from './principal';
import { stepPrincipal, stepTokenKeySet } from './stepTokens';
import { hasRole, type Authorizer, type Principal, type Role } from './types';

/** Asymmetric signatures only: `none` and the HMAC family (HS*) are never accepted. Entra signs with RS256. */
export const ACCEPTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
] as const;

/** Entra ID itself allows five minutes of clock skew; so do we. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 300;

/** Fetches the JWKS document (same shape as `fetch`). Tests pass an in-process fake; the default is `fetch`. */
export type JwksFetcher = FetchImplementation;

export interface AuthorizerOptions {
  /** Local mode: the development key (its public half). Default: the key under `localKeyDir`, created if missing. */
  localKeyStore?: LocalKeySource;
  /** Local mode: the folder holding `.sluice/auth/` when no `localKeyStore` is given. Default: the current folder. */
  localKeyDir?: string;
  /** How the JWKS is fetched from the configured URI (results are cached by jose: 10 min, refetch on a new kid). */
  jwksFetcher?: JwksFetcher;
  clockToleranceSeconds?: number;
  /** The current time; for tests. */
  now?: () => Date;
}

/**
 * The one place where bearer tokens are checked. Entra mode trusts the configured issuers, audiences and JWKS;
 * local mode trusts the development key (issuer `sluice-local`, audience `api://sluice-local`) and, in addition,
 * whatever is configured. In both modes, when the step key's public half is set, tokens of the step issuer
 * (SLUICE_STEP_TOKEN_ISSUER) are checked with it and are worth role Sluice.Run for one step run only. The key set is
 * chosen by the (unverified) issuer, and the issuer is verified again with the signature, so a key can only vouch
 * for its own issuer.
 *
 * @example
 *   const authorizer = createAuthorizer(config().auth);
 *   const principal = await authorizer.authorize(request.headers.get('authorization'), 'Sluice.Run');
 */
export function createAuthorizer(auth: AuthSettings, options: AuthorizerOptions = {}): Authorizer {
  const local = auth.mode === 'local';
  // The local issuer is never trusted in entra mode, even if someone lists it in SLUICE_AUTH_ISSUERS.
  const configuredIssuers = auth.issuers.filter((i) => i !== LOCAL_ISSUER);
  const entraIssuers = local ? [LOCAL_ISSUER, ...configuredIssuers] : configuredIssuers;
  // Step tokens: their own issuer, trusted only with the step key's public half (never an issuer of other tokens).
  const step = auth.stepTokens;
  const stepIssuer =
    step && step.verificationKeys.length > 0 && !entraIssuers.includes(step.issuer) ? step.issuer : undefined;
  const issuers = stepIssuer ? [...entraIssuers, stepIssuer] : entraIssuers;
  const audiences = [...new Set(local ? [LOCAL_AUDIENCE, ...auth.audiences] : auth.audiences)];
  if (!local) {
    const missing = (name: string, what: string): never => {
      throw UserInputError.field(
        name,
        `is required when SLUICE_AUTH_MODE is "entra"; set it to ${what}`,
        'InvalidSetting',
      );
    };
    if (entraIssuers.length === 0) missing(SETTINGS.authTenantId, 'your Entra tenant id');
    if (audiences.length === 0) missing(SETTINGS.authAudience, 'the API app id URI');
    if (!auth.jwksUri) missing(SETTINGS.authJwksUri, 'the JWKS URL of your tenant');
  }
  const messages = unauthorizedMessages(auth, { issuers, audiences });
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;

  const remoteKeys = auth.jwksUri ? remoteKeySet(auth.jwksUri, options.jwksFetcher) : undefined;
  let localKeys: Promise<JWTVerifyGetKey> | undefined;
  // A broken development key is the server's problem (500), not the caller's; the next request tries again.
  const localKeySet = () =>
    (localKeys ??= (async () => {
      const source = options.localKeyStore ?? (await LocalKeyStore.loadOrCreate(options.localKeyDir));
      return createLocalJWKSet(source.publicJwks());
    })().catch((err: unknown) => {
      localKeys = undefined;
      throw new SystemError(`The local development key could not be loaded: ${(err as Error).message}`, err);
    }));

  let stepKeys: Promise<JWTVerifyGetKey> | undefined;
  const stepKeySet = () =>
    (stepKeys ??= stepTokenKeySet(step?.verificationKeys ?? []).then((jwks) => createLocalJWKSet(jwks)));

  async function verify(token: string): Promise<Principal> {
    const inspected = inspectToken(token);
    if (!inspected) throw messages.malformed();
    const { header, claims } = inspected;
    const alg = String(header.alg ?? '');
    if (alg.toLowerCase() === 'none') throw messages.unsigned();
    if (!(ACCEPTED_ALGORITHMS as readonly string[]).includes(alg)) throw messages.algorithm(alg, ACCEPTED_ALGORITHMS);

    const iss = claims.iss;
    if (typeof iss !== 'string' || !iss) throw messages.noIssuer();
    if (!local && iss === LOCAL_ISSUER) throw messages.localIssuer(iss);
    if (!issuers.includes(iss)) throw messages.issuer(iss);
    let keys: JWTVerifyGetKey;
    if (local && iss === LOCAL_ISSUER) keys = await localKeySet();
    else if (iss === stepIssuer) keys = await stepKeySet();
    else if (remoteKeys) keys = remoteKeys;
    else throw messages.noKeySet(iss);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: [...ACCEPTED_ALGORITHMS],
        issuer: iss, // already known to be accepted; verified again here now that the signature is checked
        audience: audiences,
        clockTolerance: tolerance,
        requiredClaims: ['exp'],
        currentDate: options.now?.(),
      }));
    } catch (err) {
      throw translate(err, header.kid, claims);
    }
    if (iss === stepIssuer) {
      // Whatever it claims, a step token is worth Sluice.Run for its step run: a stolen step key never gives more.
      const checked = stepPrincipal(payload);
      if ('problem' in checked) throw messages.stepToken(iss, checked.problem);
      return checked.principal;
    }
    const principal = toPrincipal(payload);
    if (!principal) throw messages.noCaller();
    return principal;
  }

  /** jose's error → our 401 with a precise message; anything unexpected is a server fault. */
  function translate(err: unknown, kid: string | undefined, claims: JWTPayload): SluiceError {
    if (err instanceof SluiceError) return err;
    const iss = String(claims.iss);
    const e = err as { code?: string; claim?: string; reason?: string; message?: string };
    switch (e.code) {
      case 'ERR_JWT_EXPIRED':
        return messages.expired();
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        if (e.claim === 'aud') return messages.audience(claims.aud);
        if (e.claim === 'nbf' && e.reason === 'check_failed') return messages.notYetValid();
        if (e.claim === 'exp' && e.reason === 'missing') return messages.noExpiry();
        if (e.claim === 'iss') return messages.issuer(iss);
        return messages.invalidClaims(`the ${e.claim} claim is not valid`);
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
        return messages.signature();
      case 'ERR_JWKS_NO_MATCHING_KEY':
        return messages.unknownKey(kid, iss);
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return messages.noKid(iss);
      case 'ERR_JWS_INVALID':
      case 'ERR_JWT_INVALID':
        return messages.malformed();
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
      case 'ERR_JOSE_NOT_SUPPORTED':
        return messages.invalidClaims(`its header is not supported (${e.message ?? 'unsupported'})`);
      default:
        return new SystemError(`Token validation failed unexpectedly: ${e.message ?? String(err)}`, err);
    }
  }

  return {
    async authorize(authorizationHeader: string | null | undefined, required: Role | undefined) {
      if (required === undefined) return undefined;
      const bearer = readBearer(authorizationHeader);
      if (bearer.kind === 'missing') throw messages.missingToken();
      if (bearer.kind === 'not_bearer') throw messages.notBearer();
      if (bearer.kind === 'empty') throw messages.emptyBearer();
      const principal = await verify(bearer.token);
      if (!hasRole(principal, required)) throw forbidden(auth, required, principal.roles);
      return principal;
    },
  };
}

/**
 * The issuer's key set, fetched on first use and cached by jose. A failure to fetch it is a fault of the server or
 * the network (500, retried by the client), not of the caller's token.
 */
function remoteKeySet(uri: string, fetcher: JwksFetcher | undefined): JWTVerifyGetKey {
  const set = createRemoteJWKSet(new URL(uri), fetcher ? { [customFetch]: fetcher } : {});
  return async (header, token) => {
    try {
      return await set(header, token);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw err;
      throw new SystemError(`Could not get the token signing keys from ${uri}: ${(err as Error).message}`, err);
    }
  };
}
