import type { HostLog, HostLogLevel } from './extension';
import type { InvocationLog } from './core/invoke';
import type { LogLevel } from './core/types';

/**
 * The host's console log: one line per message with a UTC timestamp; warnings and errors go to stderr. Debug lines
 * are shown only when `verbose` (as the Functions host hides Trace/Debug at its default Information level).
 */
export function createConsoleLog(verbose = process.env.SLUICE_HOST_VERBOSE === '1'): HostLog {
  return (level, message) => {
    if (level === 'debug' && !verbose) return;
    const prefix = level === 'warn' ? 'WARNING: ' : level === 'error' ? 'ERROR: ' : '';
    const line = `[${new Date().toISOString()}] ${prefix}${message}`;
    if (level === 'warn' || level === 'error') console.error(line);
    else console.log(line);
  };
}

/** A log that drops everything (benchmarks, quiet embedding). */
export const silentLog: HostLog = () => undefined;

export function hostLevel(level: LogLevel): HostLogLevel | undefined {
  switch (level) {
    case 'critical':
    case 'error':
      return 'error';
    case 'warning':
      return 'warn';
    case 'information':
      return 'info';
    case 'none':
      return undefined;
    default:
      return 'debug';
  }
}

const LEVEL_NAMES: Record<LogLevel, string> = {
  trace: 'Trace',
  debug: 'Debug',
  information: 'Information',
  warning: 'Warning',
  error: 'Error',
  critical: 'Critical',
  none: 'None',
};

/** Routes `context.log`/`warn`/`error` (and the library's system logs) to the host log, naming function and level. */
export function invocationLogTo(log: HostLog): InvocationLog {
  return (functionName, level, category, message) => {
    const target = hostLevel(level);
    if (!target) return;
    const source = category === 'system' ? ' (host)' : '';
    log(target, `Functions.${functionName} [${LEVEL_NAMES[level]}]${source}: ${message}`);
  };
}
