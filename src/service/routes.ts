/**
 * The service's routes (issue 8). Paths are matched on the raw request target, so
 * `/api/models/../x` is a bad id (400), not a different route; ids are checked against the
 * 32-hex pattern before the store is asked, and no file path is ever built from input.
 *
 *     POST      /api/models            upload → { id, url, size, format }
 *     GET|HEAD  /api/models/<id>       the model's bytes
 *     GET|HEAD  /api/models/<id>/meta  { id, format, size, uploadedAt, originalName, nodeCount }
 *     GET|HEAD  /app?id=<id>           the viewer page for that model
 *     GET|HEAD  /viewer/<asset>        the viewer's scripts and styles
 *     GET|HEAD  /api/limits            { maxSize, rate, tokenRequired } for clients
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../errors.js';
import { type ViewerAsset, viewerAssets, viewerPageHtml } from '../viewer/page.js';
import { isModelId } from './ids.js';
import { formatRate, type RateSpec } from './limits.js';
import { baseHeaders, HttpError, PAGE_CSP, send, sendJson, writeHead } from './responses.js';
import type { ModelMeta } from './store.js';
import { handleUpload, type UploadContext } from './upload.js';

/** Everything the routes need; one per server. */
export interface RouteContext extends UploadContext {
  rate: RateSpec | undefined;
  /** Origin used in returned links, e.g. `http://models.example:8041`. */
  publicOrigin(req: IncomingMessage): string;
  /** The viewer assets, loaded once on first use. */
  assets(): Promise<Map<string, ViewerAsset>>;
}

/** Memoises {@link viewerAssets}; a failed load is retried on the next request. */
export function assetLoader(): () => Promise<Map<string, ViewerAsset>> {
  let pending: Promise<Map<string, ViewerAsset>> | undefined;
  return () => {
    pending ??= viewerAssets().catch((e) => {
      pending = undefined;
      throw e;
    });
    return pending;
  };
}

const READ = ['GET', 'HEAD'];

function allow(req: IncomingMessage, methods: string[]): void {
  if (!methods.includes(req.method ?? '')) {
    throw new HttpError(405, `${req.method} is not allowed here; use ${methods.join(' or ')}`, {
      Allow: methods.join(', '),
    });
  }
}

function modelOf(ctx: RouteContext, raw: string | null): ModelMeta {
  let id: string = raw ?? '';
  try {
    id = decodeURIComponent(id);
  } catch {
    // left encoded: it fails the id check below
  }
  if (!isModelId(id)) {
    const shown = JSON.stringify(String(id).slice(0, 64));
    throw new HttpError(400, `${shown} is not a model id; ids are 32 lowercase hex characters`);
  }
  const meta = ctx.store.get(id);
  if (!meta) throw new HttpError(404, `no model with id ${id} on this server`);
  return meta;
}

function sendModelFile(req: IncomingMessage, res: ServerResponse, ctx: RouteContext, meta: ModelMeta): void {
  const etag = `"${meta.id}"`;
  // The viewer page names the model (and picks the adapter to try first) from this header.
  const ext = meta.format === 'onnx' ? 'onnx' : 'pdmodel';
  const printable = meta.originalName && /^[\x20-\x7e]+$/.test(meta.originalName);
  const headers = {
    ...baseHeaders(),
    'X-Model-Name': printable ? meta.originalName! : `${meta.id}.${ext}`,
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${meta.id}.${ext}"`,
    ETag: etag,
    'Cache-Control': 'public, max-age=31536000, immutable',
  };
  if (req.headers['if-none-match'] === etag) {
    writeHead(res, 304, headers);
    res.end();
    return;
  }
  if (req.method === 'HEAD') {
    writeHead(res, 200, { ...headers, 'Content-Length': String(meta.size) });
    res.end();
    return;
  }
  const stream = createReadStream(ctx.store.filePath(meta.id));
  stream.once('open', () => {
    writeHead(res, 200, { ...headers, 'Content-Length': String(meta.size) });
    stream.pipe(res);
  });
  stream.once('error', (e) => {
    if (res.headersSent) res.destroy(e);
    else
      send(res, 500, 'application/json', JSON.stringify({ error: `cannot read the model: ${messageOf(e)}` }));
  });
  res.once('close', () => stream.destroy());
}

function sendPage(res: ServerResponse, meta: ModelMeta): void {
  const title = `${meta.originalName ?? meta.id} · pdseg`;
  const html = viewerPageHtml({ modelUrl: `/api/models/${meta.id}`, title, assetBase: '/viewer' });
  send(res, 200, 'text/html; charset=utf-8', html, {
    'Content-Security-Policy': PAGE_CSP,
    'Cache-Control': 'no-cache',
  });
}

async function assetsOr503(ctx: RouteContext): Promise<Map<string, ViewerAsset>> {
  try {
    return await ctx.assets();
  } catch (e) {
    throw new HttpError(503, `the viewer is not available on this server: ${messageOf(e)}`);
  }
}

/**
 * Answers one request. Resolves when the response is under way; throws {@link HttpError}
 * for the server to send. `counted` receives request body bytes as they are read.
 */
export async function route(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RouteContext,
  counted: (n: number) => void,
): Promise<void> {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));

  if (path === '/api/models') {
    allow(req, ['POST']);
    const result = await handleUpload(req, ctx, counted);
    const url = `${ctx.publicOrigin(req)}/app?id=${result.id}`;
    sendJson(res, result.created ? 201 : 200, {
      id: result.id,
      url,
      size: result.size,
      format: result.format,
    });
    return;
  }
  if (path.startsWith('/api/models/')) {
    allow(req, READ);
    const rest = path.slice('/api/models/'.length);
    if (rest.endsWith('/meta')) {
      sendJson(res, 200, modelOf(ctx, rest.slice(0, -'/meta'.length)));
    } else {
      sendModelFile(req, res, ctx, modelOf(ctx, rest));
    }
    return;
  }
  if (path === '/app') {
    allow(req, READ);
    sendPage(res, modelOf(ctx, query.get('id')));
    return;
  }
  if (path.startsWith('/viewer/')) {
    allow(req, READ);
    const asset = (await assetsOr503(ctx)).get(path.slice('/viewer/'.length));
    if (!asset) throw new HttpError(404, 'no such file');
    // The worker script's own policy governs the worker, so assets carry the page's policy.
    send(res, 200, asset.contentType, asset.body, {
      'Content-Security-Policy': PAGE_CSP,
      'Cache-Control': 'no-cache',
    });
    return;
  }
  if (path === '/api/limits') {
    allow(req, READ);
    sendJson(res, 200, {
      maxSize: ctx.maxSize,
      rate: formatRate(ctx.rate),
      tokenRequired: ctx.token !== undefined,
    });
    return;
  }
  if (path === '/favicon.ico') {
    allow(req, READ);
    writeHead(res, 204, baseHeaders());
    res.end();
    return;
  }
  if (path === '/') {
    allow(req, READ);
    send(
      res,
      200,
      'text/plain; charset=utf-8',
      'pdseg service: share a model with `pdseg service upload --model <file> --server <this url>`\n',
    );
    return;
  }
  throw new HttpError(404, 'not found');
}
