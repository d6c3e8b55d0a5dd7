#!/usr/bin/env node
// Runs the test suites with node:test (TypeScript through tsx).
//   node scripts/test.mjs [unit|integration|e2e|all] [file filters…]
// Env: SLUICE_TEST_CONCURRENCY (files run at once; default 2 for integration, os-based for unit).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const [suiteArg = 'all', ...filters] = process.argv.slice(2);
const suites = suiteArg === 'all' ? ['unit', 'integration', 'e2e'] : [suiteArg];

function find(dir) {
  let out = [];
  let entries = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const p = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (/\.test\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

let failed = false;
const totals = { passed: 0, failed: 0, skipped: 0 };

// The templates: the real Bicep CLI builds and lints infra/bicep (scripts/bicep.sh; warnings are errors). Runs with
// the unit suite when no filter is given or a filter names infra. Without dotnet it is skipped with one line, except
// under CI=true, where a missing CLI fails the run.
if (
  suites.includes('unit') &&
  (filters.length === 0 || filters.some((x) => 'infra/bicep'.includes(x) || x.includes('infra')))
) {
  console.log('\n== bicep: build and lint infra/bicep/main.bicep ==');
  const bicep = spawnSync('bash', [join(root, 'scripts', 'bicep.sh'), 'check'], { cwd: root, stdio: 'inherit' });
  if (bicep.status === 3 && process.env.CI !== 'true') {
    totals.skipped += 1; // bicep.sh printed the one line: skipped, and how to enable it
  } else if (bicep.status === 0) {
    totals.passed += 1;
  } else {
    if (bicep.status === 3) console.log('bicep: CI=true, so the check is never skipped');
    failed = true;
    totals.failed += 1;
  }
}
const tapDir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
for (const suite of suites) {
  let files = find(join(root, 'test', suite));
  if (filters.length) files = files.filter((f) => filters.some((x) => relative(root, f).includes(x)));
  if (files.length === 0) continue;
  const concurrency =
    process.env.SLUICE_TEST_CONCURRENCY ?? String(suite === 'unit' ? Math.max(2, availableParallelism()) : 2);
  console.log(`\n== ${suite} tests (${files.length} files, concurrency ${concurrency}) ==`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      // A safety net: no single test may hang the suite (CI has 90 minutes for everything).
      `--test-timeout=${process.env.SLUICE_TEST_TIMEOUT_MS ?? 600_000}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${join(tapDir, suite + '.tap')}`,
      ...files,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
  );
  if (result.status !== 0) failed = true;
  let tap = '';
  try {
    tap = readFileSync(join(tapDir, suite + '.tap'), 'utf8');
  } catch {
    failed = true;
  }
  const count = (name) => Number((new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap) ?? [])[1] ?? 0);
  totals.passed += count('pass');
  totals.failed += count('fail') + count('cancelled');
  totals.skipped += count('skipped') + count('todo');
}
if (failed && totals.failed === 0) totals.failed = 1;
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
