import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMMUTABLE, serveStudio } from '../../../shared/studio/static';

function built(): string {
  const root = mkdtempSync(join(tmpdir(), 'studio-static-'));
  const dir = join(root, 'studio');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Studio</title>');
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *');
  writeFileSync(join(root, 'secret.txt'), 'not for the web');
  return dir;
}

const text = (body: unknown) => Buffer.from(body as Uint8Array).toString('utf8');

test('hashed assets are cached for a year; index.html and other files must be revalidated', async () => {
  const dir = built();
  const asset = await serveStudio(dir, 'assets/index-AbC123.js');
  assert.equal(asset.status, 200);
  assert.equal(asset.headers['cache-control'], IMMUTABLE);
  assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(text(asset.body), 'console.log(1)');
  const index = await serveStudio(dir, '');
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.match(text(index.body), /<title>Studio/);
  const other = await serveStudio(dir, 'robots.txt');
  assert.equal(other.headers['cache-control'], 'no-cache');
  assert.equal(other.headers['x-content-type-options'], 'nosniff');
});

test("the page's own paths get index.html (SPA fallback); a missing asset is a JSON 404", async () => {
  const dir = built();
  for (const path of ['runs/abc', 'published/p-1', 'schedules', 'index.html']) {
    const res = await serveStudio(dir, path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', path);
    assert.equal(res.headers['cache-control'], 'no-cache', path);
  }
  const missing = await serveStudio(dir, 'assets/gone-123.js');
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(String(missing.body)).error.code, 'NotFound');
  const head = await serveStudio(dir, 'assets/index-AbC123.js', 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body, undefined);
  assert.equal(head.headers['content-length'], '14');
});

test('paths cannot leave the built folder, even encoded', async () => {
  const dir = built();
  for (const path of ['../secret.txt', '%2e%2e/secret.txt', '..%2fsecret.txt', 'assets/../../secret.txt']) {
    const res = await serveStudio(dir, path);
    assert.doesNotMatch(text(typeof res.body === 'string' ? Buffer.from(res.body) : res.body), /not for the web/, path);
    assert.equal(res.status, 404, path);
  }
});

test('an unbuilt Studio says how to build it', async () => {
  const res = await serveStudio(join(tmpdir(), 'no-such-studio-dir'), '');
  assert.equal(res.status, 404);
  assert.match(JSON.parse(String(res.body)).error.message, /npm run build/);
});
