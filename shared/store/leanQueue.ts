import {
  QueueClient,
  QueueServiceClient,
  RestError,
  StorageSharedKeyCredential,
  type DequeuedMessageItem,
  type QueueDeleteMessageResponse,
  type QueueReceiveMessageOptions,
  type QueueReceiveMessageResponse,
  type QueueSendMessageOptions,
  type QueueSendMessageResponse,
  type QueueUpdateMessageResponse,
} from '@azure/storage-queue';
import { canonicalHeaders, commonHeaders, header, leanCall } from './leanHttp';

/**
 * The queue operations every step hand-off makes — send, receive, delete and update a message — as plain HTTP(S)
 * requests signed with the account key, instead of through the storage SDK's request pipeline. Measured by
 * bench/storageClient.bench.ts, the SDK spends ≈ 0.7 ms of the caller's CPU on each of them (its policy chain, XML
 * serializer and response mappers) and these ≈ 0.3 ms, and a step makes seven or more of them; on a 2-core machine
 * that CPU is what the steps per second are made of (issue 19).
 *
 * A `LeanQueueClient` is a `QueueClient`: everything else (create, properties, metadata, peek, clear) goes through
 * the SDK as before, and so does everything when the account is not reached with a key (identity or SAS:
 * {@link leanQueueService} gives the SDK's own client then). The answers have the fields the SDK's answers have
 * that callers read; errors are the SDK's `RestError` with the HTTP status and the service's error code.
 */
export class LeanQueueClient extends QueueClient {
  readonly #messagesUrl: URL;
  readonly #key: StorageSharedKeyCredential;

  constructor(url: string, credential: StorageSharedKeyCredential) {
    super(url, credential);
    this.#key = credential;
    this.#messagesUrl = new URL(`${url.replace(/\/+$/, '')}/messages`);
  }

  override async sendMessage(messageText: string, options: QueueSendMessageOptions = {}) {
    const query = new URLSearchParams();
    if (options.visibilityTimeout !== undefined) query.set('visibilitytimeout', String(options.visibilityTimeout));
    if (options.messageTimeToLive !== undefined) query.set('messagettl', String(options.messageTimeToLive));
    const body = messageXml(messageText);
    const res = await this.#call('POST', this.#messagesUrl.pathname, query, 201, body);
    const [m] = parseMessages(res.body);
    if (!m) throw new RestError('The queue service answered a sent message without its receipt.', { statusCode: 201 });
    return {
      messageId: m.messageId,
      popReceipt: m.popReceipt,
      insertedOn: m.insertedOn,
      expiresOn: m.expiresOn,
      nextVisibleOn: m.nextVisibleOn,
      ...commonHeaders(res.headers),
    } as QueueSendMessageResponse;
  }

  override async receiveMessages(options: QueueReceiveMessageOptions = {}) {
    const query = new URLSearchParams();
    if (options.numberOfMessages !== undefined) query.set('numofmessages', String(options.numberOfMessages));
    if (options.visibilityTimeout !== undefined) query.set('visibilitytimeout', String(options.visibilityTimeout));
    const res = await this.#call('GET', this.#messagesUrl.pathname, query, 200);
    const receivedMessageItems: DequeuedMessageItem[] = parseMessages(res.body).map((m) => ({
      messageId: m.messageId,
      insertedOn: m.insertedOn,
      expiresOn: m.expiresOn,
      popReceipt: m.popReceipt,
      nextVisibleOn: m.nextVisibleOn,
      dequeueCount: m.dequeueCount ?? 0,
      messageText: m.messageText ?? '',
    }));
    return {
      receivedMessageItems,
      ...commonHeaders(res.headers),
    } as QueueReceiveMessageResponse;
  }

