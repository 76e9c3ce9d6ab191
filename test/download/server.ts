/**
 * A loopback HTTP server for download tests: serves byte arrays by path with ETag and
 * Range support, and can misbehave on purpose (drop the connection half-way, ignore
 * Range, fail with a status). Every request is recorded so tests can check what was sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { tempDir } from '../helpers.js';

/** How one path is served. */
export interface Route {
  body: Uint8Array;
  etag?: string;
  /** Answer Range requests with 206 (default true). */
  range?: boolean;
  /** Statuses to answer with before serving normally, one per request (e.g. [500]). */
  failFirst?: number[];
  /** Drop the connection after this many body bytes, on the first N full-body requests. */
  dropAfterBytes?: number;
  dropTimes?: number;
  /** With `dropAfterBytes`: keep the connection open and silent instead of dropping it. */
  hang?: boolean;
}

/** One recorded request. */
export interface RecordedRequest {
  path: string;
  range?: string;
  ifRange?: string;
  status: number;
}

/** A running test server. */
export interface TestServer {
  origin: string;
  routes: Map<string, Route>;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function handle(routes: Map<string, Route>, requests: RecordedRequest[], drops: Map<string, number>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const rec: RecordedRequest = {
      path,
      range: req.headers.range,
      ifRange: req.headers['if-range'] as string | undefined,
      status: 0,
    };
    requests.push(rec);
    const route = routes.get(path);
    const send = (status: number, headers: Record<string, string | number>, body?: Uint8Array) => {
      rec.status = status;
      res.writeHead(status, headers);
      res.end(body);
    };
    if (!route) return send(404, { 'content-type': 'text/plain' }, Buffer.from('not found'));
    const fail = route.failFirst?.shift();
    if (fail !== undefined) return send(fail, { 'content-type': 'text/plain' }, Buffer.from('failure'));
    const etag = route.etag ?? '"v1"';
    let start = 0;
    let status = 200;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const validatorOk = rec.ifRange === undefined || rec.ifRange === etag;
    if (m && (route.range ?? true) && validatorOk) {
      start = Number(m[1]);
      if (start >= route.body.length) {
        return send(416, { 'content-range': `bytes */${route.body.length}` });
      }
      status = 206;
    }
    const body = route.body.subarray(start);
    const headers: Record<string, string | number> = {
      'content-length': body.length,
      etag,
      'content-type': 'application/octet-stream',
    };
    if (route.range ?? true) headers['accept-ranges'] = 'bytes';
    if (status === 206)
      headers['content-range'] = `bytes ${start}-${route.body.length - 1}/${route.body.length}`;
    rec.status = status;
    res.writeHead(status, headers);
    const dropped = drops.get(path) ?? 0;
    if (route.dropAfterBytes !== undefined && dropped < (route.dropTimes ?? 1)) {
      drops.set(path, dropped + 1);
      res.write(body.subarray(0, route.dropAfterBytes), () => {
        if (!route.hang) setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(body);
  };
}

/** Starts a server on 127.0.0.1 (an ephemeral port). */
export async function startServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const map = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = createServer(handle(map, requests, new Map()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    routes: map,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh temp folder and loopback server for each test of the calling file. */
export interface DownloadSandbox {
  /** The test's temp folder. */
  readonly dir: string;
  /** The test's server. */
  readonly server: TestServer;
  /** `<dir>/root`, the download root the tests install into. */
  root(): string;
}

/** Registers beforeEach/afterEach hooks that create and remove a {@link DownloadSandbox}. */
export function useDownloadSandbox(prefix: string): DownloadSandbox {
  let work: { dir: string; cleanup: () => Promise<void> } | undefined;
  let server: TestServer | undefined;
  beforeEach(async () => {
    work = await tempDir(prefix);
    server = await startServer();
  });
  afterEach(async () => {
    await server?.close();
    await work?.cleanup();
  });
  const live = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the download sandbox's ${what} exists only inside a test`);
    return v;
  };
  return {
    get dir() {
      return live(work, 'folder').dir;
    },
    get server() {
      return live(server, 'server');
    },
    root: () => join(live(work, 'folder').dir, 'root'),
  };
}
