// @ts-check
import {createServer} from 'vite';

/**
 * Lets @web/test-runner serve the app through Vite, so tests see exactly
 * what the app sees: TypeScript, pre-bundled CommonJS dependencies of tfjs
 * (`long`, `seedrandom`), `?url` assets, module workers, COOP/COEP headers.
 *
 * Why not @web/test-runner's esbuild plugin: it cannot load tfjs's CommonJS
 * dependencies. Why not the published Vite plugin for wtr: it does not work
 * with wtr 1.0 (the runner's static server answers first and serves `.ts`
 * as video/mp2t). So: a Vite dev server of our own, started with the runner,
 * and a middleware that forwards GETs to it, falling through on 404.
 */
export function viteBridge() {
  /** @type {import('vite').ViteDevServer | undefined} */
  let vite;
  /** @type {string | undefined} */
  let origin;

  // fetch() already decoded the body; these would describe the wrong bytes.
  const dropped = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

  /** The runner's own pages and scripts: the test page at '/', and its '/__web…' helpers. */
  const isRunnerPath = (/** @type {string} */ path) => path === '/' || path.startsWith('/__web');

  return {
    /** @type {import('@web/test-runner').TestRunnerPlugin} */
    plugin: {
      name: 'vite-bridge',
      async serverStart() {
        vite = await createServer({
          configFile: 'vite.config.ts',
          clearScreen: false,
          logLevel: 'warn',
          server: {host: '127.0.0.1', port: 0, strictPort: false, hmr: false, ws: false},
          // The tests' own dependencies too, so none is discovered (and re-optimised) mid-run.
          optimizeDeps: {entries: ['test/**/*.ts']}, // merged with the app's entries
          plugins: [runnerModulesStayExternal()],
        });
        await vite.listen();
        const address = vite.httpServer?.address();
        if (!address || typeof address === 'string') throw new Error('Vite did not start an HTTP server');
        origin = `http://127.0.0.1:${address.port}`;
      },
      async serverStop() {
        await vite?.close();
      },
    },

    /** @type {import('@web/test-runner').TestRunnerConfig['middleware'] extends (infer M)[] | undefined ? M : never} */
    async middleware(ctx, next) {
      if (ctx.method === 'GET' && origin && !isRunnerPath(ctx.path)) {
        const headers = /** @type {Record<string, string>} */ ({});
        for (const name of ['accept', 'sec-fetch-dest']) if (ctx.get(name)) headers[name] = ctx.get(name);
        const response = await fetch(origin + ctx.url, {headers});
        if (response.status !== 404) {
          ctx.status = response.status;
          response.headers.forEach((value, name) => {
            if (!dropped.has(name)) ctx.set(name, value);
          });
          ctx.body = Buffer.from(await response.arrayBuffer());
          return;
        }
      }
      await next();
      // The runner's own test page gets the app's headers (COOP/COEP), so tests run cross-origin isolated too.
      const headers = vite?.config.server.headers ?? {};
      for (const [name, value] of Object.entries(headers)) if (value !== undefined) ctx.set(name, String(value));
    },
  };
}

/**
 * @web/test-runner-commands imports the runner's own socket module
 * (`/__web-dev-server__web-socket.js`); Vite must leave that import alone
 * so the browser asks the runner for it.
 * @returns {import('vite').Plugin}
 */
function runnerModulesStayExternal() {
  return {
    name: 'wtr-runner-modules-external',
    enforce: 'pre',
    resolveId(id) {
      const match = id.match(/__web-dev-server__[\w.-]+$/);
      return match ? {id: '/' + match[0], external: true} : null;
    },
  };
}
