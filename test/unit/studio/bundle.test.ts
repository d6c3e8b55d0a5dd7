import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const DIST = join(__dirname, '..', '..', '..', 'dist', 'studio');
/** The budget for the JavaScript a first visit loads before the page can draw (issue 17). */
const INITIAL_JS_BUDGET = 150 * 1024;

/** The JavaScript index.html loads at start: its module scripts and the chunks they preload. */
export function initialScripts(html: string): string[] {
  const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]);
  return [...new Set([...scripts, ...preloads])];
}

test('the built Studio loads at most 150 KB of gzipped JavaScript at start, all of it with hashed names', () => {
  const index = join(DIST, 'index.html');
  assert.ok(existsSync(index), `${index} is missing: run npm run build (npm test does it first)`);
  const scripts = initialScripts(readFileSync(index, 'utf8'));
  assert.ok(scripts.length > 0, 'index.html loads a script');
  let total = 0;
  for (const src of scripts) {
    assert.match(src, /^\/studio\/assets\/[\w.-]+-[\w-]{8}\.js$/, `${src}: served from assets/ with a content hash`);
    total += gzipSync(readFileSync(join(DIST, src.replace(/^\/studio\//, '')))).length;
  }
  assert.ok(
    total <= INITIAL_JS_BUDGET,
    `initial JavaScript is ${(total / 1024).toFixed(1)} KB gzipped (budget 150 KB)`,
  );
  console.log(`studio initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${scripts.length} file(s)`);
});

test('initialScripts finds module scripts and preloaded chunks', () => {
  const html =
    '<script type="module" crossorigin src="/studio/assets/index-AbCdEf12.js"></script>' +
    '<link rel="modulepreload" crossorigin href="/studio/assets/vendor-ZyXwVu98.js">' +
    '<link rel="stylesheet" href="/studio/assets/index-x.css">';
  assert.deepEqual(initialScripts(html), ['/studio/assets/index-AbCdEf12.js', '/studio/assets/vendor-ZyXwVu98.js']);
});
