/**
 * `pdseg service serve` as a library call (issue 8): opens the store, checks the exposure
 * rules, and serves the routes with `node:http`. Every request produces one
 * {@link RequestLogEntry}; the caller decides how to show it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf, PdsegError } from '../errors.js';
import { Gate } from './gate.js';
import type { RateSpec } from './limits.js';
import { RateLimiter } from './rate-limiter.js';
import { logSafe, type RequestLogSink } from './request-log.js';
import { HttpError, sendError } from './responses.js';
import { assetLoader, type RouteContext, route } from './routes.js';
import { checkExposure } from './security.js';
import { ModelStore, type OpenReport } from './store.js';

/** Options of {@link startService}; defaults are the CLI's. */
export interface ServiceOptions {
  /** Data folder (default `./pdseg-service`). */
  dataDir?: string;
  /** Interface to bind (default `127.0.0.1`). */
  host?: string;
  /** Port (default 8041; 0 picks a free one). */
  port?: number;
  /** Largest model accepted, bytes (default 100 MB = 100 000 000). */
  maxSize?: number;
  /** Total bytes kept; oldest models are evicted beyond it (default unlimited). */
  maxStorage?: number;
  /** Uploads per client address (default 1 per 5 minutes); `undefined` disables. */
  rate?: RateSpec | undefined;
  /** Bearer token required for uploads; mandatory off loopback. */
  token?: string;
  /** Origin for returned links, e.g. `https://models.example.org` behind a proxy. */
  publicUrl?: string;
  /** Receives one entry per request. */
  onRequest?: RequestLogSink;
  /** Clock for the rate limiter (tests). */
  now?: () => number;
}

/** A running service. */
export interface RunningService {
  /** `http://host:port` the server listens on. */
  url: string;
  port: number;
  /** What opening the store found and cleaned. */
  report: OpenReport;
  store: ModelStore;
  /** Stops accepting requests, ends open connections, resolves when closed. */
  close(): Promise<void>;
}

/** Default limits, shared with the CLI's help text. */
export const SERVICE_DEFAULTS = {
  port: 8041,
  host: '127.0.0.1',
  dataDir: './pdseg-service',
  maxSize: 100_000_000,
  rate: { count: 1, windowMs: 5 * 60_000 } as RateSpec,
} as const;

const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the service. Throws `PdsegError('USAGE')` for an unsafe exposure, `SERVICE` when the port is taken. */
export async function startService(options: ServiceOptions = {}): Promise<RunningService> {
  const host = options.host ?? SERVICE_DEFAULTS.host;
  const token = options.token || undefined;
  checkExposure(host, token);
  const rate = 'rate' in options ? options.rate : SERVICE_DEFAULTS.rate;
  const maxSize = Math.min(options.maxSize ?? SERVICE_DEFAULTS.maxSize, options.maxStorage ?? Infinity);
  const publicUrl = options.publicUrl?.replace(/\/+$/, '');
  const { store, report } = await ModelStore.open({
    dir: options.dataDir ?? SERVICE_DEFAULTS.dataDir,
    ...(options.maxStorage !== undefined ? { maxStorage: options.maxStorage } : {}),
  });
  let listenUrl = '';
  const ctx: RouteContext = {
    store,
    maxSize,
    rate,
    limiter: rate ? new RateLimiter(rate, options.now) : undefined,
    token,
    validation: new Gate(1),
    assets: assetLoader(),
    publicOrigin(req) {
      if (publicUrl) return publicUrl;
      const h = req.headers.host;
      return h && SAFE_HOST.test(h) ? `http://${h}` : listenUrl;
    },
  };
  const onRequest = options.onRequest;
  const server = createServer((req, res) => handle(req, res, ctx, onRequest));
  // Large uploads on slow links need more than Node's 5-minute default.
  server.requestTimeout = 30 * 60_000;
  server.headersTimeout = 30_000;
  try {
    await listen(server, host, options.port ?? SERVICE_DEFAULTS.port);
  } catch (e) {
    await store.release();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  listenUrl = `http://${urlHost(host)}:${port}`;
  return {
    url: listenUrl,
    port,
    report,
    store,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.release();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use; pick another with --port`
          : `cannot listen on ${host}:${port}: ${messageOf(e)}`;
      reject(new PdsegError('SERVICE', why, { cause: e }));
    });
    server.listen(port, host, () => resolve());
  });
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RouteContext,
  onRequest: RequestLogSink | undefined,
): void {
  const started = performance.now();
  const time = new Date().toISOString();
  let bytesIn = 0;
  let logged = false;
  const log = (aborted: boolean) => {
    if (logged) return;
    logged = true;
    onRequest?.({
      time,
      client: req.socket.remoteAddress ?? 'unknown',
      method: logSafe(req.method ?? '?', 16),
      path: logSafe(req.url ?? '/'),
      status: res.statusCode,
      bytesIn,
      bytesOut: req.method === 'HEAD' ? 0 : Number(res.getHeader('content-length') ?? 0),
      ms: Math.round(performance.now() - started),
      aborted,
    });
  };
  res.once('finish', () => log(false));
  res.once('close', () => log(!res.writableFinished));
  route(req, res, ctx, (n) => {
    bytesIn += n;
  }).catch((e: unknown) => {
    const err = e instanceof HttpError ? e : new HttpError(500, `internal error: ${messageOf(e)}`);
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    // A body left unread cannot be followed by another request on the same connection.
    const close = err.headers.Connection === 'close' || !req.complete;
    sendError(
      res,
      close ? new HttpError(err.status, err.message, { ...err.headers, Connection: 'close' }) : err,
    );
    if (close) {
      // The body may still be arriving: read and drop it briefly so the client sees the
      // answer, then cut the connection rather than reading the rest of an oversized upload.
      req.resume();
      const timer = setTimeout(() => req.socket.destroy(), 2000);
      timer.unref();
      req.socket.once('close', () => clearTimeout(timer));
    }
  });
}
