// `npm run bench [-- filter…]`: runs every bench/*.bench.ts and prints its figures.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatFigure, type Bench } from './lib';

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  let failed = false;
  for (const file of files) {
    const bench = (await import(join(__dirname, file))).default as Bench;
    console.log(`\n## ${bench.name} (${file})`);
    try {
      for (const figure of await bench.run()) console.log(formatFigure(figure));
    } catch (err) {
      failed = true;
      console.error(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
