import { randomUUID } from 'node:crypto';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
} from '@azure/core-rest-pipeline';
import { RestError, type TableClient } from '@azure/data-tables';

/** A table row as the engine writes it: strings, numbers, booleans and dates only. */
export type BatchRow = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** One operation of an entity-group transaction. */
export type BatchOp =
  | { op: 'upsert'; row: BatchRow }
  | { op: 'create'; row: BatchRow }
  | { op: 'update'; row: BatchRow; etag: string }
  | { op: 'delete'; partitionKey: string; rowKey: string };

const CRLF = '\r\n';

/**
 * Entity-group transactions (`$batch`) built here and sent over the table client's own pipeline, so they are signed
 * by the same credential policy (SharedKey, SAS or a token credential) as every other request of that client.
 * `TableClient.submitTransaction` builds a second `TableClient`, a pipeline for it and one serialisation pass per
 * row for every transaction; in the Durable engine's history commits that was most of the commit's CPU. The body
 * follows the documented format ("Performing entity group transactions": a multipart/mixed batch holding one
 * changeset of HTTP sub-requests on one partition); a failed sub-request fails the whole changeset, and the answer
 * names it — that error is thrown as a RestError with its status (412 for a stale ETag, 409 for a create that
 * exists).
 */
export class TableBatcher {
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  private readonly base: string;
  private readonly sas: string;

  constructor(
    private readonly table: TableClient,
    private readonly allowInsecureConnection: boolean,
  ) {
    const [url, query] = table.url.split('?');
    this.base = url.replace(/\/+$/, '');
    this.sas = query ? `?${query}` : '';
  }

  /** Submits `ops` (all on one partition, at most 100) as one transaction; returns each sub-response's ETag. */
  async submit(ops: BatchOp[]): Promise<(string | undefined)[]> {
    if (ops.length === 0) return [];
    if (ops.length > 100) throw new Error(`A table transaction holds at most 100 operations, not ${ops.length}.`);
    const batch = `batch_${randomUUID()}`;
    const changeset = `changeset_${randomUUID()}`;
    const parts: string[] = [`--${batch}${CRLF}Content-Type: multipart/mixed; boundary=${changeset}${CRLF}`];
    for (const op of ops) parts.push(this.subRequest(changeset, op));
    parts.push(`--${changeset}--${CRLF}--${batch}--${CRLF}`);
    const request = createPipelineRequest({
      url: `${this.base}/$batch${this.sas}`,
      method: 'POST',
      body: parts.join(''),
      headers: createHttpHeaders({
        Accept: 'application/json',
        // The version the SDK's own transactions name; required with SharedKey on Azure.
        'x-ms-version': '2019-02-02',
        'Content-Type': `multipart/mixed; boundary=${batch}`,
        DataServiceVersion: '3.0;',
        MaxDataServiceVersion: '3.0;NetFx',
      }),
      allowInsecureConnection: this.allowInsecureConnection,
    });
    const response = await this.table.pipeline.sendRequest(this.httpClient, request);
    return parseBatchResponse(response.status, response.bodyAsText ?? '', ops.length);
  }

  private subRequest(changeset: string, op: BatchOp): string {
    const pk = op.op === 'delete' ? op.partitionKey : op.row.partitionKey;
    const rk = op.op === 'delete' ? op.rowKey : op.row.rowKey;
    const entityUrl = `${this.base}/${this.table.tableName}(PartitionKey='${keyText(pk)}',RowKey='${keyText(rk)}')`;
    let line: string;
    const headers = ['Accept: application/json;odata=minimalmetadata', 'DataServiceVersion: 3.0;'];
    let body = '';
    switch (op.op) {
      case 'create':
        line = `POST ${this.base}/${this.table.tableName} HTTP/1.1`;
        headers.push('Prefer: return-no-content');
        break;
      case 'upsert':
        line = `PUT ${entityUrl} HTTP/1.1`;
        break;
      case 'update':
        line = `PUT ${entityUrl} HTTP/1.1`;
        headers.push(`If-Match: ${op.etag}`);
        break;
      case 'delete':
        line = `DELETE ${entityUrl} HTTP/1.1`;
        headers.push('If-Match: *');
        break;
    }
    if (op.op !== 'delete') {
      body = JSON.stringify(wireEntity(op.row));
      headers.push('Content-Type: application/json');
    }
    return (
      `--${changeset}${CRLF}Content-Type: application/http${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}` +
      `${line}${CRLF}${headers.join(CRLF)}${CRLF}${CRLF}${body}${CRLF}`
    );
  }
}

/** A key inside the sub-request's URL: quotes doubled (OData), then percent-encoded. */
function keyText(key: string): string {
  return encodeURIComponent(key.replace(/'/g, "''"));
}

/**
 * The entity as the service reads it: `PartitionKey`/`RowKey`, dates typed `Edm.DateTime`; strings, booleans and
 * numbers as JSON (an integer is stored as Edm.Int32, as the SDK's serialiser leaves it). Other values are refused.
 */
export function wireEntity(row: BatchRow): Record<string, unknown> {
  const out: Record<string, unknown> = { PartitionKey: row.partitionKey, RowKey: row.rowKey };
  for (const [name, value] of Object.entries(row)) {
    if (name === 'partitionKey' || name === 'rowKey' || name === 'etag' || value === undefined) continue;
    if (value instanceof Date) {
      out[name] = value.toISOString();
      out[`${name}@odata.type`] = 'Edm.DateTime';
    } else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      out[name] = value;
    } else {
      throw new Error(`Table property '${name}' has a type a history row cannot hold (${typeof value}).`);
    }
  }
  return out;
}

/**
 * Reads a `$batch` answer: the changeset's sub-responses in order. A failed changeset answers with one
 * sub-response (the failing operation's status and an OData error whose message starts with its index); the
 * whole batch failing (bad request, auth) answers with a non-2xx status.
 */
export function parseBatchResponse(status: number, body: string, expected: number): (string | undefined)[] {
  if (status < 200 || status >= 300) throw batchError(status, body);
  const responses = body.split(/--changesetresponse_[^\r\n]*/).filter((p) => /HTTP\/1\.1 \d{3}/.test(p));
  const etags: (string | undefined)[] = [];
  for (const part of responses) {
    const code = Number(/HTTP\/1\.1 (\d{3})/.exec(part)![1]);
    if (code < 200 || code >= 300) throw batchError(code, part);
    etags.push(/^ETag: *(.+?)\s*$/im.exec(part)?.[1]);
  }
  if (etags.length !== expected)
    throw new Error(`The table transaction answered ${etags.length} sub-responses for ${expected} operations.`);
  return etags;
}

function batchError(statusCode: number, text: string): RestError {
  let message = `The table transaction failed with status ${statusCode}.`;
  let code: string | undefined;
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (json) {
    try {
      const parsed = JSON.parse(json) as { 'odata.error'?: { code?: string; message?: { value?: string } } };
      const err = parsed['odata.error'];
      if (err?.message?.value) message = err.message.value;
      code = err?.code;
    } catch {
      // Not JSON: keep the status line's message.
    }
  }
  return new RestError(message, { statusCode, code });
}
