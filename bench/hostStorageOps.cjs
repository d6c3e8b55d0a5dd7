// Preloaded into the host process by the reuse bench (`NODE_OPTIONS=--require <this file>`), so the storage requests
// the host makes can be counted in that process, which the bench does not share: every request to the Azurite named
// by SLUICE_STORAGE is noted (start time, method, path, duration) through the same diagnostics channel as
// bench/storageOps.ts. On SIGUSR2 the requests since the last signal are written to SLUICE_BENCH_OPS_FILE (JSON) and
// forgotten. Does nothing without SLUICE_BENCH_OPS_FILE.
const { subscribe } = require('node:diagnostics_channel');
const { renameSync, writeFileSync } = require('node:fs');

const file = process.env.SLUICE_BENCH_OPS_FILE;
if (file && process.env.SLUICE_STORAGE) {
  const ports = new Set(
    [...process.env.SLUICE_STORAGE.matchAll(/(?:Blob|Queue|Table)Endpoint=https?:\/\/[^:/]+:(\d+)/g)].map((m) => m[1]),
  );
  const now = () => performance.timeOrigin + performance.now();
  let requests = [];
  subscribe('http.client.request.start', (message) => {
    const request = message.request;
    const port = String(request.getHeader('host') ?? '').split(':')[1];
    if (!ports.has(port)) return;
    const entry = { at: now(), port: Number(port), method: request.method, path: request.path };
    requests.push(entry);
    request.once('response', () => {
      entry.ms = now() - entry.at;
    });
  });
  process.on('SIGUSR2', () => {
    writeFileSync(`${file}.tmp`, JSON.stringify(requests));
    renameSync(`${file}.tmp`, file);
    requests = [];
  });
}
