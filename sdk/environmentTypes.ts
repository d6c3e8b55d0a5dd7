/** Registered environments as the API answers them (docs/api.md#environments). */
export interface RegisteredEnvironment {
  /** `name:version`. */
  id: string;
  name: string;
  version: number;
  python?: string;
  pip: string[];
  conda: string[];
  createdAt: string;
  createdBy?: string;
  links: Record<string, string>;
}

export interface RegisteredEnvironmentList {
  value: RegisteredEnvironment[];
}
