import { EXIT } from '../errors';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, resolveUrl } from '../format/options';
import { reportFailure } from '../format/report';
import { colorEnabled, createStyle } from '../format/style';
import { renderTable } from '../format/table';
import { parseModelRef } from './models';

/** `sluice environments list|show`: the environment registry (Environment.register). */

const HELP = `Usage: sluice environments list [--name NAME]
       sluice environments show NAME[:VERSION]

Lists registered environments (the latest version of each name; every version with --name), or shows one version
(the latest when VERSION is left out) with its Python version and packages. Environments are registered from Python
(env.register(ws)).

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. no such environment), 2 bad option.`;

export const environmentsList = (argv: string[]) => environmentsCommand('list', argv, processIo());
export const environmentsShow = (argv: string[]) => environmentsCommand('show', argv, processIo());

export async function environmentsCommand(verb: 'list' | 'show', argv: string[], io: CliIo): Promise<number> {
  const command = `environments ${verb}`;
  const { values, positionals } = parseCommand(
    command,
    argv,
    { name: { type: 'string' } },
    verb === 'list' ? [] : [{ name: 'NAME[:VERSION]' }],
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const ref = verb === 'show' ? parseModelRef(command, positionals[0]) : undefined;
  const url = resolveUrl(command, values.url, io.env);
  const client = io.client(url, { scope: values.scope });
  const style = createStyle(colorEnabled(io.stdout, io.env));
  const write = (line = '') => io.stdout.write(`${line}\n`);
  try {
    if (!ref) {
      const { value } = await client.listEnvironments(values.name);
      if (values.json) write(JSON.stringify(value, null, 2));
      else if (value.length === 0) write('No environments. Register one from Python: env.register(ws)');
      else {
        const rows = value.map((e) => [e.name, String(e.version), e.python ?? '-', e.createdAt]);
        const headers = ['NAME', 'VERSION', 'PYTHON', 'CREATED'].map((header) => ({ header }));
        for (const line of renderTable(headers, rows, style.bold)) write(line);
      }
      return EXIT.ok;
    }
    const e = await client.getEnvironment(ref.name, ref.version);
    if (values.json) write(JSON.stringify(e, null, 2));
    else {
      write(`${style.bold(e.id)}`);
      write(`  created: ${e.createdAt}${e.createdBy ? ` by ${e.createdBy}` : ''}`);
      write(`  python:  ${e.python ?? '-'}`);
      write(`  conda:   ${e.conda.join(', ') || '-'}`);
      write(`  pip:     ${e.pip.join(', ') || '-'}`);
    }
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}
