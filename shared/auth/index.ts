/** Authentication and authorization: bearer tokens in, a Principal (or a 401/403) out; and tokens for clients. */
export * from './types';
export { createAuthorizer, ACCEPTED_ALGORITHMS, DEFAULT_CLOCK_TOLERANCE_SECONDS } from './authorizer';
export type { AuthorizerOptions, JwksFetcher } from './authorizer';
export { LocalKeyStore, LOCAL_ISSUER, LOCAL_AUDIENCE, LOCAL_KEY_FOLDER, LOCAL_KEY_FILE } from './localKeyStore';
export type { LocalKeySource, LocalTokenRequest } from './localKeyStore';
export { wwwAuthenticate } from './challenge';
export { reasonOf, tokenHint, ROLE_OPTION } from './messages';
export type { UnauthorizedReason, AuthSettings } from './messages';
export { getAccessToken, isLocalUrl, toScope, API_SCOPE_SETTING } from './getAccessToken';
export type { AccessToken, GetAccessTokenOptions } from './getAccessToken';
export { parseLifetime } from './lifetime';
export { createSignInCode, redeemSignInCode, SIGN_IN_CODE_LIFETIME_MS, STUDIO_SESSION_SECONDS } from './signInCodes';
export {
  DEFAULT_STEP_TOKEN_ISSUER,
  STEP_SUBJECT,
  STEP_TOKEN_ROLE,
  parseStepSigningKey,
  parseStepVerificationKey,
} from './stepTokenKeys';
export type { StepTokenSettings } from './stepTokenKeys';
export { StepTokenSigner, stepPrincipal, stepTokenKeySet } from './stepTokens';
