import { parseArgs } from 'node:util';
import { CliUsageError, EXIT } from '../errors';

const USAGE = 'usage: sluice studio [--url URL] [--dir DIR]';
const HELP = `Usage: sluice studio [--url URL] [--dir DIR]

Prints a one-time sign-in URL for Sluice Studio on a local host (local auth mode), as npm start does: open it in a
browser within 10 minutes; it works once. DIR is the app folder whose .sluice/auth/ holds the development key
(default: found from the current folder, as sluice token does). URL defaults to SLUICE_URL, else
http://localhost:7071. In Azure, open <app URL>/studio/ and sign in with Entra ID instead.`;

/** `sluice studio`: a fresh one-time Studio sign-in URL for the local host. */
export async function studio(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CliUsageError(`studio: ${(err as Error).message.split('\n')[0]} (${USAGE})`);
  }
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  const { DEFAULT_URL } = await import('../../sdk/index.js');
  const base = (values.url ?? process.env.SLUICE_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base)) throw new CliUsageError(`studio: --url must start with http:// or https://`);
  const { LocalKeyStore, createSignInCode } = await import('../../shared/auth/index.js');
  const code = await createSignInCode(values.dir ?? LocalKeyStore.findDir());
  console.log(studioSignInUrl(base, code));
  return EXIT.ok;
}

/** The URL that signs a browser in to Studio with a one-time code. */
export function studioSignInUrl(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/studio/?signin=${encodeURIComponent(code)}`;
}
