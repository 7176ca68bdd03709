import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The dashboard (web/, built by Vite into dist/web) served as static files from one folder.
 *
 * - `/` and `/index.html` answer the page with `cache-control: no-cache` (it names the current bundles);
 * - `/assets/*` are Vite's content-hashed files: cached for a year, `immutable`;
 * - anything that does not resolve to a regular file inside the folder (`..`, encoded `%2e%2e`, `\`, NUL,
 *   a directory, a symlink out of it) is a 404, never a read outside the folder;
 * - when the folder holds no index.html (the dashboard was not built) `/` answers a small page saying how
 *   to build it, with status 200: the API is unaffected and the server starts anyway.
 */
export interface DashboardHandler {
  /** Whether this handler answers `pathname` (the page, its assets, its icon). */
  handles(pathname: string): boolean;
  serve(req: IncomingMessage, res: ServerResponse, pathname: string): void;
  /** Whether dist/web holds a built dashboard (checked once at start). */
  readonly built: boolean;
  readonly dir: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** Shown at `/` when dist/web/index.html is missing. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>perpgraph: dashboard not built</title>
<style>body{background:#0d1117;color:#c9d1d9;font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#161b22;padding:.1rem .3rem;border-radius:4px}a{color:#58a6ff}</style>
</head><body>
<h1>The dashboard is not built</h1>
<p>The API is running: GraphiQL is at <a href="/graphql">/graphql</a>.</p>
<p>Build the dashboard (web/ with Vite into dist/web) with <code>npm run build</code>, or <code>npm run build:web</code> for the dashboard alone,
then reload this page. <code>npm ci</code> and <code>npm start</code> build it when its sources changed.</p>
</body></html>
`;

export function createDashboardHandler(dir: string): DashboardHandler {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  const built = existsSync(index);
  const realRoot = existsSync(root) ? realpathSync(root) : root;

  /** The file under root that `pathname` names, or undefined (outside root, not a file, malformed). */
  const resolveFile = (pathname: string): string | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
    const segments = decoded.split('/').filter(Boolean);
    if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return undefined;
    const file = path.resolve(root, ...segments);
    if (!file.startsWith(root + path.sep)) return undefined;
    try {
      // A symlink inside the folder must not lead out of it.
      const real = realpathSync(file);
      if (!real.startsWith(realRoot + path.sep) || !statSync(real).isFile()) return undefined;
    } catch {
      return undefined;
    }
    return file;
  };

  return {
    built,
    dir: root,
    handles: (pathname) => pathname === '/' || pathname === '/index.html' || pathname.startsWith('/assets/') || pathname === '/favicon.svg',
    serve(req, res, pathname) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('Method Not Allowed\n');
        return;
      }
      const page = pathname === '/' || pathname === '/index.html';
      if (page && !existsSync(index)) {
        res.writeHead(200, { 'content-type': CONTENT_TYPES['.html']!, 'cache-control': 'no-cache', ...SECURITY_HEADERS });
        res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
        return;
      }
      const file = page ? index : resolveFile(pathname);
      if (!file) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end('Not Found\n');
        return;
      }
      const { size } = statSync(file);
      const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      res.writeHead(200, {
        'content-type': type,
        'content-length': size,
        // Vite names everything under assets/ by content hash; the page itself must be revalidated.
        'cache-control': pathname.startsWith('/assets/') ? IMMUTABLE : 'no-cache',
        ...SECURITY_HEADERS,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    },
  };
}
