import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { ApiResponse } from '../api/types';

/** Where Vite writes Studio (relative to the app folder): `index.html` and hashed files under `assets/`. */
export const STUDIO_DIST = join('dist', 'studio');
/** The URL path Studio is served under. */
export const STUDIO_PATH = '/studio/';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every file under `assets/` after a hash of its content, so it can be cached for good. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function notFound(message: string): ApiResponse {
  return {
    status: 404,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' },
    body: JSON.stringify({ error: { code: 'NotFound', message } }),
  };
}

async function fileAt(path: string): Promise<Buffer | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * Serves a path below `/studio/` from the built app in `root`: a file under `assets/` with a year-long immutable
 * cache, any other existing file with `no-cache`, and `index.html` (`no-cache`) for every other path, so the page's
 * own routes (`/studio/runs/…`) load the app. Paths are confined to `root`. Static files hold no data: everything
 * the page shows comes from the API with a token.
 */
export async function serveStudio(root: string, subPath: string, method = 'GET'): Promise<ApiResponse> {
  const base = resolve(root);
  const index = await fileAt(join(base, 'index.html'));
  if (!index) {
    return notFound(`Studio is not built (${join(base, 'index.html')} is missing); run \`npm run build\`.`);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(subPath);
  } catch {
    decoded = '';
  }
  const clean = decoded.replace(/^\/+/, '');
  const target = resolve(base, clean);
  const inside = (clean === '' || target.startsWith(base + sep)) && !clean.includes('\0');
  const isAsset = clean.startsWith('assets/');
  const body = inside && clean !== '' && clean !== 'index.html' ? await fileAt(target) : undefined;
  const head = method.toUpperCase() === 'HEAD';
  if (body) {
    const type = TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
    return {
      status: 200,
      headers: {
        'content-type': type,
        'cache-control': isAsset ? IMMUTABLE : 'no-cache',
        'content-length': String(body.length),
        ...SECURITY_HEADERS,
      },
      body: head ? undefined : body,
    };
  }
  if (isAsset || !inside) return notFound(`No Studio file ${subPath}.`);
  return {
    status: 200,
    headers: {
      'content-type': TYPES['.html'],
      'cache-control': 'no-cache',
      'content-length': String(index.length),
      ...SECURITY_HEADERS,
    },
    body: head ? undefined : index,
  };
}
