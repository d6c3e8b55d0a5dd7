import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, type JWTPayload } from 'jose';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { ROUTES, type AnyRoute } from '../../../shared/api';
import { LocalKeyStore } from '../../../shared/auth';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../../shared/auth/localKeyStore';
import { ROLE_RANK, type Role } from '../../../shared/auth/types';
import { packSnapshot } from '../../../shared/snapshot';
import { AUDIENCE, entraClaims, makeKey, sign, TENANT, unsigned, type TestKey } from '../../unit/auth/fakeIssuer';
import { PIPELINE } from '../../unit/api/harness';
import { caller, ROOT, startStack, type Stack } from './stack';

/**
 * Done-when (2): every route of the app (the route table, so a new route is covered without editing this test)
 * over real HTTP, on a host in local mode and a second host in entra mode whose JWKS is served on loopback. Each bad
 * token → 401 with its reason and a WWW-Authenticate challenge; a missing role → 403 naming it; and none of those
 * leaves a trace (no run, no published pipeline, no endpoint, no status change). Valid tokens of each role reach
 * exactly the routes their role allows.
 */

let azurite: RunningAzurite;
let jwks: Server;
let local: Stack;
let entra: Stack;
let devKeys: LocalKeyStore;
let entraKey: TestKey;
let strangerKey: TestKey;
/** What refused requests aim at (and must leave untouched), and what allowed requests may change. */
const ctx = {
  denied: { runId: '', publishedId: '' },
  allowed: { runId: '', publishedId: '' },
  endpoint: `ep${randomUUID().slice(0, 8)}`,
  snapshot: new Uint8Array() as Uint8Array,
};
const DENIED = `denied-${randomUUID().slice(0, 8)}`;
const DENIED_ENDPOINT = `denied${randomUUID().slice(0, 8)}`;
const ROLES: Role[] = ['Sluice.Read', 'Sluice.Run', 'Sluice.Admin'];
const protectedRoutes = ROUTES.filter((r) => r.access !== 'anonymous');

const now = () => Math.floor(Date.now() / 1000);

