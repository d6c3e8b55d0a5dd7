import { randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  SignJWT,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { UserInputError } from '../errors';
import { parseLifetime } from './lifetime';
import type { Role } from './types';

/** The issuer of development tokens. Trusted only when SLUICE_AUTH_MODE is `local`. */
export const LOCAL_ISSUER = 'sluice-local';
/** The audience of development tokens. */
export const LOCAL_AUDIENCE = 'api://sluice-local';
/** Where the development key lives, relative to the app folder (git-ignored with the rest of `.sluice/`). */
export const LOCAL_KEY_FOLDER = join('.sluice', 'auth');
export const LOCAL_KEY_FILE = 'signing-key.jwk.json';

const ALG = 'RS256';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** What the Authorizer needs from the local key: its public half. Small so tests can pass a fake. */
export interface LocalKeySource {
  publicJwks(): JSONWebKeySet;
}

export interface LocalTokenRequest {
  role: Role;
  /** `sub` and `name` of the token; default `local-developer`. */
  subject?: string;
  /** Seconds, or a duration such as `1h` (see parseLifetime); default one hour. */
  lifetime?: number | string;
  /** Default LOCAL_AUDIENCE. */
  audience?: string;
  /** When the token starts being valid; default now. Lets tests make expired or future tokens. */
  issuedAt?: Date;
}

/**
 * The development signing key of local mode: an RS256 key pair stored as a private JWK under
 * `<dir>/.sluice/auth/` (file mode 0600), created on first use. The local host trusts its public half and
 * `sluice token` signs with it, so both must point at the same folder (the app folder by default).
 *
 * @example
 *   const store = await LocalKeyStore.loadOrCreate(process.cwd());
 *   const token = await store.sign({ role: 'Sluice.Run', lifetime: '1h' });
 */
export class LocalKeyStore implements LocalKeySource {
  private constructor(
    /** The key file's absolute path. */
    readonly path: string,
    private readonly privateKey: SigningKey,
    private readonly publicJwk: JWK,
  ) {}

  /**
   * The folder whose `.sluice/auth` holds the key for work started in `start`: the nearest one at or above `start`
   * that has a key (as git finds `.git`), so the CLI works from any subfolder of the app; else `start` itself.
   */
  static findDir(start: string = process.cwd()): string {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(LocalKeyStore.keyPath(dir))) return dir;
      if (dirname(dir) === dir) return resolve(start);
    }
  }

  static keyPath(dir: string = process.cwd()): string {
    return resolve(dir, LOCAL_KEY_FOLDER, LOCAL_KEY_FILE);
  }

  /** The key under `dir`, or undefined when none was created yet. */
  static async load(dir: string = process.cwd()): Promise<LocalKeyStore | undefined> {
    const path = LocalKeyStore.keyPath(dir);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return LocalKeyStore.fromFile(path, text);
  }

  /**
   * The key under `dir`, created when missing. Safe when the host and `sluice token` race: the key file appears
   * atomically (hard link of a complete temp file), and the loser of the race reads the winner's key.
   */
  static async loadOrCreate(dir: string = process.cwd()): Promise<LocalKeyStore> {
    const existing = await LocalKeyStore.load(dir);
    if (existing) return existing;
    const path = LocalKeyStore.keyPath(dir);
    await mkdir(resolve(dir, LOCAL_KEY_FOLDER), { recursive: true, mode: 0o700 });
    const { privateKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
    const jwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint({ kty: jwk.kty, n: jwk.n, e: jwk.e });
    const text = JSON.stringify({ ...jwk, kid, alg: ALG, use: 'sig' }, null, 2) + '\n';
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, text, { mode: 0o600, flag: 'wx' }); // the umask can only clear bits, never add any
    try {
      await link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    const created = await LocalKeyStore.load(dir);
    if (!created) throw new Error(`The development key ${path} disappeared right after it was created`);
    return created;
  }

  private static async fromFile(path: string, text: string): Promise<LocalKeyStore> {
    const damaged = (why: string) =>
      new UserInputError(
        `The development signing key ${path} is damaged (${why}); delete it and start again: a new key is created ` +
          'on first use, and tokens signed with the old key stop working',
        [],
        'InvalidLocalKey',
      );
    let jwk: JWK;
    try {
      jwk = JSON.parse(text) as JWK;
    } catch {
      throw damaged('not JSON');
    }
    if (jwk.kty !== 'RSA' || !jwk.d || !jwk.n || !jwk.e || !jwk.kid) throw damaged('not a private RSA JWK with a kid');
    let privateKey: SigningKey;
    try {
      privateKey = await importJWK({ ...jwk, alg: ALG }, ALG);
    } catch (err) {
      throw damaged((err as Error).message);
    }
    const publicJwk: JWK = { kty: 'RSA', n: jwk.n, e: jwk.e, kid: jwk.kid, alg: ALG, use: 'sig' };
    return new LocalKeyStore(path, privateKey, publicJwk);
  }

  get kid(): string {
    return this.publicJwk.kid as string;
  }

  /** The public key set the host trusts (and may serve): never contains the private part. */
  publicJwks(): JSONWebKeySet {
    return { keys: [{ ...this.publicJwk }] };
  }

  /** A development token for `role`, issued by LOCAL_ISSUER. */
  async sign(request: LocalTokenRequest): Promise<string> {
    const lifetime =
      typeof request.lifetime === 'string' ? parseLifetime(request.lifetime) : (request.lifetime ?? 3600);
    const subject = request.subject ?? 'local-developer';
    const iat = Math.floor((request.issuedAt ?? new Date()).getTime() / 1000);
    return new SignJWT({ name: subject, roles: [request.role] })
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(request.audience ?? LOCAL_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + lifetime)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }
}
