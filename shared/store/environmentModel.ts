/**
 * The environment registry (Azure ML v1's `Environment.register`). A name has versions 1, 2, …; registering the same
 * definition again returns the version it has (as Azure ML does), another definition gets the next version. A
 * version never changes once registered.
 */
export interface EnvironmentRecord {
  name: string;
  version: number;
  python?: string;
  pip: string[];
  conda: string[];
  /** SHA-256 of the definition's canonical JSON (python, pip, conda): what makes a registration a repeat. */
  definitionHash: string;
  createdAt: string;
  createdBy?: string;
}

export type NewEnvironment = Omit<EnvironmentRecord, 'version'>;

export interface EnvironmentRepository {
  /** The version with this definition, or a new one (`created`). Racing registrations get distinct versions. */
  register(environment: NewEnvironment): Promise<{ environment: EnvironmentRecord; created: boolean }>;
  get(name: string, version: number): Promise<EnvironmentRecord | undefined>;
  /** Every version of a name, newest first (or of every name, by name then newest first). */
  list(name?: string): Promise<EnvironmentRecord[]>;
}

export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

export function byEnvironmentNameThenNewest(a: EnvironmentRecord, b: EnvironmentRecord): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return b.version - a.version;
}
