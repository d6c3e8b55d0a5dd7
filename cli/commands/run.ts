import {
  checkRunParameters,
  experimentNameProblem,
  NAME_PATTERN,
  UserInputError,
  type FieldIssue,
  loadPipelineFile,
  uploadSnapshots,
  type Run,
  type RunPlanResult,
  type SluiceClient,
  type SnapshotProgress,
} from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { createFollowView } from '../format/follow';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, resolveUrl } from '../format/options';
import { reportFailure, specProblemLines } from '../format/report';
import { colorEnabled, createStyle } from '../format/style';
import { followRun, FollowInterrupted, stoppedFollowing } from './runs';

const HELP = `Usage: sluice run FILE [options]

Validates the pipeline spec FILE, uploads the source_directory of its steps (honouring .amlignore, else .gitignore;
identical content is uploaded once), submits a run and prints its id and status URL.

  --experiment E               experiment to run in (default: the spec's name)
  --param NAME=VALUE           a parameter value (repeatable); the server converts it to the parameter's type
  --data NAME=DATASTORE:PATH   where a datastore input reads from (repeatable)
  --regenerate-outputs         run every step; reuse no earlier result
  --continue-on-step-failure   keep running the steps that do not depend on a failed step
  --description D              a description of the run
  --follow                     show the steps live until the run ends, then its metrics
  --plan                       show which steps would be reused or run, and why; start nothing
${COMMON_HELP}

Exit codes: 0 submitted (with --follow: the run Completed), 1 the run failed or was canceled or a request failed,
2 bad input (spec, option). Ctrl-C while following stops following; the run goes on (exit 130).`;

export interface RunArguments {
  file: string;
  url: string;
  scope?: string;
  json: boolean;
  follow: boolean;
  plan: boolean;
  experiment?: string;
  parameters: Record<string, string>;
  dataPaths: Record<string, string>;
  regenerateOutputs: boolean;
  continueOnStepFailure: boolean;
  description?: string;
}

/** Parses and checks the arguments of `sluice run` (everything that can be checked without reading FILE). */
export function parseRunArguments(argv: string[], env: NodeJS.ProcessEnv): RunArguments | 'help' {
  const { values, positionals } = parseCommand(
    'run',
    argv,
    {
      experiment: { type: 'string' },
      param: { type: 'string', multiple: true },
      data: { type: 'string', multiple: true },
      'regenerate-outputs': { type: 'boolean', default: false },
      'continue-on-step-failure': { type: 'boolean', default: false },
      description: { type: 'string' },
      follow: { type: 'boolean', default: false },
      plan: { type: 'boolean', default: false },
    },
    [{ name: 'FILE' }],
  );
  if (values.help) return 'help';
  if (values.plan && values.follow)
    throw new CliUsageError('run: --plan starts nothing, so --follow cannot go with it');
  if (values.experiment !== undefined) {
    const problem = experimentNameProblem(values.experiment);
    if (problem) throw new CliUsageError(`run: --experiment "${values.experiment}" ${problem}`);
  }
  return {
    file: positionals[0],
    url: resolveUrl('run', values.url, env),
    scope: values.scope,
    json: values.json,
    follow: values.follow,
    plan: values.plan,
    experiment: values.experiment,
    parameters: assignments('--param', values.param ?? [], 'NAME=VALUE', (v) => v),
    dataPaths: assignments('--data', values.data ?? [], 'NAME=DATASTORE:PATH', (v, raw) => {
      if (!v.includes(':')) {
        throw new CliUsageError(
          `run: --data "${raw}": the location must be DATASTORE:PATH, e.g. workspaceblobstore:diabetes/`,
        );
      }
      return v;
    }),
    regenerateOutputs: values['regenerate-outputs'],
    continueOnStepFailure: values['continue-on-step-failure'],
    description: values.description,
  };
}

/** `name=value` pairs of a repeatable option; each name once. */
function assignments(
  option: string,
  items: string[],
  form: string,
  check: (value: string, raw: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of items) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`run: ${option} "${raw}" must be written as ${form}`);
    const name = raw.slice(0, eq).trim();
    if (!NAME_PATTERN.test(name)) {
      throw new CliUsageError(
        `run: ${option} "${raw}": "${name}" is not a valid name (a letter, then letters, digits, "_" or "-")`,
      );
    }
    if (Object.hasOwn(out, name)) throw new CliUsageError(`run: ${option} ${name} is given twice; give it once`);
    out[name] = check(raw.slice(eq + 1), raw);
  }
  return out;
}

