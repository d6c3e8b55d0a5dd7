import type { RegisterComputeTargetRequest } from '../../sdk';
import { CliUsageError, EXIT } from '../errors';
import { openSession, processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand } from '../format/options';
import { reportFailure } from '../format/report';
import { renderTable } from '../format/table';

/** `sluice compute list|create|delete`: the compute target registry. */

const HELP = `Usage: sluice compute list
       sluice compute create NAME [--vm-size SIZE] [--vm-priority dedicated|lowpriority] [--min-nodes N]
                                  [--max-nodes N] [--idle-seconds N] [--description TEXT]
       sluice compute delete NAME

Lists compute targets (those of SLUICE_COMPUTE_TARGETS and the registered ones) with the jobs waiting in each
queue and whether a worker serves it; registers a target (as ComputeTarget.create does: steps may name it at once,
and npm start starts a worker for it within seconds); deletes a registered one (refused while jobs wait).
The sizes are recorded as Azure ML takes them; Sluice does not size machines. create and delete need Sluice.Admin.

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. a taken name), 2 bad option.`;

type Verb = 'list' | 'create' | 'delete';

export const computeList = (argv: string[]) => computeCommand('list', argv, processIo());
export const computeCreate = (argv: string[]) => computeCommand('create', argv, processIo());
export const computeDelete = (argv: string[]) => computeCommand('delete', argv, processIo());

const CREATE_OPTIONS = ['vm-size', 'vm-priority', 'min-nodes', 'max-nodes', 'idle-seconds', 'description'] as const;

function wholeNumber(command: string, option: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min) {
    throw new CliUsageError(`${command}: --${option} must be a whole number of at least ${min}, not "${value}"`);
  }
  return n;
}