before(async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  devKeys = await LocalKeyStore.loadOrCreate(ROOT);
  entraKey = await makeKey('entra-key-1');
  strangerKey = await makeKey('stranger');
  jwks = createServer((req, res) => {
    res.writeHead(req.url === '/keys' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [entraKey.publicJwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/keys`;
  [local, entra] = await Promise.all([
    startStack(azurite.connectionString),
    startStack(azurite.connectionString, {
      env: {
        SLUICE_AUTH_MODE: 'entra',
        SLUICE_AUTH_TENANT_ID: TENANT,
        SLUICE_AUTH_AUDIENCE: AUDIENCE,
        SLUICE_AUTH_JWKS_URI: jwksUri,
      },
    }),
  ]);

  // What the routes act on: a run, a published pipeline, an endpoint, a snapshot archive.
  const admin = await devKeys.sign({ role: 'Sluice.Admin', subject: 'setup' });
  const call = caller(local.base);
  for (const target of [ctx.denied, ctx.allowed]) {
    const submitted = await call('experiments/setup/runs', { token: admin, json: { pipeline: PIPELINE } });
    assert.equal(submitted.status, 202, await submitted.clone().text());
    target.runId = ((await submitted.json()) as { id: string }).id;
    const published = await call('published-pipelines', { token: admin, json: { name: 'auth', pipeline: PIPELINE } });
    assert.equal(published.status, 201, await published.clone().text());
    target.publishedId = ((await published.json()) as { id: string }).id;
  }
  const ep = await call(`pipeline-endpoints/${ctx.endpoint}`, {
    method: 'PUT',
    token: admin,
    json: { publishedPipelineId: ctx.allowed.publishedId },
  });
  assert.equal(ep.status, 201, await ep.clone().text());
  const dir = mkdtempSync(join(tmpdir(), 'auth-snap-'));
  writeFileSync(join(dir, 'a.py'), `print(${JSON.stringify(randomUUID())})\n`);
  ctx.snapshot = packSnapshot(dir).archive;
});

after(async () => {
  await Promise.all([local?.stop(), entra?.stop()]);
  await new Promise((r) => (jwks ? jwks.close(r) : r(undefined)));
  await azurite?.stop();
});

/** A request that would succeed (or change something) if it got past authorization; `experiment` marks its effects. */
function requestFor(route: AnyRoute, experiment: string, denied: boolean): { path: string; init: RequestInit } {
  const target = denied ? ctx.denied : ctx.allowed;
  const values: Record<string, string> = {
    runId: target.runId,
    step: 'first',
    id: target.publishedId,
    name: route.name === 'putPipelineEndpoint' && denied ? DENIED_ENDPOINT : ctx.endpoint,
    experiment,
  };
  const path = route.path.replace(/\{([^}]+)\}/g, (_m, p: string) => encodeURIComponent(values[p]));
  const bodies: Record<string, unknown> = {
    submitRun: { pipeline: PIPELINE },
    cancelRun: {},
    publishPipeline: { name: experiment, pipeline: PIPELINE },
    submitPublishedPipeline: { ExperimentName: experiment },
    submitPipelineEndpoint: { ExperimentName: experiment },
    putPipelineEndpoint: { publishedPipelineId: target.publishedId },
  };
  const init: RequestInit = { method: route.method, headers: {} };
  if (route.name === 'uploadSnapshot') {
    init.body = ctx.snapshot;
    (init.headers as Record<string, string>)['content-type'] = 'application/gzip';
  } else if (route.name in bodies) {
    init.body = JSON.stringify(bodies[route.name]);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return { path, init };
}

async function send(
  stack: Stack,
  route: AnyRoute,
  authorization: string | undefined,
  experiment: string,
  denied: boolean,
) {
  const { path, init } = requestFor(route, experiment, denied);
  const headers = { ...(init.headers as Record<string, string>), ...(authorization ? { authorization } : {}) };
  return fetch(`${stack.base}/${path}`, { ...init, headers });
}

type BadToken = { kind: string; reason: string; authorization: () => Promise<string | undefined> };

const devToken = (overrides: Parameters<LocalKeyStore['sign']>[0]) => devKeys.sign(overrides);

function localBadTokens(): BadToken[] {
  const hourAgo = new Date(Date.now() - 2 * 3600_000);
  const inAnHour = new Date(Date.now() + 3600_000);
  const devClaims: JWTPayload = {
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    sub: 'x',
    roles: ['Sluice.Admin'],
    exp: now() + 600,
  };
  return [
    { kind: 'no token', reason: 'missing_token', authorization: async () => undefined },
    { kind: 'malformed', reason: 'malformed', authorization: async () => 'Bearer not-a-jwt' },
    {
      kind: 'expired',
      reason: 'expired',
      authorization: async () =>
        `Bearer ${await devToken({ role: 'Sluice.Admin', issuedAt: hourAgo, lifetime: 3600 })}`,
    },
    {
      kind: 'not yet valid',
      reason: 'not_yet_valid',
      authorization: async () => `Bearer ${await devToken({ role: 'Sluice.Admin', issuedAt: inAnHour })}`,
    },
    {
      kind: 'wrong issuer',
      reason: 'issuer',
      authorization: async () => `Bearer ${await sign(strangerKey, { ...devClaims, iss: 'https://evil.example/' })}`,
    },
    {
      kind: 'wrong audience',
      reason: 'audience',
      authorization: async () => `Bearer ${await devToken({ role: 'Sluice.Admin', audience: 'api://someone-else' })}`,
    },
    {
      kind: 'bad signature',
      reason: 'signature',
      authorization: async () => `Bearer ${tamper(await devToken({ role: 'Sluice.Admin' }))}`,
    },
    { kind: 'alg none', reason: 'unsigned', authorization: async () => `Bearer ${unsigned(devClaims)}` },
    {
      kind: 'unknown key',
      reason: 'unknown_key',
      authorization: async () => `Bearer ${await sign(strangerKey, devClaims)}`,
    },
  ];
}

function entraBadTokens(): BadToken[] {
  const admin = (o: JWTPayload = {}) => entraClaims({ roles: ['Sluice.Admin'], ...o });
  return [
    { kind: 'no token', reason: 'missing_token', authorization: async () => undefined },
    { kind: 'malformed', reason: 'malformed', authorization: async () => 'Bearer a.b' },
    {
      kind: 'expired',
      reason: 'expired',
      authorization: async () =>
        `Bearer ${await sign(entraKey, admin({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 }))}`,
    },
    {
      kind: 'not yet valid',
      reason: 'not_yet_valid',
      authorization: async () => `Bearer ${await sign(entraKey, admin({ nbf: now() + 3600, exp: now() + 7200 }))}`,
    },
    {
      kind: 'wrong issuer',
      reason: 'issuer',
      authorization: async () =>
        `Bearer ${await sign(entraKey, admin({ iss: 'https://sts.windows.net/another-tenant/' }))}`,
    },
    {
      kind: 'wrong audience',
      reason: 'audience',
      authorization: async () => `Bearer ${await sign(entraKey, admin({ aud: 'api://someone-else' }))}`,
    },
    {
      kind: 'bad signature',
      reason: 'signature',
      authorization: async () => `Bearer ${tamper(await sign(entraKey, admin()))}`,
    },
    { kind: 'alg none', reason: 'unsigned', authorization: async () => `Bearer ${unsigned(admin())}` },
    {
      kind: 'unknown key',
      reason: 'unknown_key',
      authorization: async () => `Bearer ${await sign(strangerKey, admin())}`,
    },
    {
      kind: 'local issuer',
      reason: 'local_issuer',
      authorization: async () => `Bearer ${await devToken({ role: 'Sluice.Admin' })}`,
    },
  ];
}

/** The same token with one character of its signature changed (still well-formed base64url). */
function tamper(token: string): string {
  const [h, p, s] = token.split('.');
  const i = Math.floor(s.length / 2);
  return `${h}.${p}.${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
}

async function validToken(mode: 'local' | 'entra', role: Role): Promise<string> {
  if (mode === 'local') return devKeys.sign({ role, subject: `local-${role}` });
  return sign(entraKey, entraClaims({ roles: [role], name: `entra-${role}` }));
}

/** Nothing the denied requests asked for happened. */
async function assertNoSideEffects(stack: Stack) {
  const call = caller(stack.base);
  const admin = stack === local ? await validToken('local', 'Sluice.Admin') : await validToken('entra', 'Sluice.Admin');
  const runs = (await (await call(`runs?experiment=${DENIED}`, { token: admin })).json()) as { value: unknown[] };
  assert.deepEqual(runs.value, [], 'no run was created');
  const published = (await (await call(`published-pipelines?name=${DENIED}`, { token: admin })).json()) as {
    value: unknown[];
  };
  assert.deepEqual(published.value, [], 'nothing was published');
  assert.equal(
    (await call(`pipeline-endpoints/${DENIED_ENDPOINT}`, { token: admin })).status,
    404,
    'no endpoint was made',
  );
  const p = (await (await call(`published-pipelines/${ctx.denied.publishedId}`, { token: admin })).json()) as {
    status: string;
  };
  assert.equal(p.status, 'Active', 'nothing was disabled');
  const run = (await (await call(`runs/${ctx.denied.runId}`, { token: admin })).json()) as { cancelRequested: boolean };
  assert.equal(run.cancelRequested, false, 'nothing was canceled');
  const ep = (await (await call(`pipeline-endpoints/${ctx.endpoint}`, { token: admin })).json()) as {
    versions: unknown[];
  };
  assert.equal(ep.versions.length, 1, 'no version was added');
}

for (const mode of ['local', 'entra'] as const) {
  describe(`${mode} mode`, () => {
    const stack = () => (mode === 'local' ? local : entra);

    test('health and OpenAPI are anonymous', async () => {
      const call = caller(stack().base);
      assert.equal((await call('health')).status, 200);
      assert.equal((await call('openapi.json')).status, 200);
    });

    for (const bad of mode === 'local' ? localBadTokens() : entraBadTokens()) {
      test(`${bad.kind} → 401 (${bad.reason}) with a challenge on every protected route`, async () => {
        const authorization = await bad.authorization();
        for (const route of protectedRoutes) {
          const res = await send(stack(), route, authorization, DENIED, true);
          const where = `${bad.kind}: ${route.method} /api/${route.path}`;
          assert.equal(res.status, 401, `${where} → ${res.status} ${await res.clone().text()}`);
          const body = (await res.json()) as { error: { code: string; message: string; details: { reason: string } } };
          assert.equal(body.error.code, 'Unauthorized', where);
          assert.equal(body.error.details.reason, bad.reason, `${where}: ${body.error.message}`);
          const challenge = res.headers.get('www-authenticate') ?? '';
          assert.match(challenge, /^Bearer realm="sluice"/, where);
          if (bad.reason !== 'missing_token') assert.match(challenge, /error="invalid_token"/, where);
          if (authorization) assert.ok(!body.error.message.includes(authorization.slice(7)), 'the token is not echoed');
        }
      });
    }

    test('a missing role → 403 naming the role on every route above the caller; valid roles reach exactly theirs', async () => {
      for (const role of ROLES) {
        const token = await validToken(mode, role);
        for (const route of protectedRoutes) {
          const required = route.access as Role;
          const allowed = ROLE_RANK[role] >= ROLE_RANK[required];
          const res = await send(stack(), route, `Bearer ${token}`, allowed ? `ok-${mode}` : DENIED, !allowed);
          const where = `${role}: ${route.method} /api/${route.path} (needs ${required})`;
          const text = await res.text();
          if (allowed) {
            assert.ok(res.status < 500 && res.status !== 401 && res.status !== 403, `${where} → ${res.status} ${text}`);
          } else {
            assert.equal(res.status, 403, `${where} → ${res.status} ${text}`);
            const body = JSON.parse(text) as {
              error: { code: string; message: string; details: { requiredRole: string } };
            };
            assert.equal(body.error.code, 'Forbidden');
            assert.equal(body.error.details.requiredRole, required);
            assert.match(
              body.error.message,
              new RegExp(`^This request needs the app role ${required.replace('.', '\\.')}`),
            );
          }
        }
      }
    });

    test('none of the refused requests left a trace', async () => {
      await assertNoSideEffects(stack());
    });
  });
}

test('entra mode accepts Entra v1 tokens (issuer sts.windows.net) as well as v2', async () => {
  const v1 = await new SignJWT(
    entraClaims({ iss: `https://sts.windows.net/${TENANT}/`, roles: ['Sluice.Read'], appid: 'v1-app' }),
  )
    .setProtectedHeader({ alg: 'RS256', kid: entraKey.kid, typ: 'JWT' })
    .sign(entraKey.privateKey);
  const res = await caller(entra.base)('published-pipelines', { token: v1 });
  assert.equal(res.status, 200, await res.clone().text());
});
