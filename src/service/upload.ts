/**
 * `POST /api/models` (issue 8): checks the token and the client's rate, streams the body
 * (raw, or the `model` field of a multipart form) into a temporary file while hashing it,
 * answers 413 the moment `--max-size` is passed, validates the model from the file, and
 * publishes it under its content id. Nothing of a refused upload stays on disk.
 */

import type { IncomingMessage } from 'node:http';
import { isPdsegError } from '../errors.js';
import type { Gate } from './gate.js';
import { checkModelFile } from './model-check.js';
import { MultipartReader, multipartBoundary } from './multipart.js';
import { clientKey, type RateLimiter } from './rate-limiter.js';
import { HttpError } from './responses.js';
import { bearerMatches } from './security.js';
import { type IncomingUpload, type ModelStore, UploadTooLargeError } from './store.js';

/** Room for multipart framing (boundaries, part headers) on top of the model's own bytes. */
export const MULTIPART_OVERHEAD = 64 * 1024;

/** What the upload handler needs from its server. */
export interface UploadContext {
  store: ModelStore;
  /** Largest model accepted, in bytes. */
  maxSize: number;
  limiter: RateLimiter | undefined;
  token: string | undefined;
  /** Bounds concurrent validations (each may read a Paddle program whole). */
  validation: Gate;
}

/** The answer to a successful upload, before the link is added. */
export interface UploadResult {
  id: string;
  size: number;
  format: string;
  created: boolean;
}

/** Keeps a user-given file name as display text only: last path segment, printable, bounded. */
export function cleanFileName(name: string | null | undefined): string | undefined {
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(0, 200);
  return clean || undefined;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    `the model is larger than this server's limit of ${limit} bytes (${(limit / 1e6).toFixed(1)} MB)`,
    { Connection: 'close' },
  );
}

/** Checks authorisation and rate before any body byte is read. */
function admit(req: IncomingMessage, ctx: UploadContext): void {
  if (ctx.token !== undefined && !bearerMatches(req.headers.authorization, ctx.token)) {
    const why = req.headers.authorization ? 'the token is wrong' : 'this server requires a token';
    throw new HttpError(401, `${why}; send 'Authorization: Bearer <token>' (pdseg service upload --token)`, {
      'WWW-Authenticate': 'Bearer realm="pdseg"',
      Connection: 'close',
    });
  }
  const decision = ctx.limiter?.take(clientKey(req.socket.remoteAddress));
  if (decision && !decision.allowed) {
    throw new HttpError(
      429,
      `too many uploads from your address; try again in ${decision.retryAfterSeconds} s`,
      { 'Retry-After': String(decision.retryAfterSeconds), Connection: 'close' },
    );
  }
}

/** Streams the request into `incoming`; returns the uploader's file name, if any. */
async function receive(
  req: IncomingMessage,
  incoming: IncomingUpload,
  ctx: UploadContext,
  counted: (n: number) => void,
): Promise<string | undefined> {
  const boundary = multipartBoundary(req.headers['content-type']);
  const bodyLimit = boundary ? ctx.maxSize + MULTIPART_OVERHEAD : ctx.maxSize;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > bodyLimit) throw tooLarge(ctx.maxSize);
  // Not destroying on return keeps the socket open long enough to answer 413.
  const chunks = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
  let bodyBytes = 0;
  const count = (n: number) => {
    bodyBytes += n;
    counted(n);
    if (bodyBytes > bodyLimit) throw tooLarge(ctx.maxSize);
  };
  if (!boundary) {
    for await (const chunk of chunks) {
      count(chunk.length);
      await incoming.write(chunk);
    }
    return cleanFileName(new URL(req.url ?? '/', 'http://x').searchParams.get('name'));
  }
  const reader = new MultipartReader(boundary);
  let inModel = false;
  let sawModel = false;
  let fileName: string | undefined;
  for await (const chunk of chunks) {
    count(chunk.length);
    for (const ev of reader.push(chunk)) {
      if (ev.type === 'part') {
        inModel = ev.name === 'model';
        if (inModel && sawModel) throw new HttpError(400, "the form has more than one 'model' field");
        if (inModel) {
          sawModel = true;
          fileName = cleanFileName(ev.fileName);
        }
      } else if (ev.type === 'data' && inModel) {
        await incoming.write(ev.data);
      } else if (ev.type === 'part-end') {
        inModel = false;
      }
    }
  }
  reader.end();
  if (!sawModel) throw new HttpError(400, "the form has no 'model' field; send the file as model=@<file>");
  return fileName;
}

/** Handles one upload; throws {@link HttpError} for every refusal. */
export async function handleUpload(
  req: IncomingMessage,
  ctx: UploadContext,
  counted: (n: number) => void,
): Promise<UploadResult> {
  admit(req, ctx);
  const incoming = await ctx.store.begin(ctx.maxSize);
  let received: Awaited<ReturnType<IncomingUpload['finish']>>;
  let fileName: string | undefined;
  try {
    fileName = await receive(req, incoming, ctx, counted);
    received = await incoming.finish();
  } catch (e) {
    await incoming.abort();
    if (e instanceof UploadTooLargeError) throw tooLarge(e.limit);
    if (isPdsegError(e, 'SERVICE') && !(e instanceof HttpError)) throw new HttpError(400, e.message);
    throw e;
  }
  try {
    if (received.size === 0) throw new HttpError(400, 'the upload is empty; send the model file as the body');
    const facts = await ctx.validation.run(() => checkModelFile(received.tempPath, fileName));
    const { meta, created } = await ctx.store.commit(received, {
      ...facts,
      ...(fileName ? { originalName: fileName } : {}),
    });
    return { id: meta.id, size: meta.size, format: meta.format, created };
  } catch (e) {
    await incoming.abort();
    if (isPdsegError(e, 'MODEL_FORMAT')) throw new HttpError(415, e.message);
    throw e;
  }
}
