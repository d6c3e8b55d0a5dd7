import type { TokenCredential } from '@azure/identity';

/**
 * Where the Databricks client gets its bearer token. Two sources, as the compute target names them:
 * - `managedIdentity`: an Entra ID token for the Azure Databricks resource, from the app's managed identity (in
 *   Azure) or whatever DefaultAzureCredential finds (a developer's `az login`);
 * - `pat`: a personal access token held in an app setting (a Key Vault reference in Azure), named by the target,
 *   read when a call is made and never stored in the registry.
 * Errors name the setting or the resource, never a token.
 */

/** The application id of the Azure Databricks resource: the audience of Entra tokens for every workspace. */
export const AZURE_DATABRICKS_RESOURCE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d';

export interface DatabricksCredential {
  getToken(): Promise<string>;
}

/** A credential problem (no setting, no identity): shown as is, marked so the transport does not retry it. */
export class DatabricksCredentialError extends Error {
  readonly isCredentialError = true;
  constructor(message: string) {
    super(message);
    this.name = 'DatabricksCredentialError';
  }
}

/** How a Databricks compute target authenticates (stored on the target; holds no secret). */
export type DatabricksCredentialRef = { type: 'managedIdentity'; clientId?: string } | { type: 'pat'; setting: string };

/** A PAT read from the app setting `setting` at each call (so a rotated secret is picked up). */
export function patCredential(setting: string, env: NodeJS.ProcessEnv = process.env): DatabricksCredential {
  return {
    async getToken() {
      const value = env[setting]?.trim();
      if (!value) {
        throw new DatabricksCredentialError(
          `the Databricks personal access token setting ${setting} is not set on the app; set it (in Azure, as a Key ` +
            'Vault reference) or attach the compute with the managed identity instead',
        );
      }
      return value;
    },
  };
}

/** An Entra token for Azure Databricks from `credential` (default: DefaultAzureCredential, user-assigned clientId). */
export function entraCredential(
  options: { clientId?: string; credential?: TokenCredential } = {},
): DatabricksCredential {
  let credential = options.credential;
  return {
    async getToken() {
      if (!credential) {
        const { DefaultAzureCredential } = await import('@azure/identity');
        credential = new DefaultAzureCredential(
          options.clientId ? { managedIdentityClientId: options.clientId } : undefined,
        );
      }
      let token: { token: string } | null;
      try {
        token = await credential.getToken(`${AZURE_DATABRICKS_RESOURCE}/.default`);
      } catch (err) {
        throw new DatabricksCredentialError(
          `could not get an Entra ID token for Azure Databricks from the app's identity (${(err as Error).name}); ` +
            "give the app's managed identity access to the workspace (docs/databricks.md)",
        );
      }
      if (!token) throw new DatabricksCredentialError('Entra ID returned no token for Azure Databricks');
      return token.token;
    },
  };
}

export function credentialFor(
  ref: DatabricksCredentialRef,
  env: NodeJS.ProcessEnv = process.env,
): DatabricksCredential {
  return ref.type === 'pat' ? patCredential(ref.setting, env) : entraCredential({ clientId: ref.clientId });
}
