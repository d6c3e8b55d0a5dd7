import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import {
  downloadPath,
  saveDownload,
  type Dataset,
  type DatastoreCredentialType,
  type RegisterDatastoreRequest,
} from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { openSession, processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand } from '../format/options';
import { reportFailure } from '../format/report';
import { renderTable } from '../format/table';
import { parseModelRef } from './models';

/** `sluice datastores register|list|upload|download` and `sluice datasets list|show`. */

const DATASTORES_HELP = `Usage: sluice datastores register NAME --container CONTAINER ... (see sluice datastores register --help)
       sluice datastores list
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

const REGISTER_HELP = `Usage: sluice datastores register NAME --container CONTAINER [--account ACCOUNT] [--adls-gen2]
         [--credential managed_identity|sas|account_key|service_principal] [--secret-env VARIABLE]
         [--tenant-id ID] [--client-id ID] [--endpoint SUFFIX_OR_URL] [--protocol https|http]
         [--description TEXT] [--create] [--overwrite]

Registers a blob container (--adls-gen2: an ADLS Gen2 file system) as datastore NAME, as
Datastore.register_azure_blob_container / register_azure_data_lake_gen2 do. Without --account it is in the
workspace's storage account. Another account is reached with the app's managed identity (the default; grant it
Storage Blob Data Contributor there), a SAS, an account key or a service principal's secret. The secret is read
from the environment variable --secret-env names (never from the command line, where other users could see it),
stored sealed and never shown again. --create creates a missing container; --overwrite replaces a datastore of
that name. Datastores of other accounts are read and written by data_transfer steps (docs/pipeline-spec.md).

${COMMON_HELP}

Exit codes: 0 registered (or unchanged), 1 the request failed (e.g. the account refused the credential), 2 bad option.`;

export const datastoresRegister = (argv: string[]) => datastoresRegisterCommand(argv, processIo());

export async function datastoresRegisterCommand(argv: string[], io: CliIo): Promise<number> {
  const command = 'datastores register';
  const { values, positionals } = parseCommand(
    command,
    argv,
    {
      container: { type: 'string' },
      account: { type: 'string' },
      'adls-gen2': { type: 'boolean' },
      credential: { type: 'string' },
      'secret-env': { type: 'string' },
      'tenant-id': { type: 'string' },
      'client-id': { type: 'string' },
      endpoint: { type: 'string' },
      protocol: { type: 'string' },
      description: { type: 'string' },
      create: { type: 'boolean' },
      overwrite: { type: 'boolean' },
    },
    [{ name: 'NAME' }],
  );
  if (values.help) {
    io.stdout.write(`${REGISTER_HELP}\n`);
    return EXIT.ok;
  }
  if (!values.container) throw new CliUsageError(`${command}: --container is required (the blob container's name)`);
  const types: DatastoreCredentialType[] = ['managed_identity', 'sas', 'account_key', 'service_principal'];
  const type = values.credential as DatastoreCredentialType | undefined;
  if (type !== undefined && !types.includes(type)) {
    throw new CliUsageError(`${command}: --credential "${type}" is not one of ${types.join(', ')}`);
  }
  if (values.protocol !== undefined && values.protocol !== 'https' && values.protocol !== 'http') {
    throw new CliUsageError(`${command}: --protocol must be https or http`);
  }
  let secret: string | undefined;
  if (values['secret-env'] !== undefined) {
    secret = io.env[values['secret-env']];
    if (!secret) throw new CliUsageError(`${command}: the environment variable ${values['secret-env']} is not set`);
  }
  if (secret !== undefined && (type === undefined || type === 'managed_identity')) {
    throw new CliUsageError(`${command}: --secret-env needs --credential sas, account_key or service_principal`);
  }
  if (secret === undefined && type !== undefined && type !== 'managed_identity') {
    throw new CliUsageError(`${command}: --credential ${type} needs --secret-env VARIABLE naming where its secret is`);
  }
  const request: RegisterDatastoreRequest = { container: values.container };
  if (values['adls-gen2']) request.datastoreType = 'AzureDataLakeGen2';
  if (values.account !== undefined) request.accountName = values.account;
  if (values.endpoint !== undefined) request.endpoint = values.endpoint;
  if (values.protocol !== undefined) request.protocol = values.protocol as 'https' | 'http';
  if (type !== undefined) {
    request.credential = { type };
    if (secret !== undefined) request.credential.secret = secret;
    if (values['tenant-id'] !== undefined) request.credential.tenantId = values['tenant-id'];
    if (values['client-id'] !== undefined) request.credential.clientId = values['client-id'];
  }
  if (values.description !== undefined) request.description = values.description;
  if (values.create) request.createIfNotExists = true;
  if (values.overwrite) request.overwrite = true;
  const { url, client, write } = openSession(command, values, io);
  try {
    const d = await client.registerDatastore(positionals[0], request);
    if (values.json) write(JSON.stringify(d, null, 2));
    else
      write(
        `Registered ${d.name}: ${d.datastoreType} container ${d.container} of account ${d.accountName}` +
          (d.credential ? ` (${d.credential.type})` : ''),
      );
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}

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
  const { url, client, style, write } = openSession(command, values, io);
  const datastore = values.datastore ?? 'workspaceblobstore';
  try {
    if (verb === 'list') {
      const { value } = await client.listDatastores();
      if (values.json) write(JSON.stringify(value, null, 2));
      else {
        const rows = value.map((d) => [
          d.name + (d.isDefault ? ' (default)' : ''),
          d.container,
          d.accountName,
          d.datastoreType,
          d.description ?? '',
        ]);
        const headers = ['NAME', 'CONTAINER', 'ACCOUNT', 'TYPE', 'DESCRIPTION'].map((header) => ({ header }));
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
  const { url, client, style, write } = openSession(command, values, io);
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
