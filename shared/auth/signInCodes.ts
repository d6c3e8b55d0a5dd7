import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LOCAL_KEY_FOLDER } from './localKeyStore';

/** How long a sign-in code printed by `npm start` / `sluice studio` stays valid. */
export const SIGN_IN_CODE_LIFETIME_MS = 10 * 60 * 1000;
/** The Studio session a redeemed code gives (a development token's lifetime). */
export const STUDIO_SESSION_SECONDS = 8 * 60 * 60;

const FOLDER = 'signin';
const CODE = /^[A-Za-z0-9_-]{32}$/;

function folder(dir: string): string {
  return resolve(dir, LOCAL_KEY_FOLDER, FOLDER);
}

/** Only a hash of the code is stored, so reading the folder does not give anyone a code. */
function fileFor(dir: string, code: string): string {
  return join(folder(dir), createHash('sha256').update(code).digest('hex'));
}

/**
 * A one-time sign-in code for Studio in local mode (as Jupyter prints a URL with a token): a random code whose hash
 * is written under `<dir>/.sluice/auth/signin/` with its expiry. Expired codes are swept on the way.
 */
export async function createSignInCode(
  dir: string,
  now: Date = new Date(),
  lifetimeMs: number = SIGN_IN_CODE_LIFETIME_MS,
): Promise<string> {
  await mkdir(folder(dir), { recursive: true, mode: 0o700 });
  await sweepExpired(dir, now);
  const code = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + lifetimeMs).toISOString();
  await writeFile(fileFor(dir, code), JSON.stringify({ expiresAt }), { mode: 0o600, flag: 'wx' });
  return code;
}

/**
 * Uses up a sign-in code: true when it existed and had not expired. One-time even when two requests race: the
 * code's file is renamed away first (only one rename can succeed), then read and deleted.
 */
export async function redeemSignInCode(dir: string, code: string, now: Date = new Date()): Promise<boolean> {
  if (!CODE.test(code)) return false;
  const file = fileFor(dir, code);
  const claimed = `${file}.${randomBytes(6).toString('hex')}.redeemed`;
  try {
    await rename(file, claimed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const { expiresAt } = JSON.parse(await readFile(claimed, 'utf8')) as { expiresAt?: string };
    return typeof expiresAt === 'string' && Date.parse(expiresAt) > now.getTime();
  } catch {
    return false;
  } finally {
    await unlink(claimed).catch(() => undefined);
  }
}

async function sweepExpired(dir: string, now: Date): Promise<void> {
  let names: string[];
  try {
    names = await readdir(folder(dir));
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(folder(dir), name);
    try {
      if (name.endsWith('.redeemed')) continue;
      const { expiresAt } = JSON.parse(await readFile(file, 'utf8')) as { expiresAt?: string };
      if (!(typeof expiresAt === 'string' && Date.parse(expiresAt) > now.getTime())) await unlink(file);
    } catch {
      await unlink(file).catch(() => undefined);
    }
  }
}
