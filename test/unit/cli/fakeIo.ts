import { SluiceClient } from '../../../sdk';
import type { CliIo } from '../../../cli/format/io';

export interface FakeIo {
  io: CliIo;
  stdout(): string;
  stderr(): string;
  /** Simulates Ctrl-C. */
  interrupt(): void;
  /** URLs the commands made clients for. */
  urls: string[];
}

/** A CliIo that records output, uses a fixed token and clock, and lets a test press Ctrl-C. */
export function fakeIo(
  options: { tty?: boolean; env?: NodeJS.ProcessEnv; now?: number; columns?: number } = {},
): FakeIo {
  let out = '';
  let err = '';
  const handlers = new Set<() => void>();
  const urls: string[] = [];
  const io: CliIo = {
    stdout: {
      write: (t: string) => (out += t),
      isTTY: options.tty ?? false,
      columns: options.columns ?? 120,
    },
    stderr: { write: (t: string) => (err += t) },
    env: options.env ?? {},
    now: () => options.now ?? Date.parse('2024-05-01T10:01:00.000Z'),
    client: (url) => {
      urls.push(url);
      return new SluiceClient({ url, token: 'test-token', userAgent: 'sluice-cli' });
    },
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    every: () => () => {},
  };
  return {
    io,
    stdout: () => out,
    stderr: () => err,
    interrupt: () => handlers.forEach((h) => h()),
    urls,
  };
}
