#!/usr/bin/env node
// azd pre-provision hook (azure.yaml): the deployment's step-token key, made once per azd environment.
//
//   node infra/hooks/step-token-key.mjs           ensure: create the key pair if the environment has none; else keep it
//   node infra/hooks/step-token-key.mjs rotate    a new pair; the old public half becomes SLUICE_STEP_TOKEN_KEY_PREVIOUS
//
// The pair is RSA 2048 (RS256). The private half (SLUICE_STEP_TOKEN_KEY, base64 PKCS#8 DER) goes to the worker jobs as a
// Container Apps secret, the public half (SLUICE_STEP_TOKEN_PUBLIC_KEY, base64 SPKI DER) to the Function App
// (infra/bicep/main.parameters.json). Both are kept in the azd environment (`azd env set`), so every later
// `azd provision` deploys the same key: nothing rotates unless `rotate` is run. docs/auth.md, "Tokens of steps".
//
// azd runs hooks with the environment's values as environment variables; run by hand, the script asks
// `azd env get-value`. Keys are never printed; `azd` is run without a shell. Exit codes: 0 done, 1 failed (one line on stderr says why and what to do).
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';

const PRIVATE = 'SLUICE_STEP_TOKEN_KEY';
const PUBLIC = 'SLUICE_STEP_TOKEN_PUBLIC_KEY';
const PREVIOUS = 'SLUICE_STEP_TOKEN_KEY_PREVIOUS';

const say = (line) => console.log(`step token key: ${line}`);
const fail = (line) => {
  console.error(`step token key: FAILED: ${line}`);
  process.exit(1);
};

/** `azd env set NAME VALUE`, without a shell (the value is never interpreted, nor printed). */
function azdSet(name, value) {
  try {
    execFileSync('azd', ['env', 'set', name, value], { stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (err) {
    fail(`azd env set ${name} did not succeed (${err.code ?? `exit ${err.status}`}); run this through azd (azd provision, azd up) or with azd on PATH`);
  }
}

function newPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    private: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    public: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

/** The public half of the private key in the environment (base64 DER or PEM), or a failure naming the variable. */
function publicOf(text) {
  try {
    const key = text.trim().startsWith('-----BEGIN')
      ? createPrivateKey(text.replace(/\\n/g, '\n'))
      : createPrivateKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return createPublicKey(key).export({ format: 'der', type: 'spki' }).toString('base64');
  } catch {
    return fail(`${PRIVATE} in the azd environment is not an RSA private key; fix it, or remove it (azd env set ${PRIVATE} "") and run this again to make a new one`);
  }
}

/** The public key as base64 SPKI DER, whatever form it was given in (so equal keys compare equal). */
function canonicalPublic(text) {
  try {
    const key = text.trim().startsWith('-----BEGIN')
      ? createPublicKey(text.replace(/\\n/g, '\n'))
      : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    return key.export({ format: 'der', type: 'spki' }).toString('base64');
  } catch {
    return undefined;
  }
}

/**
 * A value of the azd environment: from the hook's environment (azd passes it), else `azd env get-value` (when run by
 * hand, e.g. `rotate`). Unset: empty.
 */
function value(name) {
  if (process.env[name] !== undefined) return process.env[name].trim();
  try {
    return execFileSync('azd', ['env', 'get-value', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}
const mode = process.argv[2] ?? 'ensure';

if (mode === 'ensure') {
  const current = value(PRIVATE);
  if (current) {
    const derived = publicOf(current);
    if (canonicalPublic(value(PUBLIC)) !== derived) {
      azdSet(PUBLIC, derived);
      say(`kept; ${PUBLIC} set to its public half`);
    } else say('kept (the azd environment has one)');
  } else if (value(PUBLIC)) {
    fail(`${PUBLIC} is set but ${PRIVATE} is not: the private half is missing from the azd environment. Restore it (azd env set ${PRIVATE} <value>), or make a new pair with: node infra/hooks/step-token-key.mjs rotate`);
  } else {
    const pair = newPair();
    azdSet(PRIVATE, pair.private);
    azdSet(PUBLIC, pair.public);
    say(`created (${PRIVATE} and ${PUBLIC} in the azd environment)`);
  }
} else if (mode === 'rotate') {
  const current = value(PRIVATE);
  const pair = newPair();
  if (current) {
    azdSet(PREVIOUS, publicOf(current));
  }
  azdSet(PRIVATE, pair.private);
  azdSet(PUBLIC, pair.public);
  say(
    `rotated${current ? `; the old public half is ${PREVIOUS}` : ''}. Run azd provision now; once the longest step started ` +
      `before it has ended, run azd env set ${PREVIOUS} "" and azd provision again`,
  );
} else {
  fail(`unknown command "${mode}"; use no argument (create the key if missing) or "rotate"`);
}
