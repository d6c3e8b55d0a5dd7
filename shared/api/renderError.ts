import { wwwAuthenticate } from '../auth/challenge';
import { ForbiddenError, MethodNotAllowedError, toSluiceError, UnauthorizedError, type SluiceError } from '../errors';
import { json } from './route';
import type { ApiLogger, ApiResponse } from './types';

/**
 * The one place errors become responses: `{"error": {code, message, details?}}` with the error's status. A 401 (and
 * a 403) carries `WWW-Authenticate: Bearer …`, a 405 `Allow`. Anything that is not a SluiceError is a 500 whose body says nothing
 * about the cause; the cause is logged with the request id the response carries.
 */
export function renderError(err: unknown, requestId: string, log: ApiLogger, where: string): ApiResponse {
  const error: SluiceError = toSluiceError(err);
  const headers: Record<string, string> = { 'request-id': requestId };
  if (error instanceof UnauthorizedError || error instanceof ForbiddenError) {
    headers['www-authenticate'] = wwwAuthenticate(error);
  }
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
  if (error.status >= 500) {
    const cause = (error as { cause?: unknown }).cause ?? err;
    log.error(`${where} failed (request ${requestId}): ${error.message}`, cause);
  }
  return json(error.status, error.toBody(), headers);
}
