import { ForbiddenError, UnauthorizedError } from '../errors';
import { reasonOf } from './messages';

/** RFC 6750 allows only printable ASCII without `"` and `\` in error_description. */
const headerSafe = (text: string) =>
  text
    .replace(/["\\]/g, "'")
    .replace(/[^\x20-\x7e]/g, '')
    .slice(0, 500);

/**
 * The `WWW-Authenticate` header for a 401 (and, optionally, a 403) as RFC 6750 describes it: no error code when the
 * request carried no bearer token, `invalid_token` when the token was rejected, `insufficient_scope` when a role is
 * missing.
 *
 * @example
 *   catch (err) { if (err instanceof UnauthorizedError) headers.set('WWW-Authenticate', wwwAuthenticate(err)); }
 */
export function wwwAuthenticate(error: UnauthorizedError | ForbiddenError, realm = 'sluice'): string {
  const base = `Bearer realm="${headerSafe(realm)}"`;
  if (error instanceof ForbiddenError)
    return `${base}, error="insufficient_scope", error_description="${headerSafe(error.message)}"`;
  const reason = reasonOf(error);
  if (reason === 'missing_token' || reason === 'not_bearer') return base;
  return `${base}, error="invalid_token", error_description="${headerSafe(error.message)}"`;
}