export async function computeCommand(verb: Verb, argv: string[], io: CliIo): Promise<number> {
  const command = `compute ${verb}`;
  const { values, positionals } = parseCommand(
    command,
    argv,
    {
      'vm-size': { type: 'string' },
      'vm-priority': { type: 'string' },
      'min-nodes': { type: 'string' },
      'max-nodes': { type: 'string' },
      'idle-seconds': { type: 'string' },
      description: { type: 'string' },
    },
    verb === 'list' ? [] : [{ name: 'NAME' }],
  );
  if (values.help) {
    io.stdout.write(`${HELP}\n`);
    return EXIT.ok;
  }
  const misplaced = CREATE_OPTIONS.find((k) => values[k] !== undefined && verb !== 'create');
  if (misplaced) throw new CliUsageError(`${command}: --${misplaced} goes with compute create; see --help`);
  const request: RegisterComputeTargetRequest = {};
  if (verb === 'create') {
    const priority = values['vm-priority'];
    if (priority !== undefined && priority !== 'dedicated' && priority !== 'lowpriority') {
      throw new CliUsageError(`${command}: --vm-priority must be dedicated or lowpriority, not "${priority}"`);
    }
    if (values['vm-size'] !== undefined) request.vmSize = values['vm-size'];
    if (priority !== undefined) request.vmPriority = priority;
    request.minNodes = wholeNumber(command, 'min-nodes', values['min-nodes'], 0);
    request.maxNodes = wholeNumber(command, 'max-nodes', values['max-nodes'], 1);
    request.idleSecondsBeforeScaledown = wholeNumber(command, 'idle-seconds', values['idle-seconds'], 0);
    if (values.description !== undefined) request.description = values.description;
  }
  const { url, client, style, write } = openSession(command, values, io);
  try {
    if (verb === 'list') {
      const { value } = await client.listComputeTargets();
      if (values.json) write(JSON.stringify(value, null, 2));
      else {
        const rows = value.map((t) => [
          t.name + (t.isDefault ? ' (default)' : ''),
          t.source,
          t.queue,
          String(t.queueDepth),
          t.workerActive ? `yes (${t.workerLastSeenAt})` : t.workerLastSeenAt ? `no (${t.workerLastSeenAt})` : 'never',
          t.vmSize,
        ]);
        const headers = ['NAME', 'SOURCE', 'QUEUE', 'WAITING', 'WORKER', 'VM SIZE'].map((header) => ({ header }));
        for (const line of renderTable(headers, rows, style.bold)) write(line);
      }
      return EXIT.ok;
    }
    const name = positionals[0];
    if (verb === 'create') {
      const target = await client.registerComputeTarget(name, request);
      if (values.json) write(JSON.stringify(target, null, 2));
      else write(`Compute target ${target.name} is registered (queue ${target.queue}); steps may name it now.`);
      return EXIT.ok;
    }
    await client.deleteComputeTarget(name);
    if (values.json) write(JSON.stringify({ name, deleted: true }));
    else write(`Compute target ${name} is deleted.`);
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}

const ATTACH_HELP = `Usage: sluice compute attach-databricks NAME --workspace-url URL
                                         [--pat-setting SETTING | --managed-identity [--client-id ID]]
                                         [--resource-id ID] [--poll-seconds FIRST,MAX]

Attaches an Azure Databricks workspace as compute target NAME (v1's DatabricksCompute.attach_configuration with
ComputeTarget.attach); databricks steps name it with compute: NAME. Sluice authenticates with the app's managed
identity (default; --client-id for a user-assigned one) or with a personal access token held in the app setting
SETTING (in Azure, a Key Vault reference): Sluice stores the setting's name, never a token. A loopback URL
(http://127.0.0.1:7075) points at \`sluice databricks-local\`. A running step polls its Databricks run after FIRST
seconds, the interval doubling up to MAX (default 10,60). Needs Sluice.Admin.

${COMMON_HELP}

Exit codes: 0 done, 1 a request failed (e.g. a taken name), 2 bad option.`;

export const computeAttachDatabricks = (argv: string[]) => computeAttachDatabricksCommand(argv, processIo());

export async function computeAttachDatabricksCommand(argv: string[], io: CliIo): Promise<number> {
  const command = 'compute attach-databricks';
  const { values, positionals } = parseCommand(
    command,
    argv,
    {
      'workspace-url': { type: 'string' },
      'pat-setting': { type: 'string' },
      'managed-identity': { type: 'boolean' },
      'client-id': { type: 'string' },
      'resource-id': { type: 'string' },
      'poll-seconds': { type: 'string' },
    },
    [{ name: 'NAME' }],
  );
  if (values.help) {
    io.stdout.write(`${ATTACH_HELP}\n`);
    return EXIT.ok;
  }
  const workspaceUrl = values['workspace-url'];
  if (!workspaceUrl) throw new CliUsageError(`${command}: --workspace-url is required (the workspace's URL)`);
  const pat = values['pat-setting'];
  if (pat !== undefined && (values['managed-identity'] || values['client-id'] !== undefined))
    throw new CliUsageError(`${command}: give --pat-setting or --managed-identity [--client-id], not both`);
  const credential: NonNullable<RegisterComputeTargetRequest['databricks']>['credential'] =
    pat !== undefined
      ? { type: 'pat', setting: pat }
      : { type: 'managedIdentity', ...(values['client-id'] ? { clientId: values['client-id'] } : {}) };
  let poll: { initialSeconds: number; maxSeconds: number } | undefined;
  if (values['poll-seconds'] !== undefined) {
    const m = /^(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)$/.exec(values['poll-seconds']);
    if (!m || Number(m[2]) < Number(m[1]))
      throw new CliUsageError(`${command}: --poll-seconds is FIRST,MAX in seconds (e.g. 10,60), MAX not below FIRST`);
    poll = { initialSeconds: Number(m[1]), maxSeconds: Number(m[2]) };
  }
  const request: RegisterComputeTargetRequest = {
    type: 'Databricks',
    databricks: {
      workspaceUrl,
      credential,
      ...(values['resource-id'] ? { resourceId: values['resource-id'] } : {}),
      ...(poll ? { poll } : {}),
    },
  };
  const { url, client, write } = openSession(command, values, io);
  try {
    const target = await client.registerComputeTarget(positionals[0], request);
    if (values.json) write(JSON.stringify(target, null, 2));
    else
      write(
        `Databricks workspace ${target.databricks?.workspaceUrl} is attached as compute target ${target.name} ` +
          `(${credential.type === 'pat' ? `token from the setting ${credential.setting}` : 'managed identity'}).`,
      );
    return EXIT.ok;
  } catch (err) {
    return reportFailure(io, command, err, url);
  }
}
