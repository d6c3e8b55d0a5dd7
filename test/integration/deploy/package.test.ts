import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support';

const out = join(mkdtempSync(join(tmpdir(), 'sluice-package-')), 'deploy');
after(() => rmSync(join(out, '..'), { recursive: true, force: true }));

test('the deployment package holds the built app and production dependencies only, and the app loads from it', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), out], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const modules = join(out, 'node_modules');
  for (const dev of ['typescript', 'eslint', 'prettier', 'tsx', 'typescript-eslint', '@types/node', 'azurite'])
    assert.ok(!existsSync(join(modules, dev)), `${dev} is not in the package`);
  for (const prod of [
    '@azure/functions',
    'durable-functions',
    '@azure/storage-blob',
    '@azure/functions-extensions-base',
  ])
    assert.ok(existsSync(join(modules, prod)), `${prod} is in the package`);
  assert.ok(!existsSync(join(out, 'functions')), 'no TypeScript sources');
  const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')) as Record<
    string,
    Record<string, string> | undefined
  >;
  assert.equal(pkg.devDependencies, undefined);
  assert.equal(pkg.dependencies?.azurite, undefined);
  // The app registers its functions from the package alone (Azurite absent): nothing it loads needs the emulator.
  const load = spawnSync(
    process.execPath,
    [
      '-e',
      "const r = require('./dist/local/core/coreApi.js').installCoreApi(() => {}); require('./dist/functions/index.js'); console.log(r.functions.size);",
    ],
    { cwd: out, encoding: 'utf8' },
  );
  assert.equal(load.status, 0, load.stderr);
  assert.ok(Number(load.stdout.trim()) > 10, load.stdout);
});
