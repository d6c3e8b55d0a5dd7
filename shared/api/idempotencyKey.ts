import type { Principal } from '../auth/types';
import { UserInputError } from '../errors';
import { canonicalJson, sha256Hex } from '../store/keys';
import type { ApiRequest } from './types';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Set on a response that repeats an earlier one because its Idempotency-Key matched. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * Reads `Idempotency-Key` for a submit route. The key is scoped to the route and the caller (two callers may pick the
 * same key), and bound to a hash of the request's meaning — path parameters and the validated body in canonical
 * JSON — so whitespace or key order do not make a retry look different.
 */
export function idempotencyOf(
  request: ApiRequest,
  routeName: string,
  principal: Principal | undefined,
  meaning: unknown,
): { scope: string; key: string; bodyHash: string } | undefined {
  const key = request.headers.get(IDEMPOTENCY_HEADER);
  if (key === null) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw UserInputError.field(
      `header.${IDEMPOTENCY_HEADER}`,
      'must be 1–255 printable ASCII characters without spaces (a UUID is a good key)',
    );
  }
  return {
    scope: `${routeName}|${principal?.issuer ?? ''}|${principal?.id ?? 'anonymous'}`,
    key,
    bodyHash: sha256Hex(canonicalJson(meaning)),
  };
}
