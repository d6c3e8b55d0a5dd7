import {
  experimentNameProblem,
  NAME_PATTERN,
  type Run,
  type SluiceClient,
  type SubmitPublishedRequest,
} from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { createFollowView } from '../format/follow';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, resolveUrl } from '../format/options';
import { reportFailure } from '../format/report';
import { colorEnabled, createStyle } from '../format/style';
import { followRun, FollowInterrupted, stoppedFollowing } from './runs';

const HELP = `Usage: sluice submit ID [options]
       sluice submit --endpoint NAME [--version V] [options]

Submits a run of the published pipeline ID, or of a pipeline endpoint (its default version unless --version),
through its REST endpoint, and prints the run id and status URL.

  --experiment E               experiment to run in (default: the pipeline spec's name)
  --param NAME=VALUE           a parameter value (repeatable); the server converts it to the parameter's type
  --data NAME=DATASTORE:PATH   where a datastore input reads from (repeatable)
  --description D              a description of the run
  --idempotency-key K          retrying with the same key and options returns the same run
  --follow                     show the steps live until the run ends, then its metrics
${COMMON_HELP}

Exit codes: 0 submitted (with --follow: the run Completed), 1 the run failed or was canceled or a request failed
(e.g. the pipeline is disabled), 2 bad input (option, parameter). Ctrl-C while following stops following (exit 130).`;

export interface SubmitArguments {
  target: { id: string } | { endpoint: string; version?: string };
  url: string;
  scope?: string;
  json: boolean;
  follow: boolean;
  experiment?: string;
  parameters: Record<string, string>;
  dataPaths: Record<string, string>;
  description?: string;
  idempotencyKey?: string;
}

function pairs(option: string, items: string[], form: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of items) {
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`submit: ${option} "${raw}" must be written as ${form}`);
    const name = raw.slice(0, eq).trim();
    if (!NAME_PATTERN.test(name)) throw new CliUsageError(`submit: ${option} "${raw}": "${name}" is not a valid name`);
    if (Object.hasOwn(out, name)) throw new CliUsageError(`submit: ${option} ${name} is given twice; give it once`);
    out[name] = raw.slice(eq + 1);
  }
  return out;
}

export function parseSubmitArguments(argv: string[], env: NodeJS.ProcessEnv): SubmitArguments | 'help' {
  const { values, positionals } = parseCommand(
    'submit',
    argv,
    {
      endpoint: { type: 'string' },
      version: { type: 'string' },
      experiment: { type: 'string' },
      param: { type: 'string', multiple: true },
      data: { type: 'string', multiple: true },
      description: { type: 'string' },
      'idempotency-key': { type: 'string' },
      follow: { type: 'boolean', default: false },
    },
    [{ name: 'ID', optional: true }],
  );
  if (values.help) return 'help';
  if ((positionals[0] === undefined) === (values.endpoint === undefined)) {
    throw new CliUsageError('submit: give a published pipeline ID or --endpoint NAME (one of them)');
  }
  if (values.version !== undefined && values.endpoint === undefined) {
    throw new CliUsageError('submit: --version applies to --endpoint NAME only');
  }
  if (values.experiment !== undefined && experimentNameProblem(values.experiment) !== undefined) {
    throw new CliUsageError(
      `submit: --experiment "${values.experiment}" must be 1–256 letters, digits, "_" or "-", starting with a letter or digit`,
    );
  }
  const dataPaths = pairs('--data', values.data ?? [], 'NAME=DATASTORE:PATH');
  for (const [name, v] of Object.entries(dataPaths)) {
    if (!v.includes(':')) throw new CliUsageError(`submit: --data ${name}: the location must be DATASTORE:PATH`);
  }
  return {
    target:
      values.endpoint !== undefined ? { endpoint: values.endpoint, version: values.version } : { id: positionals[0] },
    url: resolveUrl('submit', values.url, env),
    scope: values.scope,
    json: values.json,
    follow: values.follow,
    experiment: values.experiment,
    parameters: pairs('--param', values.param ?? [], 'NAME=VALUE'),
    dataPaths,
    description: values.description,
    idempotencyKey: values['idempotency-key'],
  };
}

/** `sluice submit ID|--endpoint NAME …` */
export const submit = (argv: string[]) => submitCommand(argv, processIo());

/**
 * Runs `submit`. Requests go through `io.client()`, which carries the token. */
export async function submitCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseSubmitArguments(argv, io.env);
  if (args === 'help') {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const say = (line = '') => {
    if (!args.json) io.stdout.write(`${line}\n`);
  };
  const client = io.client(args.url, { scope: args.scope });
  let submitted;
  try {
    const body: SubmitPublishedRequest = {
      experimentName: args.experiment ?? (await defaultExperiment(client, args.target)),
      parameterAssignments: args.parameters,
      dataPathAssignments: args.dataPaths,
      description: args.description,
      runSource: 'sluice-cli',
    };
    const { idempotencyKey } = args;
    submitted =
      'id' in args.target
        ? await client.submitPublished(args.target.id, body, { idempotencyKey })
        : await client.submitToEndpoint(args.target.endpoint, body, { version: args.target.version, idempotencyKey });
  } catch (err) {
    return reportFailure(io, 'submit', err, args.url);
  }
  say(`Submitted run ${submitted.Id} (experiment ${submitted.experiment}, ${submitted.status}).`);
  say(`Status: ${submitted.links.self}`);
  if (!args.follow) {
    if (args.json) io.stdout.write(`${JSON.stringify(submitted, null, 2)}\n`);
    return EXIT.ok;
  }
  say();
  const view = args.json
    ? undefined
    : createFollowView(io, createStyle(colorEnabled(io.stdout, io.env)), io.stdout.isTTY === true);
  let final: Run;
  try {
    final = await followRun(io, client, submitted.Id, view);
  } catch (err) {
    view?.stop();
    if (err instanceof FollowInterrupted) {
      io.stderr.write(`${stoppedFollowing(submitted.Id)}\n`);
      return 130;
    }
    return reportFailure(io, 'submit', err, args.url);
  }
  if (args.json) io.stdout.write(`${JSON.stringify(final, null, 2)}\n`);
  else view!.finish(final);
  return final.status === 'Completed' ? EXIT.ok : EXIT.failed;
}

/** The spec's name of the published pipeline that will run (as `sluice run` defaults to the spec's name). */
async function defaultExperiment(client: SluiceClient, target: SubmitArguments['target']): Promise<string> {
  let id: string;
  if ('id' in target) id = target.id;
  else {
    const endpoint = await client.getPipelineEndpoint(target.endpoint);
    const wanted = target.version ?? endpoint.defaultVersion;
    // An unknown version is reported by the submit itself, with the endpoint's versions.
    id =
      endpoint.versions.find((v) => v.version === wanted)?.publishedPipelineId ??
      endpoint.versions[0].publishedPipelineId;
  }
  return (await client.getPublished(id)).pipelineName;
}
