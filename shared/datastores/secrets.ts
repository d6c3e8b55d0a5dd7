import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Datastore secrets (a SAS, an account key, a service principal's client secret) at rest. They are sealed with
 * AES-256-GCM under the app's secrets key (SLUICE_SECRETS_KEY, shared/config.ts) and stored beside the datastore's
 * row: the app's storage account is also read by workers and by anyone with a data role on it, the key is not
 * (in Azure it is an app setting that may be a Key Vault reference; see docs/api.md "Datastores"). The datastore's
 * name is the associated data, so a sealed secret copied onto another datastore's row does not open.
 */

const VERSION = 's1';
const IV_BYTES = 12;

/** The key length SLUICE_SECRETS_KEY must decode to. */
export const SECRETS_KEY_BYTES = 32;

/**
 * The key used when the app runs on the local emulator and SLUICE_SECRETS_KEY is not set. It is public (derived
 * from a fixed text), as Azurite's own account key is: local data is development data.
 */
export const DEVELOPMENT_SECRETS_KEY = createHash('sha256')
  .update('sluice development datastore secrets: public, emulator only')
  .digest();

/** `s1.<iv>.<tag>.<ciphertext>` (base64url parts). */
export function sealSecret(key: Buffer, datastore: string, secret: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(datastore, 'utf8'));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The secret of a sealed value; throws (without the value) when it was sealed with another key or name. */
export function openSecret(key: Buffer, datastore: string, sealed: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION)
    throw new Error(`the secret of datastore "${datastore}" is unreadable`);
  const [iv, tag, body] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(datastore, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      `the secret of datastore "${datastore}" does not open with this app's SLUICE_SECRETS_KEY (was the key ` +
        'changed?); register the datastore again with its credential and overwrite=true',
    );
  }
}
