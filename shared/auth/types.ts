/**
 * The contract between the API's request pipeline and token validation. App roles nest:
 * `Sluice.Admin` ⊃ `Sluice.Run` ⊃ `Sluice.Read`. Health and OpenAPI are the only anonymous routes.
 */
export type Role = 'Sluice.Read' | 'Sluice.Run' | 'Sluice.Admin';

export const ROLE_RANK: Record<Role, number> = { 'Sluice.Read': 1, 'Sluice.Run': 2, 'Sluice.Admin': 3 };

/** Who called: taken from a validated token. */
export interface Principal {
  /** `oid` or `sub` of the token. */
  id: string;
  /** A display name for records such as `createdBy` (`name`, `preferred_username`, `appid`, else the id). */
  name: string;
  roles: Role[];
  issuer: string;
}

/** True if any of the principal's roles implies `required`. */
export function hasRole(principal: Principal, required: Role): boolean {
  return principal.roles.some((r) => ROLE_RANK[r] >= ROLE_RANK[required]);
}

/**
 * Validates the request's `Authorization` header and checks the role. Throws UnauthorizedError (missing or invalid
 * token; the pipeline adds `WWW-Authenticate`) or ForbiddenError (naming the missing role). `required: undefined`
 * means anonymous (no check).
 */
export interface Authorizer {
  authorize(authorizationHeader: string | null | undefined, required: Role | undefined): Promise<Principal | undefined>;
}
