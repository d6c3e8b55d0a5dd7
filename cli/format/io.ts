import { SluiceClient, defaultTokenProvider, type TokenProvider } from '../../sdk';
import { resolveUrl } from './options';
import { colorEnabled, createStyle, type Style } from './style';

/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  now(): number;
  /** Makes the API client for a base URL (tests inject a token and point it at a fake server). */
  client(url: string, options: { scope?: string }): SluiceClient;
  /** Calls `handler` on Ctrl-C until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Ticks for redrawing live output; returns a stop function. */
  every(ms: number, tick: () => void): () => void;
}

/** The real process. */
export function processIo(token?: TokenProvider): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => Date.now(),
    client: (url, { scope }) =>
      new SluiceClient({
        url,
        userAgent: 'sluice-cli',
        token: token ?? defaultTokenProvider({ scope }),
      }),
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    every(ms, tick) {
      const timer = setInterval(tick, ms);
      return () => clearInterval(timer);
    },
  };
}

/** What a client command needs once its options are parsed: where it talks to, the API client, and its output. */
export interface Session {
  url: string;
  client: SluiceClient;
  style: Style;
  /** One line to stdout. */
  write(line?: string): void;
}

export function openSession(command: string, values: { url?: string; scope?: string }, io: CliIo): Session {
  const url = resolveUrl(command, values.url, io.env);
  return {
    url,
    client: io.client(url, { scope: values.scope }),
    style: createStyle(colorEnabled(io.stdout, io.env)),
    write: (line = '') => void io.stdout.write(`${line}\n`),
  };
}
