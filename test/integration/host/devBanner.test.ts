import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startAzurite, type RunningAzurite } from '../../../local/azurite';
import { appSettings, spawnCli, stopProcesses, waitUntil } from '../support';

/**
 * `sluice dev` (what `npm start` runs) on another port than the CLI's default, over an Azurite of its own: what it
 * prints must work as printed — the commands reach this port, and each API route shows the auth the app really
 * requires (a bearer token and its role), not the Functions auth level the app registers (anonymous).
 */

let azurite: RunningAzurite | undefined;
const children: ChildProcess[] = [];
after(async () => {
  await stopProcesses(children);
  await azurite?.stop();
});

test('the npm start banner prints commands for its own port and the bearer role of every API route', async () => {
  azurite = await startAzurite({ inMemory: true, blobPort: 0, queuePort: 0, tablePort: 0 });
  let text = '';
  const child = spawnCli(
    ['dev', '--port', '0', '--no-sample-data'],
    appSettings(azurite.connectionString, 'Dev'),
    (t) => (text += t),
  );
  children.push(child);
  await waitUntil(
    'the stack to start',
    () => {
      if (child.exitCode !== null) throw new Error(`sluice dev exited (${child.exitCode}):\n${text}`);
      return text.includes('Stop with Ctrl-C.');
    },
    90_000,
  );
  const origin = /Sluice host listening on (http:\/\/localhost:\d+)/.exec(text)?.[1];
  assert.ok(origin, text);
  assert.notEqual(origin, 'http://localhost:7071');
  assert.match(text, new RegExp(`\\n  export SLUICE_URL=${origin} `), 'the commands that follow reach this host');
  assert.match(
    text,
    new RegExp(`curl -H "Authorization: Bearer \\$\\(npx sluice token --role read\\)" ${origin}/api/runs`),
  );

  const line = (fn: string) => text.split('\n').find((l) => l.trimStart().startsWith(`${fn} `)) ?? '';
  assert.match(line('listRuns'), /\[GET\] http:\/\/localhost:\d+\/api\/runs {2}\(bearer token, role Sluice\.Read\)$/);
  assert.match(line('submitRun'), /\(bearer token, role Sluice\.Run\)$/);
  assert.match(line('publishPipeline'), /\(bearer token, role Sluice\.Admin\)$/);
  assert.match(line('health'), /\(no token needed\)$/);
  assert.match(
    line('unmatchedRoute'),
    /\(GET \/ redirects to Studio; any other path: a JSON 404, or 405 with Allow; no token needed\)$/,
  );
  assert.match(
    line('studio'),
    /\[GET,HEAD\] http:\/\/localhost:\d+\/studio\/\{\*path\} {2}\(Studio web UI: .*no token needed\)$/,
  );
  assert.doesNotMatch(text, /authLevel: anonymous/, 'no API route is listed as anonymous');

  // The listing tells the truth: a route listed with a role refuses a request without a token.
  const res = await fetch(`${origin}/api/runs`);
  assert.equal(res.status, 401);

  // The Studio sign-in URL it printed opens Studio once: its code becomes a session token for the API, then is used up.
  const studio = /\n {2}Studio +(http:\/\/localhost:\d+\/studio\/\?signin=([A-Za-z0-9_-]+))\n/.exec(text);
  assert.ok(studio, text);
  assert.ok(studio[1].startsWith(`${origin}/studio/`), studio[1]);
  const root = await fetch(`${origin}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/studio/');
  const page = await fetch(studio[1]);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Sluice Studio<\/title>/);
  const exchange = () =>
    fetch(`${origin}/api/studio/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: studio[2] }),
    });
  const session = await exchange();
  assert.equal(session.status, 201);
  const { token } = (await session.json()) as { token: string };
  const runs = await fetch(`${origin}/api/runs`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(runs.status, 200);
  assert.equal((await exchange()).status, 401, 'a sign-in code works once');
  assert.ok(!text.includes(token), 'the session token is never printed');
});
