#!/usr/bin/env node
// The Function App's deployment package, in .deploy/ (ignored by git): what the app runs and nothing else.
//   node scripts/package.mjs        (azd runs it as `npm run package`, then zips .deploy/: azure.yaml `dist`)
// It holds dist/ (built by `npm run build` first), host.json, package.json, the lock file and the production
// dependencies installed from the lock, without Azurite: the local emulator is a dependency for `npm start` and
// `sluice dev`, never loaded by the deployed app. TypeScript, ESLint, Prettier and tsx are dev dependencies and
// are never installed here.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Dependencies of the repository that the deployed app never loads. */
export const LOCAL_ONLY = ['azurite'];

const root = new URL('..', import.meta.url).pathname;
const out = process.argv[2] ?? join(root, '.deploy');
if (!existsSync(join(root, 'dist', 'functions', 'index.js'))) {
  console.error('package: dist/ is missing; run `npm run build` first');
  process.exit(2);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(root, 'dist'), join(out, 'dist'), { recursive: true });
cpSync(join(root, 'host.json'), join(out, 'host.json'));
cpSync(join(root, 'package-lock.json'), join(out, 'package-lock.json'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
for (const name of LOCAL_ONLY) delete pkg.dependencies[name];
delete pkg.devDependencies;
pkg.scripts = {};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
// The lock pins every remaining version; npm drops what nothing depends on any more (Azurite's tree).
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const r = spawnSync(npm, ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
  cwd: out,
  stdio: 'inherit',
});
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`package: ${out} holds the app and its production dependencies`);
