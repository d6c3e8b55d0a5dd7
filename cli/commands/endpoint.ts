import { NAME_PATTERN, type PipelineEndpoint, type PutPipelineEndpointRequest } from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, resolveUrl } from '../format/options';
import { reportFailure } from '../format/report';
import { colorEnabled, createStyle } from '../format/style';
import { renderTable } from '../format/table';

const HELP = `Usage: sluice endpoint set NAME --pipeline ID [--default] [--description D]
       sluice endpoint set NAME --default-version V
       sluice endpoint show NAME

A pipeline endpoint is a stable name with versions, each a published pipeline; submits go to its default version
unless they name one. \`set\` creates the endpoint (its first version "0" is the default), adds the published
pipeline ID as the next version (unless it is one already), and with --default makes it the default;
--default-version makes an existing version the default. \`set\` needs the Sluice.Admin role.

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed, 2 bad option.`;

export const endpointSet = (argv: string[]) => endpointCommand('set', argv, processIo());
export const endpointShow = (argv: string[]) => endpointCommand('show', argv, processIo());

/**
 * Runs `endpoint VERB`. Requests go through `io.client()`, which carries the token. */
export async function endpointCommand(verb: 'set' | 'show', argv: string[], io: CliIo): Promise<number> {
  const command = `endpoint ${verb}`;
  const { values, positionals } = parseCommand(
    command,
    argv,
    {
      pipeline: { type: 'string' },
      default: { type: 'boolean', default: false },
      'default-version': { type: 'string' },
      description: { type: 'string' },
    },
    [{ name: 'NAME' }],
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const name = positionals[0];
  if (!NAME_PATTERN.test(name)) {
    throw new CliUsageError(
      `${command}: "${name}" is not a valid endpoint name (a letter, then letters, digits, "_" or "-")`,
    );
  }
  const body: PutPipelineEndpointRequest = {};
  if (verb === 'set') {
    if (values.pipeline === undefined && values['default-version'] === undefined && values.description === undefined) {
      throw new CliUsageError(
        `${command}: give --pipeline ID (a published pipeline), --default-version V or --description D`,
      );
    }
    if (values.default && values.pipeline === undefined) {
      throw new CliUsageError(`${command}: --default makes --pipeline's version the default; give --pipeline ID`);
    }
    if (values.pipeline !== undefined) body.publishedPipelineId = values.pipeline;
    if (values.default) body.makeDefault = true;
    if (values['default-version'] !== undefined) body.defaultVersion = values['default-version'];
    if (values.description !== undefined) body.description = values.description;
  } else if (values.pipeline !== undefined || values.default || values['default-version'] !== undefined) {
    throw new CliUsageError(
      `${command}: takes no --pipeline, --default or --default-version; see sluice endpoint --help`,
    );
  }
  const url = resolveUrl(command, values.url, io.env);
  const client = io.client(url, { scope: values.scope });
  try {
    const endpoint =
      verb === 'set' ? await client.putPipelineEndpoint(name, body) : await client.getPipelineEndpoint(name);
    if (values.json) io.stdout.write(`${JSON.stringify(endpoint, null, 2)}\n`);
    else for (const line of renderEndpoint(endpoint, io)) io.stdout.write(`${line}\n`);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}

function renderEndpoint(e: PipelineEndpoint, io: CliIo): string[] {
  const style = createStyle(colorEnabled(io.stdout, io.env));
  return [
    `${style.bold(e.name)}  default version ${e.defaultVersion}`,
    `  endpoint:  ${e.endpoint}`,
    ...(e.description ? [`  ${e.description}`] : []),
    '',
    ...renderTable(
      [{ header: 'VERSION' }, { header: 'PUBLISHED PIPELINE' }, { header: 'DEFAULT' }, { header: 'ADDED' }],
      e.versions.map((v) => [v.version, v.publishedPipelineId, v.isDefault ? 'yes' : '', v.addedAt]),
      style.bold,
    ),
  ];
}
