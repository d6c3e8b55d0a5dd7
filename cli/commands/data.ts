import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { downloadPath, saveDownload, type Dataset } from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, resolveUrl } from '../format/options';
import { reportFailure } from '../format/report';
import { colorEnabled, createStyle } from '../format/style';
import { renderTable } from '../format/table';
import { parseModelRef } from './models';

/** `sluice datastores list|upload|download` and `sluice datasets list|show`. */

const DATASTORES_HELP = `Usage: sluice datastores list
       sluice datastores upload LOCAL_PATH [--datastore NAME] [--target PATH] [--overwrite]
       sluice datastores download [--datastore NAME] [--prefix PREFIX] [--to DIR] [--overwrite]

list: every datastore (the default one marked). upload: a file, or every file under a folder, to PATH in the
datastore (default: workspaceblobstore, at its root), keeping the folder layout; files of any size are sent in
blocks. An existing blob is skipped unless --overwrite, as Datastore.upload does. download: every blob under PREFIX
into DIR/<blob name> (default: the current folder); an existing local file is skipped unless --overwrite.

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. no such datastore), 2 bad option.`;

const DATASETS_HELP = `Usage: sluice datasets list [--all]
       sluice datasets show NAME[:VERSION] [--files]

list: the latest version of every registered dataset (--all: every version). show: one version (the latest when
VERSION is left out) with its paths; --files lists the blobs it matches now. Datasets are registered from Python
(Dataset.Tabular.from_delimited_files(...).register(ws, name)) or with POST /api/datasets.

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. no such dataset), 2 bad option.`;

export const datastoresList = (argv: string[]) => datastoresCommand('list', argv, processIo());
export const datastoresUpload = (argv: string[]) => datastoresCommand('upload', argv, processIo());
export const datastoresDownload = (argv: string[]) => datastoresCommand('download', argv, processIo());
export const datasetsList = (argv: string[]) => datasetsCommand('list', argv, processIo());
export const datasetsShow = (argv: string[]) => datasetsCommand('show', argv, processIo());

/** Files under a folder (or the file itself), sorted, with their `/`-separated names relative to it. */
function localFiles(path: string): { file: string; name: string }[] {
  const stat = statSync(path);
  if (stat.isFile()) return [{ file: path, name: basename(path) }];
  const out: { file: string; name: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push({ file: full, name: relative(path, full).split(sep).join('/') });
    }
  };
  walk(path);
  return out;
}

type DatastoreVerb = 'list' | 'upload' | 'download';

