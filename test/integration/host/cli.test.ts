import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, runCli } from './hostProcess';

/** Never contacted: these runs fail before they touch storage. */
const STORAGE = 'DefaultEndpointsProtocol=http;AccountName=x;AccountKey=eA==;BlobEndpoint=http://127.0.0.1:9/x;';

describe('sluice host start: bad input', () => {
  test('an app folder without package.json: exit 2 and one readable line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-pkg-'));
    const { code, stderr } = await runCli(['host', 'start', '--app', dir, '--storage', STORAGE]);
    assert.equal(code, 2);
    assert.equal(stderr, `sluice: ${dir} has no package.json; point --app at the folder of your Functions app.\n`);
  });

  test('a missing app folder: exit 2', async () => {
    const { code, stderr } = await runCli(['host', 'start', '--app', '/nonexistent/app', '--storage', STORAGE]);
    assert.equal(code, 2);
    assert.equal(stderr, 'sluice: The app folder /nonexistent/app does not exist; check --app.\n');
  });

  test('a main that matches nothing: exit 2', async () => {
    const { code, stderr } = await runCli(['host', 'start', '--app', fixture('host-nomain'), '--storage', STORAGE]);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      `sluice: package.json "main" (dist/src/functions/*.js) matches no file in ${fixture('host-nomain')}; ` +
        'build the app first (npm run build) or fix "main".\n',
    );
  });

  test("an app that throws while loading: the user's own stack trace, exit 1", async () => {
    const { code, stderr } = await runCli([
      'host',
      'start',
      '--app',
      fixture('host-broken'),
      '--port',
      '0',
      '--storage',
      STORAGE,
    ]);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /The app failed while loading .*host-broken\/index\.js: fixture app failed to load its configuration/,
    );
    assert.match(
      stderr,
      /Error: fixture app failed to load its configuration\n\s+at loadConfiguration \(.*host-broken\/index\.js:6:9\)/,
    );
  });

  test('unknown options and bad values print the usage: exit 2', async () => {
    const unknown = await runCli(['host', 'start', '--nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^sluice: Unknown option '--nope'/);
    assert.match(
      unknown.stderr,
      /Usage: sluice host start \[--app DIR\] \[--port N\] \[--storage CONN\] \[--in-memory\]/,
    );
    const port = await runCli(['host', 'start', '--port', 'abc']);
    assert.equal(port.code, 2);
    assert.equal(
      port.stderr,
      'sluice: --port must be a whole number from 0 to 65535 (0 picks a free port), not "abc".\n',
    );
  });

  test('a port already taken: exit 2 naming the port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli([
        'host',
        'start',
        '--app',
        fixture('host-basic'),
        '--port',
        String(port),
        '--storage',
        STORAGE,
      ]);
      assert.equal(code, 2);
      assert.equal(
        stderr,
        `sluice: Port ${port} is already in use; stop what uses it or pass --port (0 picks a free port).\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