  override async deleteMessage(messageId: string, popReceipt: string) {
    const query = new URLSearchParams({ popreceipt: popReceipt });
    const res = await this.#call(
      'DELETE',
      `${this.#messagesUrl.pathname}/${encodeURIComponent(messageId)}`,
      query,
      204,
    );
    return {
      ...commonHeaders(res.headers),
    } as QueueDeleteMessageResponse;
  }

  override async updateMessage(messageId: string, popReceipt: string, message?: string, visibilityTimeout?: number) {
    const query = new URLSearchParams({ popreceipt: popReceipt, visibilitytimeout: String(visibilityTimeout ?? 0) });
    const body = message === undefined ? undefined : messageXml(message);
    const path = `${this.#messagesUrl.pathname}/${encodeURIComponent(messageId)}`;
    const res = await this.#call('PUT', path, query, 204, body);
    const next = header(res.headers, 'x-ms-time-next-visible');
    return {
      popReceipt: header(res.headers, 'x-ms-popreceipt'),
      nextVisibleOn: next ? new Date(next) : undefined,
      ...commonHeaders(res.headers),
    } as QueueUpdateMessageResponse;
  }

  #call(method: string, path: string, query: URLSearchParams, expected: number, body?: string) {
    const search = query.toString();
    const url = new URL(`${this.#messagesUrl.origin}${path}${search ? `?${search}` : ''}`);
    return leanCall({
      method,
      url,
      body,
      ok: [expected],
      what: `${method} ${this.name}`,
      errorOf: (xml) => ({ code: textOf(xml, 'Code'), message: textOf(xml, 'Message') }),
      headers: () => {
        const headers: Record<string, string> = { 'x-ms-date': new Date().toUTCString(), 'x-ms-version': API_VERSION };
        if (body !== undefined) {
          headers['content-type'] = 'application/xml; charset=utf-8';
          headers['content-length'] = String(Buffer.byteLength(body, 'utf8'));
        }
        headers.authorization = this.#sign(method, url, headers);
        return headers;
      },
    });
  }

  /** Shared Key Lite (docs: "Authorize with Shared Key", Blob/Queue form): verb, MD5, type, x-ms-* headers, path. */
  #sign(method: string, url: URL, headers: Record<string, string>): string {
    const type = headers['content-type'] ?? '';
    const toSign = `${method}\n\n${type}\n\n${canonicalHeaders(headers)}/${this.#key.accountName}${url.pathname}`;
    return `SharedKeyLite ${this.#key.accountName}:${this.#key.computeHMACSHA256(toSign)}`;
  }
}

/**
 * The queue service of a connection string, whose queue clients are {@link LeanQueueClient}s when the connection
 * string carries the account key (always the case for Azurite), and the SDK's own otherwise.
 */
export function leanQueueService(connectionString: string): QueueServiceClient {
  const service = QueueServiceClient.fromConnectionString(connectionString);
  // The credential the SDK made of the connection string (protected in its types; public at run time).
  const credential = (service as unknown as { credential: unknown }).credential;
  if (!(credential instanceof StorageSharedKeyCredential) || new URL(service.url).search) return service;
  return new LeanQueueServiceClient(service.url, credential);
}

class LeanQueueServiceClient extends QueueServiceClient {
  readonly #key: StorageSharedKeyCredential;

  constructor(url: string, credential: StorageSharedKeyCredential) {
    super(url, credential);
    this.#key = credential;
  }

  override getQueueClient(queueName: string): QueueClient {
    return new LeanQueueClient(`${this.url.replace(/\/+$/, '')}/${encodeURIComponent(queueName)}`, this.#key);
  }
}

/** A message's text as the body of a send or an update. */
function messageXml(text: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><QueueMessage><MessageText>${escapeXml(text)}</MessageText></QueueMessage>`;
}

/** The version the requests speak: every field read here exists in it, and Azurite and Azure both accept it. */
const API_VERSION = '2021-12-02';

interface ParsedMessage {
  messageId: string;
  popReceipt: string;
  insertedOn: Date;
  expiresOn: Date;
  nextVisibleOn: Date;
  dequeueCount?: number;
  messageText?: string;
}

/** The `<QueueMessage>` elements of a `<QueueMessagesList>` answer (the service's XML is flat: one level of fields). */
export function parseMessages(xml: string): ParsedMessage[] {
  const out: ParsedMessage[] = [];
  for (const [, inner] of xml.matchAll(/<QueueMessage>([\s\S]*?)<\/QueueMessage>/g)) {
    const field = (name: string) => textOf(inner, name);
    const count = field('DequeueCount');
    out.push({
      messageId: field('MessageId') ?? '',
      popReceipt: field('PopReceipt') ?? '',
      insertedOn: new Date(field('InsertionTime') ?? ''),
      expiresOn: new Date(field('ExpirationTime') ?? ''),
      nextVisibleOn: new Date(field('TimeNextVisible') ?? ''),
      ...(count !== undefined ? { dequeueCount: Number(count) } : {}),
      ...(inner.includes('<MessageText') ? { messageText: field('MessageText') ?? '' } : {}),
    });
  }
  return out;
}

/** One pattern per element name, built once (a receive reads seven fields of each message). */
const ELEMENTS = new Map<string, RegExp>();

function textOf(xml: string, name: string): string | undefined {
  let pattern = ELEMENTS.get(name);
  if (!pattern) ELEMENTS.set(name, (pattern = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}>)`)));
  const m = pattern.exec(xml);
  return m ? unescapeXml(m[1] ?? '') : undefined;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

/** Text as XML character data; a carriage return as a reference, which XML parsers do not fold into a line feed. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : NAMED[e],
  );
}
