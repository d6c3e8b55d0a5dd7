import { loadPipelineFile, publishPipelineFile, UserInputError } from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, resolveUrl } from '../format/options';
import { reportFailure, specProblemLines } from '../format/report';
import { colorEnabled, createStyle } from '../format/style';
import { renderPublished } from './published';

const HELP = `Usage: sluice publish FILE --name NAME [options]

Validates the pipeline spec FILE, uploads the source_directory of its steps (identical content is uploaded once) and
publishes the pipeline: its spec and snapshots are pinned, and it gets a REST endpoint that accepts Azure ML's submit
payload. Needs the Sluice.Admin role.

  --name NAME                  name of the published pipeline (required)
  --version V                  a version label, e.g. 1.0
  --description D              a description
  --continue-on-step-failure   runs keep going past a failed step
${COMMON_HELP}

Exit codes: 0 published, 1 a request failed, 2 bad input (spec, option).`;

/** `sluice publish FILE --name N …` */
export const publish = (argv: string[]) => publishCommand(argv, processIo());

/**
 * Runs `publish`. Requests go through `io.client()`, which carries the token. */
export async function publishCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(
    'publish',
    argv,
    {
      name: { type: 'string' },
      version: { type: 'string' },
      description: { type: 'string' },
      'continue-on-step-failure': { type: 'boolean', default: false },
    },
    [{ name: 'FILE' }],
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (values.name === undefined || values.name.trim() === '') {
    throw new CliUsageError('publish: --name is required (the name callers and listings show)');
  }
  const url = resolveUrl('publish', values.url, io.env);
  const file = positionals[0];
  const say = (line = '') => {
    if (!values.json) io.stdout.write(`${line}\n`);
  };
  let loaded;
  try {
    loaded = loadPipelineFile(file);
  } catch (err) {
    if (err instanceof UserInputError && err.issues[0]?.path !== 'FILE') {
      for (const line of specProblemLines(file, err)) io.stderr.write(`${line}\n`);
      return EXIT.usage;
    }
    if (err instanceof UserInputError) throw new CliUsageError(`publish: ${err.issues[0]?.message ?? err.message}`);
    throw err;
  }
  try {
    const published = await publishPipelineFile(io.client(url, { scope: values.scope }), loaded, {
      name: values.name,
      version: values.version,
      description: values.description,
      continueOnStepFailure: values['continue-on-step-failure'] || undefined, // unset: the server's default
      onSnapshot: (p) => say(`Snapshot of ${p.sourceDirectory}: ${p.outcome} (${p.id.slice(0, 12)})`),
    });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(published, null, 2)}\n`);
      return EXIT.ok;
    }
    say(`Published ${published.id}.`);
    for (const line of renderPublished(published, createStyle(colorEnabled(io.stdout, io.env)))) say(line);
    say();
    say(`Submit a run: sluice submit ${published.id} --experiment NAME [--param NAME=VALUE]…`);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, 'publish', err, url);
  }
}
