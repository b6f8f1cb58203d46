// @ts-check
import {createReadStream} from 'node:fs';
import {stat} from 'node:fs/promises';
import {createServer} from 'node:http';
import {extname, join, normalize, resolve, sep} from 'node:path';
import {fileURLToPath} from 'node:url';

/**
 * A plain static file server, as a course site or a CDN is: files as they
 * are, with the headers you give (a CSP, isolation headers, or none). For
 * trying the builds where users put them, and for the embedding tests.
 *
 *   node scripts/static-server.mjs [--port 8080] [--root .] [--header 'Name: value']…
 */

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.zip': 'application/zip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * @param {{root?: string, port?: number, host?: string, headers?: Record<string, string> | ((path: string) => Record<string, string>)}} options
 * @returns {Promise<{url: string, close: () => Promise<void>}>}
 */
export async function serveStatic({root = '.', port = 0, host = '127.0.0.1', headers = {}} = {}) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) return void response.writeHead(403).end('Forbidden');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const info = await stat(file);
      const extra = typeof headers === 'function' ? headers(path) : headers;
      response.writeHead(200, {
        'Content-Type': TYPES[/** @type {keyof typeof TYPES} */ (extname(file))] ?? 'application/octet-stream',
        'Content-Length': info.size,
        'Cache-Control': 'no-store',
        ...extra,
      });
      if (request.method === 'HEAD') return void response.end();
      createReadStream(file).pipe(response);
    } catch {
      response.writeHead(404, {'Content-Type': 'text/plain'}).end('Not found');
    }
  });
  await new Promise((done) => server.listen(port, host, () => done(undefined)));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no port');
  return {
    url: `http://${host}:${address.port}`,
    /** Stops serving at once: kept-alive connections are cut too (a test that goes offline needs that). */
    close: () =>
      new Promise((done) => {
        server.close(() => done(undefined));
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  /** @type {Record<string, string>} */
  const headers = {};
  args.forEach((arg, i) => {
    if (arg !== '--header') return;
    const [name, ...value] = args[i + 1].split(':');
    headers[name.trim()] = value.join(':').trim();
  });
  const {url} = await serveStatic({root: option('--root', '.'), port: Number(option('--port', '8080')), headers});
  console.log(`Serving ${resolve(option('--root', '.'))} at ${url}/ with headers ${JSON.stringify(headers)}`);
}
