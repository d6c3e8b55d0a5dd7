import { parseArgs } from 'node:util';
import { CliUsageError, EXIT } from '../errors';
import { SluiceError, type Role } from '../../sdk';

const HELP = `Usage: sluice token [--role read|run|admin] [--dir DIR] [--lifetime 1h] [--subject NAME]

Prints a development token signed with the local key in DIR/.sluice/auth/ (DIR: the app folder, default the current
folder). The key is created on first use, by this command or by the local host, whichever runs first.
  --role      read, run or admin (default admin)
  --lifetime  how long the token is valid: 30m, 1h, 7d … (default 1h, at most 30d)
  --subject   the caller's name recorded on runs (default local-developer)`;

const USAGE = 'usage: sluice token [--role read|run|admin] [--dir DIR] [--lifetime 1h] [--subject NAME]';

const ROLES: Record<string, Role> = { read: 'Sluice.Read', run: 'Sluice.Run', admin: 'Sluice.Admin' };

/** `sluice token`: a bearer token for a local host (local auth mode), printed alone on stdout for `$(…)`. */
export async function token(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        role: { type: 'string', default: 'admin' },
        dir: { type: 'string' },
        lifetime: { type: 'string', default: '1h' },
        subject: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CliUsageError(`token: ${(err as Error).message.split('\n')[0]} (${USAGE})`);
  }
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const role = ROLES[values.role.toLowerCase()];
  if (!role) throw new CliUsageError(`token: --role must be read, run or admin, not "${values.role}"`);
  const { parseLifetime } = await import('../../shared/auth/lifetime.js');
  let lifetime: number;
  try {
    lifetime = parseLifetime(values.lifetime, '--lifetime');
  } catch (err) {
    throw new CliUsageError(`token: ${(err as Error).message}`);
  }
  if (values.subject !== undefined && !values.subject.trim())
    throw new CliUsageError('token: --subject must not be empty');

  const { LocalKeyStore } = await import('../../shared/auth/localKeyStore.js');
  const dir = values.dir ?? LocalKeyStore.findDir();
  try {
    let store = await LocalKeyStore.load(dir);
    if (!store) {
      store = await LocalKeyStore.loadOrCreate(dir);
      console.error(
        `sluice token: created the development signing key ${store.path}; ` +
          `a local host started from that folder trusts it`,
      );
    }
    console.log(await store.sign({ role, lifetime, subject: values.subject?.trim() }));
    return EXIT.ok;
  } catch (err) {
    const message = err instanceof SluiceError ? err.message : `${(err as Error).message}`;
    console.error(`sluice token: ${message}`);
    return EXIT.failed;
  }
}
