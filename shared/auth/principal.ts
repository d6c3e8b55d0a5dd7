import type { JWTPayload } from 'jose';
import { ROLE_RANK, type Principal, type Role } from './types';

const isRole = (value: unknown): value is Role => typeof value === 'string' && Object.hasOwn(ROLE_RANK, value);
const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : undefined);

/**
 * The caller described by a verified token, or undefined when it names nobody. Roles come from the `roles` claim
 * (Entra app roles, for users and applications alike); roles other than Sluice's are ignored, and so are scopes
 * (`scp`), because Sluice authorizes with app roles only. Entra v1 tokens name users with `upn`/`unique_name` and
 * applications with `appid`; v2 tokens use `preferred_username` and `azp`.
 */
export function toPrincipal(claims: JWTPayload): Principal | undefined {
  const id = text(claims.oid) ?? text(claims.sub);
  if (!id) return undefined;
  const name =
    text(claims.name) ??
    text(claims.preferred_username) ??
    text(claims.upn) ??
    text(claims.unique_name) ??
    text(claims.appid) ??
    text(claims.azp) ??
    id;
  const claimed = Array.isArray(claims.roles) ? claims.roles : typeof claims.roles === 'string' ? [claims.roles] : [];
  const roles = [...new Set(claimed.filter(isRole))];
  return { id, name, roles, issuer: String(claims.iss) };
}
