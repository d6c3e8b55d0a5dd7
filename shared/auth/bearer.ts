import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** Longer than any Entra token we have seen (they stay under ~4 KB with many groups) by a wide margin. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

export type BearerResult =
  { kind: 'token'; token: string } | { kind: 'missing' } | { kind: 'not_bearer' } | { kind: 'empty' };

/** Takes the token out of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 6750). */
export function readBearer(header: string | null | undefined): BearerResult {
  const value = (header ?? '').trim();
  if (!value) return { kind: 'missing' };
  const match = /^(\S+)(?:\s+(.*))?$/s.exec(value);
  if (!match || match[1].toLowerCase() !== 'bearer') return { kind: 'not_bearer' };
  const token = (match[2] ?? '').trim();
  return token ? { kind: 'token', token } : { kind: 'empty' };
}

/**
 * The token's header and claims, read without verifying anything. Used only to pick the key set and to reject early
 * with a precise message; every claim is verified again after the signature.
 */
export function inspectToken(token: string): { header: ProtectedHeaderParameters; claims: JWTPayload } | undefined {
  if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) return undefined;
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) };
  } catch {
    return undefined;
  }
}
