import {
  experimentNameProblem,
  RUN_STATUSES,
  SluiceApiError,
  type Run,
  type RunStatus,
  type RunSummary,
  type SluiceClient,
} from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import type { FollowView } from '../format/follow';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, parseWholeNumber, resolveUrl } from '../format/options';
import { reportFailure } from '../format/report';
import { renderRun, renderRunList } from '../format/runDetails';
import { colorEnabled, createStyle } from '../format/style';

/** Ctrl-C while following: stop watching, leave the run alone. */
export class FollowInterrupted extends Error {
  override name = 'FollowInterrupted';
}

export function stoppedFollowing(runId: string): string {
  return (
    `Stopped following; run ${runId} goes on (this did not cancel it).\n` +
    `  Check it with:  sluice runs show ${runId}\n  Cancel it with: sluice runs cancel ${runId}`
  );
}

/** Watches a run until it ends, feeding `view`; Ctrl-C rejects with FollowInterrupted. */
export async function followRun(io: CliIo, client: SluiceClient, runId: string, view?: FollowView): Promise<Run> {
  const controller = new AbortController();
  let interrupted = false;
  const off = io.onInterrupt(() => {
    interrupted = true;
    controller.abort();
  });
  const stopTicks = view && io.stdout.isTTY ? io.every(1000, () => view.tick()) : () => {};
  try {
    let last: Run | undefined;
    for await (const run of client.watchRun(runId, {
      signal: controller.signal,
      minIntervalMs: 500,
      maxIntervalMs: 2000,
    })) {
      last = run;
      view?.update(run);
    }
    return last!;
  } catch (err) {
    if (interrupted) throw new FollowInterrupted('interrupted');
    throw err;
  } finally {
    off();
    stopTicks();
  }
}

interface Common {
  url: string;
  scope?: string;
  json: boolean;
}

function common(
  command: string,
  values: { url?: string; scope?: string; json: boolean },
  env: NodeJS.ProcessEnv,
): Common {
  return { url: resolveUrl(command, values.url, env), scope: values.scope, json: values.json };
}

const styleFor = (io: CliIo) => createStyle(colorEnabled(io.stdout, io.env));
const writeJson = (io: CliIo, value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

// ---------------------------------------------------------------------------------------------------------------
// runs list

const LIST_HELP = `Usage: sluice runs list [--experiment E] [--status S] [--top N] [--all]

Lists runs, newest first.
  --experiment E  only runs of this experiment
  --status S      only runs with this status: ${RUN_STATUSES.join(', ')}
  --top N         how many (1–100, default 25); with --all, the page size
  --all           every matching run (follows continuation tokens)
${COMMON_HELP}`;

export function parseStatus(text: string): RunStatus {
  const found = RUN_STATUSES.find((s) => s.toLowerCase() === text.toLowerCase());
  if (!found) throw new CliUsageError(`runs list: --status must be one of ${RUN_STATUSES.join(', ')}, not "${text}"`);
  return found;
}

export const runsList = (argv: string[]) => runsListCommand(argv, processIo());

export async function runsListCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(
    'runs list',
    argv,
    {
      experiment: { type: 'string' },
      status: { type: 'string' },
      top: { type: 'string' },
      all: { type: 'boolean', default: false },
    },
    [],
  );
  if (values.help) return help(io, LIST_HELP);
  const c = common('runs list', values, io.env);
  if (values.experiment !== undefined && experimentNameProblem(values.experiment) !== undefined) {
    throw new CliUsageError(
      `runs list: --experiment "${values.experiment}" must be 1–256 letters, digits, "_" or "-", starting with a letter or digit`,
    );
  }
  const query = {
    experiment: values.experiment,
    status: values.status === undefined ? undefined : parseStatus(values.status),
    top:
      values.top === undefined
        ? values.all
          ? 100
          : undefined
        : parseWholeNumber('runs list', '--top', values.top, 1, 100),
  };
  const client = io.client(c.url, { scope: c.scope });
  let runs: RunSummary[];
  let more: string | undefined;
  try {
    if (values.all) {
      runs = [];
      for await (const run of client.listAllRuns(query)) runs.push(run);
    } else {
      const page = await client.listRuns(query);
      runs = page.value;
      more = page.continuationToken;
    }
  } catch (err) {
    return reportFailure(io, 'runs list', err, c.url);
  }
  if (c.json) {
    writeJson(io, more ? { value: runs, continuationToken: more } : { value: runs });
    return EXIT.ok;
  }
  if (runs.length === 0) {
    io.stdout.write('No runs found.\n');
    return EXIT.ok;
  }
  for (const line of renderRunList(runs, io.now(), styleFor(io))) io.stdout.write(`${line}\n`);
  if (more) io.stderr.write(`More runs match; add --all to list them all (or raise --top).\n`);
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------------------------
// runs show

const SHOW_HELP = `Usage: sluice runs show RUN_ID

Shows a run: status, parameters, each step (reused steps with where their result came from and why), outputs and
metrics.
${COMMON_HELP}`;

export const runsShow = (argv: string[]) => runsShowCommand(argv, processIo());

export async function runsShowCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('runs show', argv, {}, [{ name: 'RUN_ID' }]);
  if (values.help) return help(io, SHOW_HELP);
  const c = common('runs show', values, io.env);
  let run: Run;
  try {
    run = await io.client(c.url, { scope: c.scope }).getRun(positionals[0]);
  } catch (err) {
    return reportFailure(io, 'runs show', err, c.url);
  }
  if (c.json) writeJson(io, run);
  else for (const line of renderRun(run, io.now(), styleFor(io))) io.stdout.write(`${line}\n`);
  return EXIT.ok;
}

