import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { UserInputError } from '../errors';

/**
 * The settings of step tokens (docs/auth.md, "Tokens of steps"), read by shared/config.ts: node:crypto only, so
 * reading the configuration does not load jose. Signing and checking are in stepTokens.ts.
 */

/** The issuer when SLUICE_STEP_TOKEN_ISSUER is not set (Bicep sets `sluice-steps:<environment name>`). */
export const DEFAULT_STEP_TOKEN_ISSUER = 'sluice-steps';
/** The only role a step token may carry. */
export const STEP_TOKEN_ROLE = 'Sluice.Run' as const;
/** `step:<step run id>#<attempt>`; a step run id is `<run id>:<step>` (printable, no spaces, no `#`). */
export const STEP_SUBJECT = /^step:[^\s#]{1,400}#[1-9][0-9]{0,5}$/;

const MIN_MODULUS_BITS = 2048;
/** How to make a key, for error messages (docs/deploy.md; the preprovision hook does it for azd). */
const HOW =
  'make one with `node infra/hooks/step-token-key.mjs` (azd runs it before provisioning) or ' +
  '`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`';

export interface StepTokenSettings {
  issuer: string;
  /** Workers: the private key they sign with. */
  signingKey?: KeyObject;
  /** The API: public keys it accepts (the current one, then the previous one). Empty: step tokens are refused. */
  verificationKeys: KeyObject[];
}

/** The key material of a setting: PEM (real or `\n`-escaped newlines), or base64 of the DER bytes (one line). */
function keyInput(text: string): { pem: string } | { der: Buffer } {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return { pem: trimmed.replace(/\\n/g, '\n') };
  const compact = trimmed.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error('not PEM and not base64');
  return { der: Buffer.from(compact, 'base64') };
}

const invalid = (setting: string, what: string) => UserInputError.field(setting, `${what}; ${HOW}`, 'InvalidSetting');

function checkRsa(key: KeyObject, setting: string): KeyObject {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_MODULUS_BITS)
    throw invalid(setting, `must be an RSA key of at least ${MIN_MODULUS_BITS} bits (RS256)`);
  return key;
}

/** The private step key of a setting (PKCS#8 or PKCS#1 PEM, or base64 PKCS#8 DER). The value is never shown. */
export function parseStepSigningKey(text: string, setting: string): KeyObject {
  let key: KeyObject;
  try {
    const input = keyInput(text);
    key =
      'pem' in input ? createPrivateKey(input.pem) : createPrivateKey({ key: input.der, format: 'der', type: 'pkcs8' });
  } catch {
    throw invalid(setting, 'is not a private key (PEM, or the base64 of PKCS#8 DER)');
  }
  return checkRsa(key, setting);
}

/**
 * The public step key of a setting (SPKI PEM, or base64 SPKI DER). A private key is refused: the API needs the
 * public half only, and app settings are not the place for the private one.
 */
export function parseStepVerificationKey(text: string, setting: string): KeyObject {
  let key: KeyObject | undefined;
  try {
    const input = keyInput(text);
    if ('pem' in input) {
      if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(input.pem)) key = undefined;
      else key = createPublicKey(input.pem);
    } else {
      key = createPublicKey({ key: input.der, format: 'der', type: 'spki' });
    }
  } catch {
    key = undefined;
  }
  if (!key) {
    let isPrivate = false;
    try {
      isPrivate = !!parseStepSigningKey(text, setting);
    } catch {
      // not a private key either
    }
    if (isPrivate)
      throw UserInputError.field(
        setting,
        'holds a private key; give the API the public half only (`openssl pkey -pubout`, or the value the key ' +
          'hook stores as SLUICE_STEP_TOKEN_PUBLIC_KEY in the azd environment)',
        'InvalidSetting',
      );
    throw invalid(setting, 'is not a public key (SPKI PEM, or the base64 of SPKI DER)');
  }
  return checkRsa(key, setting);
}
