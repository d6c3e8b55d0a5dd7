import { isLocalUrl, PayloadTooLargeError, SluiceApiError, UserInputError, type FieldIssue } from '../../sdk';
import { EXIT } from '../errors';
import type { CliIo } from './io';

/**
 * Turns a failure into stderr lines and an exit code: 2 for bad input (the server's 400, a bad local file), 1 for
 * everything else the user can act on (a missing run, a conflict, an unreachable server, a server fault). Anything
 * that is not one of ours is a bug and is rethrown so its stack trace is printed.
 */
export function reportFailure(io: CliIo, command: string, error: unknown, url?: string): number {
  const write = (line: string) => io.stderr.write(`${line}\n`);
  if (error instanceof SluiceApiError) {
    write(`sluice: ${command}: ${error.message}`);
    const issues = error.issues;
    if (issues.length > 1) for (const i of issues) write(`  ${describeIssue(i)}`);
    for (const hint of hints(error, url)) write(hint);
    return error.status === 400 ? EXIT.usage : EXIT.failed;
  }
  if (error instanceof UserInputError || error instanceof PayloadTooLargeError) {
    write(`sluice: ${command}: ${error.message}`);
    return EXIT.usage;
  }
  throw error;
}

function hints(error: SluiceApiError, url: string | undefined): string[] {
  const out: string[] = [];
  if (error.status === 401 && url && safeIsLocal(url)) {
    out.push(
      'The local host trusts tokens signed with the development key in <app folder>/.sluice/auth/; run sluice from ' +
        'the folder the host was started in (where you ran `npm start`).',
    );
  }
  if (error.status >= 500 && error.requestId) out.push(`(request id ${error.requestId}; the server logged the cause)`);
  return out;
}

function safeIsLocal(url: string): boolean {
  try {
    return isLocalUrl(url);
  } catch {
    return false;
  }
}

/** `steps[1].script (line 12, column 7): …`; spec problems are printed as `file:line:column: path: message`. */
export function describeIssue(issue: FieldIssue): string {
  const where = issue.line !== undefined ? ` (line ${issue.line}, column ${issue.column})` : '';
  return issue.path ? `${issue.path}${where}: ${issue.message}` : issue.message;
}

/** The problems of a local spec file, one line each, in the compiler format editors turn into links. */
export function specProblemLines(file: string, error: UserInputError): string[] {
  if (error.issues.length === 0) return [`${file}: ${error.message}`];
  return error.issues.map((i) => {
    const at = i.line !== undefined ? `${file}:${i.line}:${i.column ?? 1}` : file;
    return i.path ? `${at}: ${i.path}: ${i.message}` : `${at}: ${i.message}`;
  });
}
