// `npm run bench [-- filter…]`: runs every bench/*.bench.ts and prints its figures. Each bench file runs in its own
// process: a bench that starts the app's host binds the app's storage clients to its Azurite for the life of the
// process, so a second bench's host in the same process would talk to a stopped Azurite.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatFigure, type Bench } from './lib';

async function runOne(file: string): Promise<boolean> {
  const bench = (await import(join(__dirname, file))).default as Bench;
  console.log(`\n## ${bench.name} (${file})`);
  try {
    for (const figure of await bench.run()) console.log(formatFigure(figure));
    return true;
  } catch (err) {
    console.error(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}`);
    return false;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    process.exitCode = (await runOne(args[1])) ? 0 : 1;
    return;
  }
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => args.length === 0 || args.some((x) => f.includes(x)))
    .sort();
  let failed = false;
  for (const file of files) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--one', file], { stdio: 'inherit' });
    if (child.status !== 0) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