export async function datastoresCommand(verb: DatastoreVerb, argv: string[], io: CliIo): Promise<number> {
  const command = `datastores ${verb}`;
  const { values, positionals } = parseCommand(
    command,
    argv,
    {
      datastore: { type: 'string' },
      target: { type: 'string' },
      prefix: { type: 'string' },
      to: { type: 'string' },
      overwrite: { type: 'boolean' },
    },
    verb === 'upload' ? [{ name: 'LOCAL_PATH' }] : [],
  );
  if (values.help) {
    io.stdout.write(`${DATASTORES_HELP}\n`);
    return EXIT.ok;
  }
  const applies: Record<string, DatastoreVerb[]> = {
    datastore: ['upload', 'download'],
    target: ['upload'],
    prefix: ['download'],
    to: ['download'],
    overwrite: ['upload', 'download'],
  };
  const misplaced = Object.keys(applies).find(
    (k) => values[k as keyof typeof values] !== undefined && !applies[k].includes(verb),
  );
  if (misplaced)
    throw new CliUsageError(`${command}: --${misplaced} does not apply here; see sluice ${command} --help`);
  for (const [flag, value] of [
    ['target', values.target],
    ['prefix', values.prefix],
  ] as const) {
    if (value !== undefined && (value.startsWith('/') || value.split('/').includes('..'))) {
      throw new CliUsageError(
        `${command}: --${flag} "${value}" must be a path inside the datastore (no "/" start, no "..")`,
      );
    }
  }
  const local = verb === 'upload' ? resolve(positionals[0]) : undefined;
  if (local !== undefined && !existsSync(local)) {
    throw new CliUsageError(`${command}: ${positionals[0]} does not exist; give a file or a folder to upload`);
  }
  const url = resolveUrl(command, values.url, io.env);
  const client = io.client(url, { scope: values.scope });
  const style = createStyle(colorEnabled(io.stdout, io.env));
  const write = (line = '') => io.stdout.write(`${line}\n`);
  const datastore = values.datastore ?? 'workspaceblobstore';
  try {
    if (verb === 'list') {
      const { value } = await client.listDatastores();
      if (values.json) write(JSON.stringify(value, null, 2));
      else {
        const rows = value.map((d) => [d.name + (d.isDefault ? ' (default)' : ''), d.container, d.description ?? '']);
        const headers = ['NAME', 'CONTAINER', 'DESCRIPTION'].map((header) => ({ header }));
        for (const line of renderTable(headers, rows, style.bold)) write(line);
      }
      return EXIT.ok;
    }
    if (verb === 'upload') {
      const target = (values.target ?? '').replace(/\/+$/, '');
      let uploaded = 0;
      let skipped = 0;
      for (const f of localFiles(local!)) {
        const path = target ? `${target}/${f.name}` : f.name;
        const result = await client.uploadDatastoreFile(datastore, path, createReadStream(f.file), {
          overwrite: values.overwrite,
        });
        if (result.uploaded) uploaded++;
        else skipped++;
        if (!values.json) write(`${result.uploaded ? 'Uploaded' : 'Skipped (exists)'} ${path} (${result.size} bytes)`);
      }
      if (values.json) write(JSON.stringify({ datastore, uploaded, skipped }));
      else
        write(
          `Uploaded ${uploaded} file(s) to ${datastore}${skipped ? `; skipped ${skipped} that exist (--overwrite replaces them)` : ''}`,
        );
      return EXIT.ok;
    }
    const dir = resolve(values.to ?? '.');
    const { value } = await client.listDatastoreBlobs(datastore, values.prefix);
    let downloaded = 0;
    for (const blob of value) {
      if (existsSync(downloadPath(dir, blob.path)) && !values.overwrite) continue;
      await saveDownload(dir, blob.path, await client.downloadDatastoreBlob(datastore, blob.path));
      downloaded++;
    }
    if (values.json) write(JSON.stringify({ datastore, downloaded, skipped: value.length - downloaded }));
    else write(`Downloaded ${downloaded} of ${value.length} file(s) from ${datastore} to ${dir}`);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}

function renderDataset(d: Dataset): string[] {
  const lines = [
    `${d.name}:${d.version}  ${d.kind}${d.description ? `  ${d.description}` : ''}`,
    `  id:      ${d.id}`,
    `  created: ${d.createdAt}${d.createdBy ? ` by ${d.createdBy}` : ''}`,
    ...d.paths.map((p) => `  path:    (${p.datastore}, ${p.path})`),
  ];
  if (Object.keys(d.tags).length)
    lines.push(
      `  tags:    ${Object.entries(d.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
    );
  if (d.delimited) lines.push(`  read as: separator "${d.delimited.separator}", header ${d.delimited.header}`);
  return lines;
}

export async function datasetsCommand(verb: 'list' | 'show', argv: string[], io: CliIo): Promise<number> {
  const command = `datasets ${verb}`;
  const { values, positionals } = parseCommand(
    command,
    argv,
    { all: { type: 'boolean' }, files: { type: 'boolean' } },
    verb === 'show' ? [{ name: 'NAME[:VERSION]' }] : [],
  );
  if (values.help) {
    io.stdout.write(`${DATASETS_HELP}\n`);
    return EXIT.ok;
  }
  if (values.all !== undefined && verb !== 'list')
    throw new CliUsageError(`${command}: --all applies to datasets list`);
  if (values.files !== undefined && verb !== 'show')
    throw new CliUsageError(`${command}: --files applies to datasets show`);
  const ref = verb === 'show' ? parseModelRef(command, positionals[0]) : undefined;
  const url = resolveUrl(command, values.url, io.env);
  const client = io.client(url, { scope: values.scope });
  const style = createStyle(colorEnabled(io.stdout, io.env));
  const write = (line = '') => io.stdout.write(`${line}\n`);
  try {
    if (verb === 'list') {
      const { value } = await client.listDatasets({ all: values.all });
      if (values.json) write(JSON.stringify(value, null, 2));
      else if (value.length === 0)
        write('No datasets. Register one from Python: Dataset.Tabular.from_delimited_files(path).register(ws, name)');
      else {
        const rows = value.map((d) => [d.name, String(d.version), d.kind, d.createdAt, d.description ?? '']);
        const headers = ['NAME', 'VERSION', 'KIND', 'CREATED', 'DESCRIPTION'].map((header) => ({ header }));
        for (const line of renderTable(headers, rows, style.bold)) write(line);
      }
      return EXIT.ok;
    }
    const dataset = await client.getDataset(ref!.name, ref!.version);
    const files = values.files ? (await client.listDatasetFiles(dataset.name, dataset.version)).value : undefined;
    if (values.json) write(JSON.stringify(files ? { ...dataset, files } : dataset, null, 2));
    else {
      for (const line of renderDataset(dataset)) write(line);
      if (files) {
        write('');
        const rows = files.map((f) => [f.datastore, f.path, String(f.size)]);
        const headers = ['DATASTORE', 'PATH', 'SIZE'].map((header) => ({ header }));
        for (const line of renderTable(headers, rows, style.bold)) write(line);
      }
    }
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}
