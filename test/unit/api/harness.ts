import {
  createApi,
  ROUTES,
  type Api,
  type ApiLogger,
  type ApiRequest,
  type ApiResponse,
  type RunLauncher,
} from '../../../shared/api';
import { hasRole, ROLE_RANK, type Authorizer, type Principal, type Role } from '../../../shared/auth/types';
import { ForbiddenError, UnauthorizedError } from '../../../shared/errors';
import { createMemoryStore, type MemoryStore } from '../../../shared/store';
import { knownComputeTargets } from '../../../shared/compute/targets';
import type { DatastoreReach } from '../../../shared/datastores/access';
import type { DatastoreRecord } from '../../../shared/store/model';
import { randomBytes } from 'node:crypto';

/**
 * A test double of the API's surroundings: memory store, a fake authorizer (the header `Bearer <role>` grants that
 * role), a launcher that records calls (and can be told to fail), a fixed clock and sequential ids.
 */
export interface Harness {
  api: Api;
  store: MemoryStore;
  launched: string[];
  canceled: { runId: string; reason: string }[];
  logged: string[];
  launcher: RunLauncher & { failWith?: Error };
  clock: { now: Date };
  /** The fake compute queues: jobs waiting per target (set by tests), targets whose queue was created. */
  queues: { depth: Map<string, number>; ensured: string[] };
  /**
   * Other storage accounts, faked: containers that exist (`account/container`), accounts that refuse every
   * credential, and the records the API probed with (secrets opened with `secretsKey`).
   */
  otherAccounts: { containers: Set<string>; refusing: Set<string>; probes: DatastoreRecord[]; secretsKey: Buffer };
  call(method: string, path: string, options?: CallOptions): Promise<TestResponse>;
}

export interface CallOptions {
  /** `Sluice.Read` etc.; `null` sends no Authorization header. Default: Sluice.Admin. */
  role?: Role | null;
  headers?: Record<string, string>;
  json?: unknown;
  body?: Buffer | string;
}

export interface TestResponse extends ApiResponse {
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export const fakeAuthorizer: Authorizer = {
  async authorize(header, required) {
    if (!required) return undefined;
    if (!header) throw new UnauthorizedError('No bearer token.', { reason: 'missing_token' });
    const role = header.replace(/^Bearer\s+/, '') as Role;
    if (!(role in ROLE_RANK)) throw new UnauthorizedError('The token is invalid.', { reason: 'malformed' });
    const principal: Principal = { id: `id-${role}`, name: `user-${role}`, roles: [role], issuer: 'test' };
    if (!hasRole(principal, required)) throw new ForbiddenError(`This needs the ${required} role.`);
    return principal;
  },
};

export async function readAll(body: ApiResponse['body']): Promise<string> {
  if (body === undefined) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

export function createHarness(): Harness {
  const clock = { now: new Date('2024-05-01T12:00:00.000Z') };
  const store = createMemoryStore(() => clock.now);
  const launched: string[] = [];
  const canceled: { runId: string; reason: string }[] = [];
  const logged: string[] = [];
  const log: ApiLogger = {
    info: (m) => logged.push(m),
    warn: (m) => logged.push(m),
    error: (m, err) => logged.push(`${m} ${err instanceof Error ? err.stack : ''}`),
  };
  const launcher: RunLauncher & { failWith?: Error } = {
    async start(runId) {
      if (launcher.failWith) throw launcher.failWith;
      launched.push(runId);
    },
    async startOnce(runId) {
      if (launched.includes(runId)) return false;
      await launcher.start(runId);
      return true;
    },
    async cancel(runId, reason) {
      canceled.push({ runId, reason });
    },
  };
  const queues = { depth: new Map<string, number>(), ensured: [] as string[] };
  let seq = 0;
  const otherAccounts = {
    containers: new Set<string>(),
    refusing: new Set<string>(),
    probes: [] as DatastoreRecord[],
    secretsKey: randomBytes(32),
  };
  const datastoreReach: DatastoreReach = {
    workspaceServiceUrl: 'http://127.0.0.1:10000/devstoreaccount1',
    secretsKey: otherAccounts.secretsKey,
    access: () => {
      throw new Error('the API harness reaches no storage account');
    },
    async checkContainer(record, create) {
      otherAccounts.probes.push(record);
      if (otherAccounts.refusing.has(record.accountName!))
        throw Object.assign(new Error('denied'), { statusCode: 403 });
      const key = `${record.accountName}/${record.container}`;
      if (otherAccounts.containers.has(key)) return 'exists';
      if (!create) return 'missing';
      otherAccounts.containers.add(key);
      return 'created';
    },
  };
  const api = createApi({
    routes: ROUTES,
    authorizer: fakeAuthorizer,
    deps: {
      store,
      launcher,
      version: '9.9.9',
      defaultCompute: 'cpu',
      computeTargets: () => knownComputeTargets({ computeTargets: ['cpu', 'gpu'] }, store.computeTargets),
      computeQueues: {
        ensure: async (compute) => void queues.ensured.push(compute),
        depth: async (compute) => queues.depth.get(compute) ?? 0,
      },
      datastoreReach,
      log,
      now: () => {
        // Every call moves time on, so runs sort by creation like real ones.
        clock.now = new Date(clock.now.getTime() + 1000);
        return clock.now;
      },
      newId: () => `run-${String(++seq).padStart(3, '0')}`,
      follow: { pollIntervalMs: 1, maxDurationMs: 5000 },
    },
  });
  return {
    api,
    store,
    launched,
    canceled,
    logged,
    launcher,
    clock,
    queues,
    otherAccounts,
    async call(method, path, options = {}) {
      const headers = new Headers(options.headers);
      const role = options.role === undefined ? 'Sluice.Admin' : options.role;
      if (role) headers.set('authorization', `Bearer ${role}`);
      let body: Buffer | undefined;
      if (options.json !== undefined) {
        body = Buffer.from(JSON.stringify(options.json));
        headers.set('content-type', 'application/json');
      } else if (options.body !== undefined) body = Buffer.from(options.body);
      const request: ApiRequest = {
        method,
        url: `http://localhost:7071/api/${path.replace(/^\//, '')}`,
        headers,
        params: {},
        body: body ? [body] : null,
      };
      const response = await api.dispatch(request);
      const text = await readAll(response.body);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { ...response, text, json };
    },
  };
}

/** A valid two-step pipeline without source directories (so no snapshots are needed). */
export const PIPELINE = {
  name: 'demo',
  parameters: { n: { type: 'int', default: 1 } },
  data: { mid: {} },
  steps: [
    {
      name: 'first',
      type: 'command',
      command: 'echo',
      arguments: ['${{parameters.n}}', '${{data.mid}}'],
      outputs: ['mid'],
    },
    { name: 'second', type: 'command', command: 'cat', arguments: ['${{data.mid}}'], inputs: ['mid'] },
  ],
};

export const PIPELINE_YAML = `
name: demo
parameters:
  n: { type: int, default: 1 }
data:
  mid: {}
steps:
  - name: first
    type: command
    command: echo
    arguments: ["\${{parameters.n}}", "\${{data.mid}}"]
    outputs: [mid]
  - name: second
    type: command
    command: cat
    arguments: ["\${{data.mid}}"]
    inputs: [mid]
`;