/** `sluice run FILE …` */
export async function run(argv: string[]): Promise<number> {
  return runCommand(argv, processIo());
}

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseRunArguments(argv, io.env);
  if (args === 'help') {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const say = (line = '') => {
    if (!args.json) io.stdout.write(`${line}\n`);
  };

  // 1. Everything that can be checked locally, before anything is uploaded.
  let loaded;
  try {
    loaded = loadPipelineFile(args.file);
    // The parameter checks the server will make, made locally first so a typo fails before any upload.
    checkRunParameters(loaded.spec, { parameters: args.parameters, dataPaths: args.dataPaths });
  } catch (err) {
    if (err instanceof UserInputError && err.issues.length && err.issues[0].path !== 'FILE') {
      const lines = err.code === 'InvalidPipelineSpec' ? specProblemLines(args.file, err) : parameterLines(err);
      for (const line of lines) io.stderr.write(`${line}\n`);
      return EXIT.usage;
    }
    if (err instanceof UserInputError) throw new CliUsageError(`run: ${err.issues[0]?.message ?? err.message}`);
    throw err;
  }
  const experiment = args.experiment ?? loaded.spec.name;
  const client = io.client(args.url, { scope: args.scope });

  // 2. Snapshots, then the submit.
  let submitted;
  try {
    const snapshots = await uploadSnapshots(client, loaded.spec, loaded.baseDir, {
      onSnapshot: (p) => say(describeSnapshot(p)),
    });
    const request = {
      pipeline: loaded.text,
      parameters: args.parameters,
      dataPaths: args.dataPaths,
      snapshots,
      regenerateOutputs: args.regenerateOutputs,
      continueOnStepFailure: args.continueOnStepFailure,
      ...(args.description !== undefined ? { description: args.description } : {}),
    };
    if (args.plan) {
      const plan = await client.planRun(experiment, request);
      if (args.json) io.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      else for (const line of planLines(plan)) say(line);
      return EXIT.ok;
    }
    submitted = await client.submitRun(experiment, request);
  } catch (err) {
    return reportFailure(io, 'run', err, args.url);
  }
  say(`Submitted run ${submitted.id} (experiment ${submitted.experiment}, ${submitted.status}).`);
  say(`Status: ${submitted.links.self ?? `${client.url}/api/runs/${encodeURIComponent(submitted.id)}`}`);

  if (!args.follow) {
    if (args.json) io.stdout.write(`${JSON.stringify(submitted, null, 2)}\n`);
    else say(`Follow it with: sluice runs show ${submitted.id}   (or submit with --follow)`);
    return EXIT.ok;
  }
  say();
  return followAndReport(io, client, submitted.id, args);
}

async function followAndReport(io: CliIo, client: SluiceClient, runId: string, args: RunArguments): Promise<number> {
  const style = createStyle(colorEnabled(io.stdout, io.env));
  const view = args.json ? undefined : createFollowView(io, style, io.stdout.isTTY === true);
  let final: Run;
  try {
    final = await followRun(io, client, runId, view);
  } catch (err) {
    view?.stop();
    if (err instanceof FollowInterrupted) {
      io.stderr.write(`${stoppedFollowing(runId)}\n`);
      return 130;
    }
    return reportFailure(io, 'run', err, args.url);
  }
  if (args.json) io.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  else view!.finish(final);
  return final.status === 'Completed' ? EXIT.ok : EXIT.failed;
}

/** One line per step of a dry run (`--plan`), then the totals. */
export function planLines(plan: RunPlanResult): string[] {
  const width = Math.max(...plan.steps.map((s) => s.name.length));
  const lines = plan.steps.map((s) => {
    const shown = s.reuse ? s.reasons.filter((r) => !/^unchanged since run /.test(r)) : s.reasons;
    const reasons = shown.length ? `: ${shown.join('; ')}` : '';
    if (s.reuse) {
      const from = s.reusedFrom ? ` (from run ${s.reusedFrom.runId}, step ${s.reusedFrom.step})` : '';
      return `${s.name.padEnd(width)}  Reused${from}${reasons}`;
    }
    const maybe = s.certain ? '' : ' (may still be reused if its upstream writes identical output)';
    return `${s.name.padEnd(width)}  Runs${maybe}${reasons}`;
  });
  return [...lines, '', `${plan.summary.reused} reused, ${plan.summary.run} to run. Nothing was started.`];
}

/** `sluice run: --param reg_rate: "abc" is not a number …`, then the pipeline's parameters. */
function parameterLines(err: UserInputError): string[] {
  const option = (path: string) => path.replace(/^parameters\./, '--param ').replace(/^dataPaths\./, '--data ');
  const lines = err.issues.map((i: FieldIssue) => `sluice: run: ${option(i.path)}: ${i.message}`);
  const list = err.message.split('\n').at(-1);
  if (list && list.startsWith('The pipeline')) lines.push(list);
  return lines;
}

function describeSnapshot(p: SnapshotProgress): string {
  const what = { uploaded: 'uploaded', stored: 'already stored', same: 'same content as above' }[p.outcome];
  const kib = p.bytes < 1024 ? `${p.bytes} B` : `${(p.bytes / 1024).toFixed(1)} KiB`;
  return `Snapshot of ${p.sourceDirectory}: ${p.files} file${p.files === 1 ? '' : 's'}, ${kib}, ${what} (${p.id.slice(0, 12)})`;
}
