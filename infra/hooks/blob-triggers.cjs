'use strict';
// Prints "<function name> <container>" for every blob trigger with source EventGrid in the built Functions app, one
// per line. The post-deploy hook subscribes each of them to the storage account's Event Grid system topic.
// It loads dist/functions/index.js through the local host's @azure/functions-core shim, which records the
// registrations and starts nothing (the same way test/unit/infra reads the triggers).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const app = join(root, 'dist', 'functions', 'index.js');
const shim = join(root, 'dist', 'local', 'core', 'coreApi.js');
if (!existsSync(app) || !existsSync(shim)) {
  console.error('blob-triggers: the app is not built; run `npm run build` first.');
  process.exit(2);
}
const registry = require(shim).installCoreApi(() => {});
require(app);
for (const fn of registry.functions.values()) {
  const { binding } = registry.trigger(fn.name);
  if (binding.type !== 'blobTrigger' || String(binding.source).toLowerCase() !== 'eventgrid') continue;
  const container = String(binding.path).split('/')[0];
  if (container.includes('%')) {
    console.error(`blob-triggers: ${fn.name} watches "${container}"; resolve the app setting and subscribe it by hand.`);
    continue;
  }
  console.log(`${fn.name} ${container}`);
}
