import type { PublishedParameter, PublishedPipeline, PublishedStatus } from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { openSession, processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand } from '../format/options';
import { reportFailure } from '../format/report';
import type { Style } from '../format/style';
import { renderTable } from '../format/table';

/** `sluice published list|show|disable|enable`, and the rendering of a published pipeline `sluice publish` shares. */

function formatDefault(p: PublishedParameter): string {
  if (p.required) return '(required)';
  const d = p.default;
  if (typeof d === 'object') return `${d.datastore}:${d.path}`;
  return typeof d === 'string' ? JSON.stringify(d) : String(d);
}

/** The lines `sluice published show` and `sluice publish` print. */
export function renderPublished(p: PublishedPipeline, style: Style): string[] {
  const lines = [
    `${style.bold(p.name)}${p.version ? ` ${p.version}` : ''}  ${p.status === 'Active' ? style.green(p.status) : style.yellow(p.status)}`,
    `  id:        ${p.id}`,
    `  endpoint:  ${p.endpoint}`,
    `  pipeline:  ${p.pipelineName}${p.continueOnStepFailure ? ' (continues on step failure)' : ''}`,
    `  created:   ${p.createdAt}${p.createdBy ? ` by ${p.createdBy}` : ''}`,
  ];
  if (p.description) lines.push(`  ${p.description}`);
  if (p.parameters.length) {
    lines.push(
      '',
      ...renderTable(
        [{ header: 'PARAMETER' }, { header: 'TYPE' }, { header: 'DEFAULT' }],
        p.parameters.map((q) => [q.name, q.type, formatDefault(q)]),
        style.bold,
      ),
    );
  }
  return lines;
}

const HELP = `Usage: sluice published list [--status Active|Disabled]
       sluice published show ID
       sluice published disable ID
       sluice published enable ID

Lists, shows, disables or enables published pipelines (disable and enable need the Sluice.Admin role; a disabled
pipeline's endpoint answers 409).

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. no such id), 2 bad option.`;

type Verb = 'list' | 'show' | 'disable' | 'enable';

export const publishedList = (argv: string[]) => publishedCommand('list', argv, processIo());
export const publishedShow = (argv: string[]) => publishedCommand('show', argv, processIo());
export const publishedDisable = (argv: string[]) => publishedCommand('disable', argv, processIo());
export const publishedEnable = (argv: string[]) => publishedCommand('enable', argv, processIo());

/**
 * Runs `published VERB`. Requests go through `io.client()`, which carries the token. */
export async function publishedCommand(verb: Verb, argv: string[], io: CliIo): Promise<number> {
  const command = `published ${verb}`;
  const { values, positionals } = parseCommand(
    command,
    argv,
    { status: { type: 'string' } },
    verb === 'list' ? [] : [{ name: 'ID' }],
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  if (values.status !== undefined && (verb !== 'list' || !['Active', 'Disabled'].includes(values.status))) {
    throw new CliUsageError(
      verb === 'list'
        ? `${command}: --status must be Active or Disabled, not "${values.status}"`
        : `${command}: --status applies to published list only`,
    );
  }
  const { url, client, style, write } = openSession(command, values, io);
  try {
    if (verb === 'list') {
      const { value } = await client.listPublished({ status: values.status as PublishedStatus | undefined });
      if (values.json) write(JSON.stringify(value, null, 2));
      else if (value.length === 0) write('No published pipelines. Publish one with: sluice publish FILE --name NAME');
      else {
        const rows = value.map((p) => [p.id, p.name, p.version ?? '', p.status, p.createdAt]);
        const table = renderTable(
          [{ header: 'ID' }, { header: 'NAME' }, { header: 'VERSION' }, { header: 'STATUS' }, { header: 'CREATED' }],
          rows,
          style.bold,
        );
        for (const line of table) write(line);
      }
      return EXIT.ok;
    }
    const id = positionals[0];
    const p =
      verb === 'show'
        ? await client.getPublished(id)
        : verb === 'disable'
          ? await client.disablePublished(id)
          : await client.enablePublished(id);
    if (values.json) write(JSON.stringify(p, null, 2));
    else {
      if (verb !== 'show') write(`Published pipeline ${p.id} is now ${p.status}.`);
      else for (const line of renderPublished(p, style)) write(line);
    }
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}
