import type { JobMessage } from '../shared/compute/messages';
import type { LocalTokenRequest } from '../shared/auth';
import type { SluiceConfig } from '../shared/config';
import { DEFAULT_STEP_TOKEN_ISSUER } from '../shared/auth/stepTokenKeys';

/**
 * Steps that talk back: a step gets the API's URL and a token of its own in SLUICE_URL and SLUICE_TOKEN, so
 * `Run.get_context().experiment.workspace`, `Model.register(...)` and `Model.get_model_path(...)` work inside it.
 *
 * The token is scoped to one attempt of one step run: role `Sluice.Run`, subject `step:<step run id>#<attempt>`
 * (what the server records as `createdBy` of what the step registers), valid for the step's timeout plus a minute.
 * It is put in the step's environment only: the worker never logs it, and the step's environment is never logged
 * (docs/auth.md, "Tokens of steps").
 */
export interface StepApiAccess {
  /** The host's origin (`http://127.0.0.1:7071`), as the Python package's SLUICE_URL expects it. */
  url: string;
  /** Signs a token: the deployment's step key (StepTokenSigner), else the development key (LocalKeyStore.sign). */
  sign(request: LocalTokenRequest): Promise<string>;
}

/** Seconds a step token outlives the step's timeout (clock skew, the result hand-off). */
export const STEP_TOKEN_MARGIN_SECONDS = 60;

export function stepTokenRequest(job: Pick<JobMessage, 'stepRunId' | 'attempt' | 'timeoutSeconds'>): LocalTokenRequest {
  return {
    role: 'Sluice.Run',
    subject: `step:${job.stepRunId}#${job.attempt}`,
    lifetime: Math.ceil(job.timeoutSeconds) + STEP_TOKEN_MARGIN_SECONDS,
  };
}

/** The variables that let the step reach the API; none when the worker was not told where the API is. */
export async function stepApiEnvironment(
  access: StepApiAccess | undefined,
  job: Pick<JobMessage, 'stepRunId' | 'attempt' | 'timeoutSeconds'>,
): Promise<Record<string, string>> {
  if (!access) return {};
  return {
    SLUICE_URL: access.url.replace(/\/+$/, '').replace(/\/api$/, ''),
    SLUICE_TOKEN: await access.sign(stepTokenRequest(job)),
  };
}

/**
 * How this worker's steps reach the API, from its settings: `url` (`--api-url`), else SLUICE_API_URL; signed with
 * the deployment's step key when SLUICE_STEP_TOKEN_KEY is set (Azure: issuer SLUICE_STEP_TOKEN_ISSUER, audience the
 * first of SLUICE_AUTH_AUDIENCE, which the API accepts), else with the development key (local mode). Undefined
 * without a URL: steps then get no token.
 */
export async function stepApiAccess(
  settings: Pick<SluiceConfig, 'apiUrl' | 'auth'>,
  url?: string,
  appDir?: string,
): Promise<StepApiAccess | undefined> {
  const apiUrl = url || settings.apiUrl;
  if (!apiUrl) return undefined;
  const key = settings.auth.stepTokens?.signingKey;
  if (!key) return localStepApiAccess(apiUrl, appDir);
  const { StepTokenSigner } = await import('../shared/auth/stepTokens.js');
  const { LOCAL_AUDIENCE } = await import('../shared/auth/localKeyStore.js');
  const audience = settings.auth.audiences[0] ?? LOCAL_AUDIENCE;
  const signer = await StepTokenSigner.create(
    key,
    settings.auth.stepTokens?.issuer ?? DEFAULT_STEP_TOKEN_ISSUER,
    audience,
  );
  return { url: apiUrl, sign: (request) => signer.sign(request) };
}

/**
 * Local mode: the worker signs with the development key under `appDir` (the host trusts it), when `url` is set and
 * the key exists. Undefined otherwise (steps then have no token; see docs/auth.md for what Azure needs).
 */
export async function localStepApiAccess(url: string | undefined, appDir?: string): Promise<StepApiAccess | undefined> {
  if (!url) return undefined;
  const { LocalKeyStore } = await import('../shared/auth/localKeyStore.js');
  const keys = await LocalKeyStore.load(LocalKeyStore.findDir(appDir));
  if (!keys) return undefined;
  return { url, sign: (request) => keys.sign(request) };
}