// ---------------------------------------------------------------------------------------------------------------
// runs logs

const LOGS_HELP = `Usage: sluice runs logs RUN_ID STEP [--attempt N] [--follow]

Prints a step's log (stdout and stderr of its latest attempt). A reused step did not run: its log is the one of the
run it reused, and a note on stderr says which.
  --attempt N  the log of attempt N (1 is the first; a retried step has one log per attempt)
  --follow     keep printing as the step writes, until it ends (Ctrl-C stops following; the run goes on)
${COMMON_HELP}
With --json: {runId, step, attempt, status, nextOffset, text, reusedFrom?} (status: the attempt's); with --json
--follow: one {"text": …} line per chunk.`;

export const runsLogs = (argv: string[]) => runsLogsCommand(argv, processIo());

export async function runsLogsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(
    'runs logs',
    argv,
    { follow: { type: 'boolean', default: false }, attempt: { type: 'string' } },
    [{ name: 'RUN_ID' }, { name: 'STEP' }],
  );
  if (values.help) return help(io, LOGS_HELP);
  const c = common('runs logs', values, io.env);
  const [runId, step] = positionals;
  const attempt =
    values.attempt === undefined ? undefined : parseWholeNumber('runs logs', '--attempt', values.attempt, 1, 1000);
  const client = io.client(c.url, { scope: c.scope });
  if (!values.follow) {
    try {
      const log = await client.getStepLogs(runId, step, { attempt });
      if (c.json) writeJson(io, { runId, step, ...log });
      else {
        if (log.reusedFrom) io.stderr.write(`${reusedLogNote(step, log.reusedFrom)}\n`);
        io.stdout.write(log.text);
        if (!log.text && (log.status === 'NotStarted' || log.status === 'Queued')) {
          io.stderr.write(`Step ${step} has not started yet (${log.status}); add --follow to wait for its log.\n`);
        }
      }
      return EXIT.ok;
    } catch (err) {
      return reportFailure(io, 'runs logs', err, c.url);
    }
  }
  const controller = new AbortController();
  const off = io.onInterrupt(() => controller.abort());
  try {
    if (!c.json) {
      // One read first, for the note of a reused step (its log is complete: following it ends at once).
      const first = await client.getStepLogs(runId, step, { attempt, signal: controller.signal });
      if (first.reusedFrom) io.stderr.write(`${reusedLogNote(step, first.reusedFrom)}\n`);
    }
    for await (const text of client.followLogs(runId, step, { attempt, signal: controller.signal })) {
      io.stdout.write(c.json ? `${JSON.stringify({ text })}\n` : text);
    }
    return EXIT.ok;
  } catch (err) {
    if (controller.signal.aborted && err instanceof SluiceApiError) {
      io.stderr.write(`\nStopped following the log of ${step}; run ${runId} goes on (this did not cancel it).\n`);
      return 130;
    }
    return reportFailure(io, 'runs logs', err, c.url);
  } finally {
    off();
  }
}

export function reusedLogNote(step: string, from: { runId: string; step: string }): string {
  return `Step ${step} was reused from run ${from.runId} (step ${from.step}) without running; this is that run's log.`;
}

// ---------------------------------------------------------------------------------------------------------------
// runs cancel

const CANCEL_HELP = `Usage: sluice runs cancel RUN_ID

Asks for the run to be canceled: steps not started yet never start, running steps have their processes stopped.
${COMMON_HELP}`;

export const runsCancel = (argv: string[]) => runsCancelCommand(argv, processIo());

export async function runsCancelCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('runs cancel', argv, {}, [{ name: 'RUN_ID' }]);
  if (values.help) return help(io, CANCEL_HELP);
  const c = common('runs cancel', values, io.env);
  try {
    const result = await io.client(c.url, { scope: c.scope }).cancelRun(positionals[0]);
    if (c.json) writeJson(io, result);
    else
      io.stdout.write(
        `Cancel requested for run ${result.id} (${result.status}); its running steps are being stopped.\n`,
      );
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, 'runs cancel', err, c.url);
  }
}

function help(io: CliIo, text: string): number {
  io.stdout.write(`${text}\n`);
  return EXIT.ok;
}
