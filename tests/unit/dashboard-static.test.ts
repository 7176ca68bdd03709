import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, NOT_BUILT_PAGE } from '../../src/http/dashboard.js';

/** A raw request line (fetch would normalise `..` away before sending it). */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`));
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('end', () => resolve({ status: Number(data.split(' ')[1]), body: data.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
    socket.on('error', reject);
  });
}

function serve(dir: string): Promise<{ server: Server; port: number }> {
  const handler = createDashboardHandler(dir);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (handler.handles(path)) handler.serve(req, res, path);
    else res.writeHead(418).end('not the dashboard');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe('dashboard static files', () => {
  let root: string;
  let web: string;
  let built: { server: Server; port: number };
  let empty: { server: Server; port: number };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'perpgraph-dash-'));
    web = join(root, 'web');
    await mkdir(join(web, 'assets'), { recursive: true });
    await writeFile(join(web, 'index.html'), '<!doctype html><title>dash</title>');
    await writeFile(join(web, 'assets', 'index-AbC123.js'), 'console.log(1)');
    await writeFile(join(web, 'assets', 'index-AbC123.css'), 'body{}');
    await writeFile(join(web, '.build-stamp'), 'x');
    await writeFile(join(root, 'secret.txt'), 'SECRET');
    await symlink(join(root, 'secret.txt'), join(web, 'assets', 'link.js'));
    built = await serve(web);
    empty = await serve(join(root, 'nothing-here'));
  });
  afterAll(async () => {
    built.server.close();
    empty.server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves the page uncached and hashed assets as immutable, with their content types', async () => {
    const page = await fetch(`http://127.0.0.1:${built.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control'), 'the page names the current bundles').toBe('no-cache');
    expect(await page.text()).toContain('<title>dash</title>');
    const js = await fetch(`http://127.0.0.1:${built.port}/assets/index-AbC123.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-length')).toBe('14');
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(`http://127.0.0.1:${built.port}/assets/index-AbC123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const head = await fetch(`http://127.0.0.1:${built.port}/assets/index-AbC123.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const post = await fetch(`http://127.0.0.1:${built.port}/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('never reads outside its folder (dot segments, encoded, backslashes, NUL, dot files, symlinks out)', async () => {
    for (const target of [
      '/assets/../../secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/index-AbC123.js%00.png',
      '/assets/%ff',
      '/assets/../.build-stamp',
      '/assets/link.js',
      '/assets/',
      '/assets/missing.js',
    ]) {
      const { status, body } = await rawGet(built.port, target);
      expect(status, target).toBe(404);
      expect(body, target).not.toContain('SECRET');
    }
  });

  it('answers a page saying how to build it when the dashboard was not built, not an error', async () => {
    expect(createDashboardHandler(join(root, 'nothing-here')).built).toBe(false);
    const page = await fetch(`http://127.0.0.1:${empty.port}/`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toBe(NOT_BUILT_PAGE);
    expect(text).toContain('npm run build:web');
    expect((await fetch(`http://127.0.0.1:${empty.port}/assets/index-AbC123.js`)).status).toBe(404);
  });
});
