/**
 * `serveExplorer`: a small static HTTP server for the built explorer page (`dist/explorer`). The
 * page needs HTTP rather than `file://` because browsers refuse module workers and WebAssembly
 * fetches from file URLs.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for `serveExplorer`. */
export interface ServeExplorerOptions {
  /** Port to listen on (default 0: any free port; read the chosen one from the result). */
  port?: number;
  /** Interface to bind (default `127.0.0.1`: the explorer is a local tool). */
  host?: string;
  /** Directory of the built page (default: this package's `dist/explorer`). */
  root?: string;
}

/** A running explorer server. */
export interface ExplorerServer {
  /** `http://host:port/` of the page. */
  url: string;
  port: number;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
};

/** The built explorer directory shipped in this package (`dist/explorer`). */
export function explorerDir(): string {
  // dist/serve.js → dist/explorer, where `vite build` puts the page.
  return fileURLToPath(new URL('./explorer/', import.meta.url));
}

/** Serve the explorer page; resolves once listening. */
export async function serveExplorer(options: ServeExplorerOptions = {}): Promise<ExplorerServer> {
  const root = resolve(options.root ?? explorerDir());
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`the explorer page is not built: ${join(root, 'index.html')} is missing; run \`pnpm --filter @paradox/viz build\``);
  }
  const port = options.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`serveExplorer: port must be an integer in [0, 65535], got ${String(port)}`);
  const host = options.host ?? '127.0.0.1';
  // node:http is loaded here, not with the package: a report never serves (~15 ms CPU per run).
  const { createServer } = await import('node:http');
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    // Never serve outside the page's folder, whatever `..` the request carries.
    if (!(file === root || file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`,
    port: addr.port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** The name `paradox explore` calls: `serveExplorer` (the `open` option is accepted and ignored). */
export function startExplorer(options: ServeExplorerOptions & { open?: boolean } = {}): Promise<ExplorerServer> {
  const { open: _open, ...rest } = options;
  return serveExplorer(rest);
}
