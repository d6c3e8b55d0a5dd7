import { randomUUID } from 'node:crypto';
import { RestError } from '@azure/storage-queue';
import type { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { escapeKey } from '../names';
import type { TaskMessage } from '../messages';
import { eventTypeName } from '../protocol';
import { LargePayloads, MAX_QUEUE_MESSAGE_BYTES } from './blobs';

/** Azure queues cap a message's invisibility at 7 days; longer timers are re-enqueued when they surface early. */
export const MAX_VISIBILITY_SECONDS = 604_800;

/** A received or sent queue message, held by the engine until what it carries is durable elsewhere. */
export interface QueueRef {
  queue: string;
  messageId: string;
  popReceipt: string;
  dequeueCount: number;
}

export interface ReceivedMessage {
  ref: QueueRef;
  messages: TaskMessage[];
}

/** What a queue message's text is: a batch of task messages for one instance, or a pointer to a blob holding it. */
interface QueueBody {
  id: string;
  messages?: TaskMessage[];
  compressedBlobName?: string;
}

function notFound(err: unknown): boolean {
  return err instanceof RestError && (err.statusCode === 404 || err.statusCode === 400);
}

/**
 * The control and work-item queues. Messages are plain UTF-8 JSON with infinite time-to-live; bodies above 45 KB
 * are stored gzip-compressed in `<hub>-largemessages` (named after the instance, so a purge removes them).
 */
export class QueueTransport {
  /** One client per queue: building a client (its URL, pipeline and options) cost as much CPU as a request. */
  private readonly clients = new Map<string, QueueClient>();

  constructor(
    private readonly service: QueueServiceClient,
    private readonly blobs: LargePayloads,
  ) {}

  private client(queue: string): QueueClient {
    let client = this.clients.get(queue);
    if (!client) this.clients.set(queue, (client = this.service.getQueueClient(queue)));
    return client;
  }

  async ensure(names: string[]): Promise<void> {
    await Promise.all(names.map((n) => this.client(n).createIfNotExists()));
  }

  /** Sends `messages` (all for one instance) invisible for `visibilityMs`, and returns the handle to claim it. */
  async send(queue: string, messages: TaskMessage[], visibilityMs: number): Promise<QueueRef> {
    const body: QueueBody = { id: randomUUID(), messages };
    let text = JSON.stringify(body);
    if (Buffer.byteLength(text, 'utf8') > MAX_QUEUE_MESSAGE_BYTES) {
      const first = messages[0];
      const name = `${escapeKey(first.instanceId)}/message-${body.id.replace(/-/g, '')}-${eventTypeName(first.event.EventType)}.json.gz`;
      await this.blobs.upload(name, text);
      text = JSON.stringify({ id: body.id, compressedBlobName: name } satisfies QueueBody);
    }
    const visibilityTimeout = Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(visibilityMs / 1000)));
    const res = await this.client(queue).sendMessage(text, { messageTimeToLive: -1, visibilityTimeout });
    return { queue, messageId: res.messageId, popReceipt: res.popReceipt, dequeueCount: 0 };
  }

  async receive(queue: string, max: number, visibilityMs: number): Promise<ReceivedMessage[]> {
    const res = await this.client(queue).receiveMessages({
      numberOfMessages: max,
      visibilityTimeout: Math.max(1, Math.ceil(visibilityMs / 1000)),
    });
    const out: ReceivedMessage[] = [];
    for (const m of res.receivedMessageItems) {
      const ref: QueueRef = { queue, messageId: m.messageId, popReceipt: m.popReceipt, dequeueCount: m.dequeueCount };
      try {
        let body = JSON.parse(m.messageText) as QueueBody;
        if (body.compressedBlobName) body = JSON.parse(await this.blobs.download(body.compressedBlobName)) as QueueBody;
        out.push({ ref, messages: body.messages ?? [] });
      } catch {
        // Not ours or unreadable: drop it rather than poison the loop.
        await this.delete(ref);
      }
    }
    return out;
  }

  /** Deletes the message; a message already gone (or re-received elsewhere) is not an error. */
  async delete(ref: QueueRef): Promise<void> {
    try {
      await this.client(ref.queue).deleteMessage(ref.messageId, ref.popReceipt);
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  /** Changes the message's invisibility (to extend a claim, or 0 to release it); false when we no longer hold it. */
  async setVisibility(ref: QueueRef, visibilityMs: number): Promise<boolean> {
    try {
      const res = await this.client(ref.queue).updateMessage(
        ref.messageId,
        ref.popReceipt,
        undefined,
        Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(visibilityMs / 1000)),
      );
      ref.popReceipt = res.popReceipt!;
      return true;
    } catch (err) {
      if (notFound(err)) return false;
      throw err;
    }
  }
}
