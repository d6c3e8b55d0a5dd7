import type { JobMessage } from '../shared/compute/messages';
import type { LocalTokenRequest } from '../shared/auth';

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
  /** Signs a token (locally: the development key, LocalKeyStore.sign). */
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
