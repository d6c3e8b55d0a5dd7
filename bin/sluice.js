#!/usr/bin/env node
'use strict';
// The `sluice` command. The code lives in dist/ (built by `npm ci` through `prepare`, or `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error('sluice: the project is not built yet; run `npm run build` (npm ci does it for you).');
  process.exit(2);
}
require(entry)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err && err.stack ? err.stack : String(err));
      process.exitCode = 1;
    },
  );
