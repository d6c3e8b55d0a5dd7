import { SluiceClient, defaultTokenProvider, type TokenProvider } from '../../sdk';

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
