import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Sluice Studio: built into dist/studio with content-hashed names under assets/ (served with an immutable cache by
// shared/studio/static.ts); index.html is the only file that must be revalidated.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/studio/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../dist/studio', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
  logLevel: 'warn',
});
