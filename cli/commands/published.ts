import { defaultTokenProvider, type TokenProvider } from '../../sdk';
import { sendJson, type HttpContext } from '../../sdk/http';
import { CliUsageError, EXIT } from '../errors';
import { processIo, type CliIo } from '../format/io';
import { COMMON_HELP, parseCommand, resolveUrl } from '../format/options';
import { reportFailure } from '../format/report';
import { colorEnabled, createStyle, type Style } from '../format/style';
import { renderTable } from '../format/table';

/**
 * `sluice published list|show|disable|enable`, and the small typed client the publish, endpoint and submit commands
 * share for the published-pipeline routes (the SDK's SluiceClient does not cover them yet).
 */

export interface PublishedParameter {
  name: string;
  type: string;
  default?: unknown;
  required: boolean;
}

export interface PublishedPipeline {
  id: string;
  name: string;
  description?: string;
  version?: string;
  status: 'Active' | 'Disabled';
  endpoint: string;
  parameters: PublishedParameter[];
  continueOnStepFailure: boolean;
  pipelineName: string;
  createdAt: string;
  createdBy?: string;
}

export interface PipelineEndpoint {
  name: string;
  description?: string;
  defaultVersion: string;
  endpoint: string;
  versions: { version: string; publishedPipelineId: string; isDefault: boolean; addedAt: string }[];
}

export interface SubmittedPublishedRun {
  Id: string;
  id: string;
  status: string;
  experiment: string;
  publishedPipelineId: string;
  links: Record<string, string>;
}

const enc = encodeURIComponent;

/** Typed calls of the published-pipeline and pipeline-endpoint routes. */
export function publishedApi(url: string, token: TokenProvider) {
  const ctx: HttpContext = {
    baseUrl: url,
    token,
    fetch: (input, init) => fetch(input, init),
    userAgent: 'sluice-cli',
  };
  return {
    publish: (body: Record<string, unknown>) =>
      sendJson<PublishedPipeline>(ctx, { method: 'POST', path: 'published-pipelines', json: body }),
    list: (status?: string) =>
      sendJson<{ value: PublishedPipeline[] }>(ctx, { method: 'GET', path: 'published-pipelines', query: { status } }),
    get: (id: string) => sendJson<PublishedPipeline>(ctx, { method: 'GET', path: `published-pipelines/${enc(id)}` }),
    setStatus: (id: string, verb: 'enable' | 'disable') =>
      sendJson<PublishedPipeline>(ctx, { method: 'POST', path: `published-pipelines/${enc(id)}/${verb}` }),
    getEndpoint: (name: string) =>
      sendJson<PipelineEndpoint>(ctx, { method: 'GET', path: `pipeline-endpoints/${enc(name)}` }),
    putEndpoint: (name: string, body: Record<string, unknown>) =>
      sendJson<PipelineEndpoint>(ctx, { method: 'PUT', path: `pipeline-endpoints/${enc(name)}`, json: body }),
    submit: (
      target: { id: string } | { endpoint: string; version?: string },
      body: Record<string, unknown>,
      idempotencyKey?: string,
    ) =>
      sendJson<SubmittedPublishedRun>(ctx, {
        method: 'POST',
        path:
          'id' in target
            ? `published-pipelines/${enc(target.id)}/submit`
            : `pipeline-endpoints/${enc(target.endpoint)}/submit`,
        query: 'id' in target ? {} : { version: target.version },
        json: body,
        headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined,
      }),
  };
}

export type PublishedApi = ReturnType<typeof publishedApi>;

/** The API for a command: the token comes from `token` (tests) or the default provider (local key / Entra ID). */
export function apiFor(url: string, scope: string | undefined, token?: TokenProvider): PublishedApi {
  return publishedApi(url, token ?? defaultTokenProvider({ scope }));
}

function formatDefault(p: PublishedParameter): string {
  if (p.required) return '(required)';
  const d = p.default as { datastore?: string; path?: string } | string | number | boolean;
  if (typeof d === 'object' && d !== null) return `${d.datastore}:${d.path}`;
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

export async function publishedCommand(verb: Verb, argv: string[], io: CliIo, token?: TokenProvider): Promise<number> {
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
  const url = resolveUrl(command, values.url, io.env);
  const api = apiFor(url, values.scope, token);
  const style = createStyle(colorEnabled(io.stdout, io.env));
  const write = (line = '') => io.stdout.write(`${line}\n`);
  try {
    if (verb === 'list') {
      const { value } = await api.list(values.status);
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
    const p = verb === 'show' ? await api.get(id) : await api.setStatus(id, verb);
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
