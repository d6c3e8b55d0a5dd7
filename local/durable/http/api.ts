import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestKey } from '../../keys';
import { managementUrls, RPC_SEGMENT, WEBHOOK_PATH } from '../client/binding';
import { ArgumentError, type DurableOperations } from '../client/operations';
import type { StatusPayload } from '../client/status';
import { isTerminal, RuntimeStatus, type RuntimeStatusName } from '../protocol';
import { boolParam, dateParam, readBody, secondsParam, send, sendError } from './respond';

const ENTITIES_501 = { Message: 'Durable entities are not supported by the Sluice local host.' };

/**
 * The Durable HTTP API at `/runtime/webhooks/durabletask/...` with the extension's routes, status codes and bodies
 * (HttpApiHandler; ../shared/docs/durable-protocol.md §6). The DurableClient of the SDK calls the same routes.
 */
/** Who may call the webhooks: the system key (or master key) as `code=` or `x-functions-key`, or the app's client. */
export interface WebhookAuth {
  /** The extension's system key, which the URLs this API hands out carry as `code=`. */
  code: string;
  /** True for the extension's system key or the host's master key. */
  authorized(key: string | undefined): boolean;
  /** The token of the app's own client path (`rpc/<token>/`, see durableClientData). */
  rpcToken: string;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class DurableHttpApi {
  constructor(
    private readonly ops: DurableOperations,
    private readonly hubName: string,
    private readonly auth: WebhookAuth,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname !== WEBHOOK_PATH && !url.pathname.startsWith(WEBHOOK_PATH + '/')) return false;
    const rest = url.pathname.slice(WEBHOOK_PATH.length).replace(/^\/+|\/+$/g, '');
    let seg = rest ? rest.split('/').map((s) => decodeURIComponent(s)) : [];
    if (seg[0] === RPC_SEGMENT && seg.length >= 2 && sameText(seg[1], this.auth.rpcToken)) {
      seg = seg.slice(2);
    } else if (!this.auth.authorized(requestKey(req.headers, url))) {
      // As the Functions host: a webhook without the extension's system key (or the master key) is a bare 401.
      req.resume();
      send(res, 401);
      return true;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    try {
      if (seg[0] === 'orchestrators' && seg.length >= 2 && seg.length <= 3) {
        if (method !== 'POST') notFound(res);
        else await this.start(req, res, url, origin, seg[1], seg[2]);
      } else if (seg[0] === 'entities') {
        send(res, 501, ENTITIES_501);
      } else if (seg[0] === 'instances') {
        await this.instances(req, res, url, origin, method, seg.slice(1));
      } else {
        notFound(res);
      }
    } catch (err) {
      if (err instanceof ArgumentError) {
        sendError(res, 400, 'One or more of the arguments submitted is incorrect', err, 'System.ArgumentException');
      } else {
        sendError(res, 500, 'Something went wrong while processing your request', err);
      }
    }
    return true;
  }

  private checkStatus(res: ServerResponse, origin: string, id: string): void {
    const urls = managementUrls(origin, this.hubName, id, this.auth.code);
    send(
      res,
      202,
      {
        id,
        statusQueryGetUri: urls.statusQueryGetUri,
        sendEventPostUri: urls.sendEventPostUri,
        terminatePostUri: urls.terminatePostUri,
        purgeHistoryDeleteUri: urls.purgeHistoryDeleteUri,
        restartPostUri: urls.restartPostUri,
        suspendPostUri: urls.suspendPostUri,
        resumePostUri: urls.resumePostUri,
      },
      { Location: urls.statusQueryGetUri, 'Retry-After': '10' },
    );
  }

  private async start(req: IncomingMessage, res: ServerResponse, url: URL, origin: string, name: string, id?: string) {
    const text = await readBody(req);
    let input: string | null = null;
    if (text.length) {
      try {
        input = JSON.stringify(JSON.parse(text));
      } catch (err) {
        return sendError(res, 400, 'Invalid JSON content', err, 'Newtonsoft.Json.JsonReaderException');
      }
    }
    const instanceId = await this.ops.startNew(name, id || undefined, input);
    await this.respondStarted(res, url, origin, instanceId);
  }

  private async respondStarted(res: ServerResponse, url: URL, origin: string, id: string): Promise<void> {
    const timeout = secondsParam(url, 'timeout');
    const interval = secondsParam(url, 'pollingInterval');
    if (timeout === undefined || interval === undefined) return this.checkStatus(res, origin, id);
    if (interval > timeout) {
      throw new ArgumentError(`Total timeout ${timeout} should be bigger than retry timeout ${interval}`);
    }
    const deadline = Date.now() + timeout * 1000;
    let status: StatusPayload | undefined;
    for (;;) {
      status = await this.ops.status(id);
      if (status && isTerminal(status.runtimeStatus as RuntimeStatusName)) break;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(left, interval * 1000)));
    }
    if (status?.runtimeStatus === 'Completed') return send(res, 200, status.output);
    if (status && isTerminal(status.runtimeStatus as RuntimeStatusName)) return send(res, 200, status);
    this.checkStatus(res, origin, id);
  }

  private async instances(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    origin: string,
    method: string,
    seg: string[],
  ): Promise<void> {
    const [id, op, eventName] = seg;
    if (!id) {
      if (method === 'GET') return this.list(req, res, url);
      if (method === 'DELETE') return this.purgeBy(res, url);
      return notFound(res);
    }
    if (op === 'raiseEvent' && eventName !== undefined && seg.length === 3) {
      return method === 'POST' ? this.raise(req, res, id, eventName) : notFound(res);
    }
    if (seg.length === 1) {
      if (method === 'GET') return this.getStatus(req, res, url, id);
      if (method === 'DELETE') {
        const status = await this.ops.status(id, { showInput: false });
        if (!status) return notFound(res);
        return send(res, 200, { instancesDeleted: await this.ops.purge(id) });
      }
      return notFound(res);
    }
    if (seg.length !== 2 || method !== 'POST') return notFound(res);
    const reason = url.searchParams.get('reason');
    switch (op.toLowerCase()) {
      case 'terminate':
      case 'suspend':
      case 'resume': {
        const status = await this.ops.status(id, { showInput: false });
        if (!status) return notFound(res);
        if (isTerminal(status.runtimeStatus as RuntimeStatusName)) return send(res, 410);
        const lower = op.toLowerCase();
        if (lower === 'terminate') await this.ops.terminate(id, reason);
        else if (lower === 'suspend') await this.ops.suspend(id, reason);
        else await this.ops.resume(id, reason);
        return send(res, 202);
      }
      case 'rewind': {
        const status = await this.ops.status(id, { showInput: false });
        if (!status) return notFound(res);
        if (['Canceled', 'Terminated', 'Completed'].includes(status.runtimeStatus)) return send(res, 410);
        // Empty body: the SDK then reports "The rewind operation is not supported by the underlying storage provider."
        return send(res, 501);
      }
      case 'restart': {
        let newId: string;
        try {
          newId = await this.ops.restart(id, boolParam(url, 'restartWithNewInstanceId') ?? true);
        } catch (err) {
          if (err instanceof ArgumentError) {
            return sendError(
              res,
              400,
              'InstanceId does not match a valid orchestration instance.',
              err,
              'System.ArgumentException',
            );
          }
          throw err;
        }
        return this.respondStarted(res, url, origin, newId);
      }
      default:
        return notFound(res);
    }
  }

  private async getStatus(req: IncomingMessage, res: ServerResponse, url: URL, id: string): Promise<void> {
    const status = await this.ops.status(id, {
      showHistory: boolParam(url, 'showHistory') ?? false,
      showHistoryOutput: boolParam(url, 'showHistoryOutput') ?? false,
      showInput: boolParam(url, 'showInput') ?? true,
    });
    if (!status) return notFound(res);
    switch (status.runtimeStatus as RuntimeStatusName) {
      case 'Running':
      case 'Pending':
      case 'ContinuedAsNew':
      case 'Suspended':
        return send(res, 202, status, { Location: `http://${req.headers.host}${req.url}`, 'Retry-After': '5' });
      case 'Failed':
        return send(res, boolParam(url, 'returnInternalServerErrorOnFailure') ? 500 : 200, status);
      default:
        return send(res, 200, status);
    }
  }

  private async list(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const statuses = url.searchParams
      .getAll('runtimeStatus')
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v): v is RuntimeStatusName => v in RuntimeStatus);
    const top = Number(url.searchParams.get('top'));
    const token = req.headers['x-ms-continuation-token'];
    const { items, continuationToken } = await this.ops.list(
      {
        instanceIdPrefix: url.searchParams.get('instanceIdPrefix') ?? undefined,
        createdTimeFrom: dateParam(url, 'createdTimeFrom'),
        createdTimeTo: dateParam(url, 'createdTimeTo'),
        runtimeStatus: statuses.length ? statuses : undefined,
        pageSize: Number.isInteger(top) && top > 0 ? top : undefined,
        continuationToken: typeof token === 'string' && token ? token : undefined,
      },
      boolParam(url, 'showInput') ?? true,
    );
    send(res, 200, items, continuationToken ? { 'x-ms-continuation-token': continuationToken } : {});
  }

  private async purgeBy(res: ServerResponse, url: URL): Promise<void> {
    const from = dateParam(url, 'createdTimeFrom');
    if (!from) return send(res, 400, "Please provide value for 'createdTimeFrom' parameter.");
    const statuses = (url.searchParams.get('runtimeStatus') ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v): v is RuntimeStatusName => v in RuntimeStatus);
    const n = await this.ops.purgeBy({
      createdTimeFrom: from,
      createdTimeTo: dateParam(url, 'createdTimeTo') ?? new Date(),
      runtimeStatus: statuses.length ? statuses : undefined,
    });
    if (n === 0) return notFound(res);
    send(res, 200, { instancesDeleted: n });
  }

  private async raise(req: IncomingMessage, res: ServerResponse, id: string, eventName: string): Promise<void> {
    // An instance running in this host answers from memory; any other from its status row.
    const runtimeStatus = this.ops.liveStatus(id) ?? (await this.ops.status(id, { showInput: false }))?.runtimeStatus;
    if (!runtimeStatus) return notFound(res);
    if (isTerminal(runtimeStatus as RuntimeStatusName)) return send(res, 410);
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return sendError(res, 400, 'Only application/json request content is supported');
    const text = await readBody(req);
    let data: string | null = null;
    if (text.trim().length) {
      try {
        data = JSON.stringify(JSON.parse(text));
      } catch (err) {
        return sendError(res, 400, 'Invalid JSON content', err, 'Newtonsoft.Json.JsonReaderException');
      }
    }
    await this.ops.raiseEvent(id, eventName, data);
    send(res, 202);
  }
}

function notFound(res: ServerResponse): void {
  send(res, 404);
}
