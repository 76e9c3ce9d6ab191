/**
 * The local HTTP server of `pdseg graph` (issue 6): serves the viewer page, its assets and one
 * model's view graph as JSON. Binds 127.0.0.1 by default; a busy port falls back to the next
 * free one (the caller reports it). Nothing else is served.
 */
import { createServer, type Server } from 'node:http';
import { PdsegError } from '../errors.js';
import type { ViewGraph } from './model.js';
import { viewerAssets, viewerPageHtml } from './page.js';

/** Options of {@link startViewerServer}. */
export interface ViewerServerOptions {
  graph: ViewGraph;
  fileName: string;
  host?: string;
  /** First port to try (0 = any free port). */
  port?: number;
  /** How many following ports to try when the first is busy (default 20). */
  attempts?: number;
}

/** A running viewer server. */
export interface ViewerServer {
  url: string;
  port: number;
  /** The port asked for (differs from `port` when it was busy). */
  requestedPort: number;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Starts the server; resolves once it listens. */
export async function startViewerServer(options: ViewerServerOptions): Promise<ViewerServer> {
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 8040;
  const assets = await viewerAssets();
  const json = Buffer.from(JSON.stringify(options.graph));
  const page = Buffer.from(
    viewerPageHtml({
      modelUrl: '/model.json',
      title: `${options.fileName} · pdseg graph`,
      assetBase: '/viewer',
    }),
  );
  // On every response, errors included.
  const headers = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'self'; script-src 'self'; worker-src 'self' blob:; style-src 'self'; img-src 'self' data: blob:",
    'cache-control': 'no-store',
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (path === '/model.json') {
      res
        .writeHead(200, {
          ...headers,
          'content-type': 'application/json',
          'x-model-name': encodeURIComponent(options.fileName),
        })
        .end(json);
    } else if (path.startsWith('/viewer/') && assets.has(path.slice(8))) {
      const a = assets.get(path.slice(8))!;
      res.writeHead(200, { ...headers, 'content-type': a.contentType }).end(a.body);
    } else {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain' }).end('not found');
    }
  });
  const attempts = requestedPort === 0 ? 1 : (options.attempts ?? 20);
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = requestedPort === 0 ? 0 : requestedPort + i;
    if (port > 65535) break;
    try {
      const bound = await listen(server, port, host);
      const shownHost = host.includes(':') ? `[${host}]` : host;
      return {
        url: `http://${shownHost}:${bound}/`,
        port: bound,
        requestedPort,
        close: () => new Promise((resolve) => server.close(() => resolve())),
      };
    } catch (e) {
      lastError = e;
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
    }
  }
  throw new PdsegError(
    'IO',
    `cannot listen on ${host}:${requestedPort}${attempts > 1 ? `-${requestedPort + attempts - 1}` : ''}: ${lastError instanceof Error ? lastError.message : String(lastError)}; choose another --port or --host`,
    { cause: lastError },
  );
}
