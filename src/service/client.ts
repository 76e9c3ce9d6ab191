/**
 * The upload client of `pdseg service upload` (issue 8). This file is the only code of the
 * service that opens connections to another machine. It checks the size against the
 * server's limit before sending, streams the file with progress events, and turns every
 * refusal (413, 429, 401, 415) and network failure into one explanatory line.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { basename } from 'node:path';
import { messageOf, PdsegError } from '../errors.js';
import { type ProgressSink, silent } from '../events.js';

/** What the server answers for a stored model. */
export interface UploadResponse {
  id: string;
  url: string;
  size: number;
  format: string;
}

/** Options of {@link uploadModel}. */
export interface UploadOptions {
  /** Server origin, e.g. `http://127.0.0.1:8041`. */
  server: string;
  token?: string;
  sink?: ProgressSink;
  /** Limit assumed when the server does not publish one (default 100 MB, VisualDL's cap). */
  fallbackMaxSize?: number;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const MAX_REPLY = 64 * 1024;

function fmtMB(bytes: number): string {
  if (bytes < 100_000) return `${bytes} bytes`;
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function fmtWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s ? `${m} min ${s} s` : `${m} min`;
}

function networkError(e: unknown, server: string): PdsegError {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ECONNREFUSED: 'connection refused; is `pdseg service serve` running there?',
    ENOTFOUND: 'host not found; check the address',
    EAI_AGAIN: 'host name lookup failed; check the address and your network',
    ETIMEDOUT: 'the connection timed out',
    ECONNRESET: 'the server closed the connection',
    EPIPE: 'the server closed the connection',
  };
  return new PdsegError(
    'SERVICE',
    `cannot reach the pdseg service at ${server}: ${(code && why[code]) ?? messageOf(e)} (set --server or PDSEG_SERVICE_URL)`,
    { cause: e },
  );
}

function errorText(reply: Reply): string {
  try {
    const v = JSON.parse(reply.body) as { error?: unknown };
    if (typeof v.error === 'string') return v.error;
  } catch {
    // not JSON: fall through to the raw text
  }
  return reply.body.trim().slice(0, 200) || `HTTP ${reply.status}`;
}

/** Explains a refused upload in one line. */
export function explainRefusal(reply: Reply, server: string): PdsegError {
  const reason = errorText(reply);
  switch (reply.status) {
    case 413:
      return new PdsegError('SERVICE', `the server refused the model as too large: ${reason}`, {
        exitCode: 2,
      });
    case 429: {
      const wait = Number(reply.headers['retry-after']);
      const when =
        Number.isFinite(wait) && wait > 0 ? `try again in ${fmtWait(Math.ceil(wait))}` : 'try again later';
      return new PdsegError('SERVICE', `the server at ${server} limits uploads per address: ${when}`);
    }
    case 401:
      return new PdsegError(
        'SERVICE',
        `the server at ${server} wants a valid token (${reason}); pass --token or set PDSEG_SERVICE_TOKEN`,
        { exitCode: 2 },
      );
    case 415:
      return new PdsegError('MODEL_FORMAT', `the server refused the file: ${reason}`);
    default:
      return new PdsegError('SERVICE', `the server at ${server} answered ${reply.status}: ${reason}`);
  }
}

/** Sends one request; `body` streams the file and reports bytes written. */
function request(
  url: URL,
  options: { method: string; headers: Record<string, string>; body?: (req: http.ClientRequest) => void },
): Promise<Reply> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = lib.request(url, { method: options.method, headers: options.headers }, (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        if (body.length < MAX_REPLY) body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    // A server that refuses early closes the connection while the body is still being sent;
    // once its answer is here, that write error is expected and ignored.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (options.body) options.body(req);
    else req.end();
  });
}

/** Reads the server's published upload limit; `undefined` when it publishes none. */
async function serverMaxSize(server: string): Promise<number | undefined> {
  const reply = await request(new URL('/api/limits', `${server}/`), { method: 'GET', headers: {} });
  if (reply.status !== 200) return undefined;
  try {
    const v = JSON.parse(reply.body) as { maxSize?: unknown };
    return typeof v.maxSize === 'number' ? v.maxSize : undefined;
  } catch {
    return undefined; // an older or foreign server: the fallback limit applies
  }
}

/** Uploads the model file at `path` and returns the server's answer with the link. */
export async function uploadModel(path: string, options: UploadOptions): Promise<UploadResponse> {
  const sink = options.sink ?? silent;
  const info = await stat(path).catch((e: unknown) => {
    throw new PdsegError('USAGE', `cannot read the model '${path}': ${messageOf(e)}`, { cause: e });
  });
  if (!info.isFile()) {
    throw new PdsegError(
      'USAGE',
      `'${path}' is not a file; pass the model file, e.g. freeze_model/model.onnx`,
    );
  }
  const server = options.server.replace(/\/+$/, '');
  let limit: number;
  try {
    limit = (await serverMaxSize(server)) ?? options.fallbackMaxSize ?? 100_000_000;
  } catch (e) {
    throw networkError(e, server);
  }
  if (info.size > limit) {
    throw new PdsegError(
      'SERVICE',
      `'${path}' is ${fmtMB(info.size)}; the server at ${server} accepts models up to ${fmtMB(limit)}`,
      { exitCode: 2 },
    );
  }
  const name = basename(path);
  const url = new URL(`/api/models?name=${encodeURIComponent(name)}`, `${server}/`);
  const headers: Record<string, string> = {
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(info.size),
    ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
  };
  const started = performance.now();
  let reply: Reply;
  try {
    reply = await request(url, {
      method: 'POST',
      headers,
      body: (req) => {
        let done = 0;
        const file = createReadStream(path);
        file.on('data', (chunk) => {
          done += chunk.length;
          const seconds = (performance.now() - started) / 1000;
          const rate = seconds > 0 ? done / seconds : undefined;
          sink({
            type: 'progress',
            task: 'upload',
            item: name,
            done,
            total: info.size,
            unit: 'bytes',
            ...(rate ? { rate, etaSeconds: (info.size - done) / rate } : {}),
          });
        });
        file.on('error', (e) => req.destroy(e));
        req.on('response', () => file.destroy());
        file.pipe(req);
      },
    });
  } catch (e) {
    throw networkError(e, server);
  }
  if (reply.status !== 200 && reply.status !== 201) throw explainRefusal(reply, server);
  let answer: UploadResponse;
  try {
    answer = JSON.parse(reply.body) as UploadResponse;
  } catch (e) {
    throw new PdsegError('SERVICE', `the server at ${server} answered something that is not JSON`, {
      cause: e,
    });
  }
  sink({ type: 'done', task: 'upload', message: `uploaded ${name} (${fmtMB(answer.size)}) as ${answer.id}` });
  return answer;
}
