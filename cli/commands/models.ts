import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { saveDownload, type Model } from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { openSession, processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand } from '../format/options';
import { reportFailure } from '../format/report';
import type { Style } from '../format/style';
import { renderTable } from '../format/table';

/** `sluice models list|show|download` and `sluice runs download`. */

const HELP = `Usage: sluice models list [--name NAME] [--latest] [--run RUN_ID]
       sluice models show NAME[:VERSION]
       sluice models download NAME[:VERSION] [--to DIR]

Lists registered models (by name, newest version first), shows one version (the latest when VERSION is left out),
or downloads its files into DIR (default: the current folder), as Model.download does: DIR/<the model's file or
folder>. Models are registered from Python (Model.register, or run.register_model inside a step).

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. no such model), 2 bad option.`;

const RUNS_DOWNLOAD_HELP = `Usage: sluice runs download RUN_ID STEP [--to DIR] [--prefix PREFIX]

Downloads the files a step uploaded (run.upload_file, upload_folder, ./outputs) into DIR (default: the current
folder), keeping their names (outputs/model.pkl → DIR/outputs/model.pkl); --prefix keeps only names that start with
it.

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. no such run or step), 2 bad option.`;

type Verb = 'list' | 'show' | 'download';

export const modelsList = (argv: string[]) => modelsCommand('list', argv, processIo());
export const modelsShow = (argv: string[]) => modelsCommand('show', argv, processIo());
export const modelsDownload = (argv: string[]) => modelsCommand('download', argv, processIo());
export const runsDownload = (argv: string[]) => runsDownloadCommand(argv, processIo());

/** `NAME[:VERSION]` → name and version (`latest` when left out). */
export function parseModelRef(command: string, ref: string): { name: string; version: number | 'latest' } {
  const cut = ref.lastIndexOf(':');
  if (cut < 0) return { name: ref, version: 'latest' };
  const version = ref.slice(cut + 1);
  if (!/^[1-9][0-9]{0,9}$/.test(version)) {
    throw new CliUsageError(
      `${command}: "${ref}" has no valid version after ":"; write NAME or NAME:VERSION (e.g. diabetes:2)`,
    );
  }
  return { name: ref.slice(0, cut), version: Number(version) };
}

function renderModel(m: Model, style: Style): string[] {
  const lines = [
    `${style.bold(m.id)}${m.description ? `  ${m.description}` : ''}`,
    `  created:   ${m.createdAt}${m.createdBy ? ` by ${m.createdBy}` : ''}`,
  ];
  if (m.runId) lines.push(`  run:       ${m.runId}${m.step ? ` (step ${m.step})` : ''}`);
  if (m.framework) lines.push(`  framework: ${m.framework}${m.frameworkVersion ? ` ${m.frameworkVersion}` : ''}`);
  const pairs = (o: Record<string, string>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
  if (Object.keys(m.tags).length) lines.push(`  tags:       ${pairs(m.tags)}`);
  if (Object.keys(m.properties).length) lines.push(`  properties: ${pairs(m.properties)}`);
  lines.push(
    '',
    ...renderTable(
      [{ header: 'FILE' }, { header: 'SIZE' }],
      m.files.map((f) => [f.name, String(f.size)]),
      style.bold,
    ),
  );
  return lines;
}

export async function modelsCommand(verb: Verb, argv: string[], io: CliIo): Promise<number> {
  const command = `models ${verb}`;
  const { values, positionals } = parseCommand(
    command,
    argv,
    {
      name: { type: 'string' },
      latest: { type: 'boolean' },
      run: { type: 'string' },
      to: { type: 'string' },
    },
    verb === 'list' ? [] : [{ name: 'NAME[:VERSION]' }],
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const misplaced = (['name', 'latest', 'run', 'to'] as const).find(
    (k) => values[k] !== undefined && (k === 'to' ? verb !== 'download' : verb !== 'list'),
  );
  if (misplaced)
    throw new CliUsageError(`${command}: --${misplaced} does not apply here; see sluice ${command} --help`);
  const { url, client, style, write } = openSession(command, values, io);
  try {
    if (verb === 'list') {
      const { value } = await client.listModels({ name: values.name, runId: values.run, latest: values.latest });
      if (values.json) write(JSON.stringify(value, null, 2));
      else if (value.length === 0)
        write('No models. Register one from Python: Model.register(ws, model_path, model_name)');
      else {
        const rows = value.map((m) => [m.name, String(m.version), m.runId ?? '', m.createdAt, m.description ?? '']);
        const headers = ['NAME', 'VERSION', 'RUN', 'CREATED', 'DESCRIPTION'].map((header) => ({ header }));
        for (const line of renderTable(headers, rows, style.bold)) write(line);
      }
      return EXIT.ok;
    }
    const { name, version } = parseModelRef(command, positionals[0]);
    const model = await client.getModel(name, version);
    if (verb === 'show') {
      if (values.json) write(JSON.stringify(model, null, 2));
      else for (const line of renderModel(model, style)) write(line);
      return EXIT.ok;
    }
    const dir = resolve(values.to ?? '.');
    if (existsSync(resolve(dir, model.root))) {
      throw new CliUsageError(`${command}: ${resolve(dir, model.root)} exists already; remove it or pick another --to`);
    }
    for (const f of model.files) {
      await saveDownload(dir, f.name, await client.downloadModelFile(model.name, model.version, f.name));
    }
    const path = resolve(dir, model.root);
    if (values.json) write(JSON.stringify({ id: model.id, path, files: model.files.length }));
    else write(`Downloaded ${model.id} (${model.files.length} file(s)) to ${path}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliUsageError) throw err;
    return reportFailure(io, command, err, url);
  }
}

export async function runsDownloadCommand(argv: string[], io: CliIo): Promise<number> {
  const command = 'runs download';
  const { values, positionals } = parseCommand(command, argv, { to: { type: 'string' }, prefix: { type: 'string' } }, [
    { name: 'RUN_ID' },
    { name: 'STEP' },
  ]);
  if (values.help) {
    io.stdout.write(`${RUNS_DOWNLOAD_HELP}\n`);
    return EXIT.ok;
  }
  const [runId, step] = positionals;
  const { url, client, write } = openSession(command, values, io);
  try {
    const { value } = await client.listStepFiles(runId, step);
    const wanted = value.filter((f) => f.name.startsWith(values.prefix ?? ''));
    const dir = resolve(values.to ?? '.');
    const saved: string[] = [];
    for (const f of wanted)
      saved.push(await saveDownload(dir, f.name, await client.downloadStepFile(runId, step, f.name)));
    if (values.json) write(JSON.stringify({ files: saved }));
    else if (saved.length === 0)
      write(`Step ${step} of run ${runId} has no files${values.prefix ? ` under "${values.prefix}"` : ''}.`);
    else write(`Downloaded ${saved.length} file(s) of step ${step} to ${dir}`);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}
