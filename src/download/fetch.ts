/**
 * The one module that opens network connections (STYLE.md §6): HTTP downloads with
 * `undici`, into `<archive>.part`, with progress events, resume and retries.
 *
 * - Resume: a `.part` file continues with `Range: bytes=N-` guarded by `If-Range` (a strong
 *   ETag, else Last-Modified), stored beside it in `<archive>.part.json`. A 200 answer to a
 *   range request (server ignores Range, or the file changed) restarts cleanly from byte 0.
 * - Retries with backoff on connection errors, timeouts and 5xx/408/429; the delays are
 *   injectable so tests run fast. Other statuses fail at once.
 * - A final error names the URL and the status or the network reason (DNS, refused, timeout).
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { STATUS_CODES } from 'node:http';
import { basename } from 'node:path';
import { getGlobalDispatcher, interceptors, request } from 'undici';
import { messageOf, PdsegError } from '../errors.js';
import type { ProgressSink } from '../events.js';
import { writeFileAtomic } from '../util/atomic.js';
import { startPump } from './body-pump.js';

/** Request options the downloader passes to a {@link FetchLike}. */
export interface FetchInit {
  headers: Record<string, string>;
  signal: AbortSignal;
}

/** The part of a fetch `Response` the downloader reads. */
export interface FetchResponseLike {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  body: AsyncIterable<Uint8Array> | null;
}

/** A `fetch`-compatible function; tests may inject one, the default is undici's `fetch`. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

/**
 * How far the response body may run ahead of the file writes. undici 7 crashes the
 * process (an uncatchable `assert(!this.paused)`, nodejs/undici#5360, fixed only in
 * undici 8, which needs Node 22) when a server closes the connection while the HTTP
 * parser is paused for backpressure — e.g. `python -m http.server` as a `--mirror` and
 * a slow terminal. A large high-water mark means the parser is never paused in practice.
 */
const BODY_HIGH_WATER_MARK = 256 * 1024 * 1024;

/**
 * The default {@link FetchLike}: undici's `request` (not `fetch`, whose body stream has a
 * fixed 64 KiB high-water mark, see {@link BODY_HIGH_WATER_MARK}), following redirects.
 */
export const undiciFetchLike: FetchLike = async (url, init) => {
  const dispatcher = getGlobalDispatcher().compose(interceptors.redirect({ maxRedirections: 5 }));
  const res = await request(url, {
    method: 'GET',
    headers: init.headers,
    signal: init.signal,
    dispatcher,
    highWaterMark: BODY_HIGH_WATER_MARK,
  });
  return {
    status: res.statusCode,
    statusText: STATUS_CODES[res.statusCode] ?? '',
    headers: {
      get(name: string): string | null {
        const value = res.headers[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(', ') : String(value);
      },
    },
    body: res.body,
  };
};

/** Default delays between attempts: 3 retries, 1 s, 3 s, 9 s. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 3000, 9000];

/** Options of {@link downloadFile}. */
export interface DownloadFileOptions {
  url: string;
  /** Final archive path; data goes to `<archivePath>.part`, the validator to `.part.json`. */
  archivePath: string;
  /** Item name used in events (`pspnet50_bn_cityscapes`). */
  item: string;
  onEvent: ProgressSink;
  fetchImpl?: FetchLike;
  /** Delay before each retry; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
  /** Abort an attempt when no byte arrives for this long (default 30 000 ms). */
  timeoutMs?: number;
  /** Minimum milliseconds between progress events (default 200). */
  progressIntervalMs?: number;
}

/** Result of {@link downloadFile}. */
export interface DownloadedFile {
  /** The complete `.part` file (the caller verifies, extracts and removes it). */
  partPath: string;
  size: number;
  /** Byte offset of the last successful resume, 0 when every byte came in one go. */
  resumedFrom: number;
  /** Number of HTTP requests made. */
  requests: number;
}

/** Contents of `<archive>.part.json`. */
interface PartMeta {
  url: string;
  validator?: string;
  total?: number;
}

/** An attempt failed in a way worth retrying. */
class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Paths of the partial download and its validator for an archive path. */
export function partPaths(archivePath: string): { part: string; meta: string } {
  return { part: `${archivePath}.part`, meta: `${archivePath}.part.json` };
}

/** Removes `<archive>.part` and its validator file. */
export async function removePartial(archivePath: string): Promise<void> {
  const { part, meta } = partPaths(archivePath);
  await rm(part, { force: true });
  await rm(meta, { force: true });
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function readMeta(path: string): Promise<PartMeta | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as PartMeta;
    return typeof parsed.url === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A strong ETag, else Last-Modified: what `If-Range` may carry (RFC 9110 §13.1.5). */
function validatorOf(headers: FetchResponseLike['headers']): string | undefined {
  const etag = headers.get('etag');
  if (etag && !etag.startsWith('W/')) return etag;
  return headers.get('last-modified') ?? undefined;
}

function errorCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeNetworkError(e: unknown, url: string): string {
  const code = errorCode(e);
  const host = new URL(url).host;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `could not resolve host '${host}' (DNS failure, ${code})`;
  if (code === 'ECONNREFUSED') return `connection refused by ${host}`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `connection to ${host} lost (${code})`;
  const cause = (e as { cause?: unknown }).cause;
  return cause ? `${messageOf(e)}: ${messageOf(cause)}` : messageOf(e);
}

function httpHint(status: number): string {
  if (status === 404)
    return 'the file is not there; check the name, or that the --mirror serves PaddleSeg paths';
  if (status === 403 || status === 401) return 'access denied; check the mirror or your proxy';
  if (status >= 500) return 'the server failed; try again later or use --mirror';
  return 'check the URL and the --mirror setting';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Downloads `url` to `<archivePath>.part`, resuming a previous partial file when its
 * validator allows. Throws DOWNLOAD_HTTP (status named) or DOWNLOAD_NETWORK (reason named)
 * after the retries are used up; the `.part` file is kept then, so the next run resumes.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<DownloadedFile> {
  const { url, archivePath, item, onEvent } = options;
  const fetchImpl = options.fetchImpl ?? undiciFetchLike;
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const interval = options.progressIntervalMs ?? 200;
  const { part, meta: metaPath } = partPaths(archivePath);
  const state = { requests: 0, resumedFrom: 0 };
  let restarts = 0;

  for (let attempt = 0; ; ) {
    try {
      const done = await attemptOnce();
      if (done === 'restart') {
        if (++restarts > 3)
          throw new PdsegError(
            'DOWNLOAD_HTTP',
            `download of ${url} failed: the server keeps rejecting resumed requests`,
          );
        continue;
      }
      return { partPath: part, size: done, resumedFrom: state.resumedFrom, requests: state.requests };
    } catch (e) {
      if (!(e instanceof RetryableFailure)) throw e;
      if (attempt < delays.length) {
        const delay = delays[attempt];
        attempt++;
        onEvent({
          type: 'warn',
          task: 'download',
          message: `${item}: ${e.message}; retrying in ${(delay / 1000).toFixed(1)}s (retry ${attempt}/${delays.length})`,
        });
        await sleep(delay);
        continue;
      }
      const kept = await fileSize(part);
      const tail =
        kept > 0 ? `; ${kept} bytes are kept in '${basename(part)}' and the next run resumes from there` : '';
      const tries = `${attempt + 1} attempt${attempt === 0 ? '' : 's'}`;
      if (e.status !== undefined) {
        throw new PdsegError(
          'DOWNLOAD_HTTP',
          `download of ${url} failed after ${tries}: ${e.message}; ${httpHint(e.status)}${tail}`,
          {
            cause: e,
          },
        );
      }
      throw new PdsegError(
        'DOWNLOAD_NETWORK',
        `download of ${url} failed after ${tries}: ${e.message}${tail}`,
        { cause: e },
      );
    }
  }

  /** One HTTP request. Resolves to the complete size, or 'restart' to start over at once. */
  async function attemptOnce(): Promise<number | 'restart'> {
    const meta = await readMeta(metaPath);
    let offset = await fileSize(part);
    if (offset > 0 && !(meta && meta.url === url && meta.validator)) {
      onEvent({
        type: 'info',
        task: 'download',
        message: `${item}: discarding a partial file that cannot be resumed safely`,
      });
      await removePartial(archivePath);
      offset = 0;
    }
    if (offset > 0 && meta?.total !== undefined && offset >= meta.total) {
      if (offset === meta.total) return offset;
      await removePartial(archivePath);
      offset = 0;
    }
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (offset > 0 && meta?.validator) {
      headers.range = `bytes=${offset}-`;
      headers['if-range'] = meta.validator;
    }
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort(new Error('timeout'));
      }, timeoutMs);
    };
    const failNetwork = (e: unknown): RetryableFailure =>
      new RetryableFailure(
        timedOut
          ? `no data from ${new URL(url).host} for ${timeoutMs / 1000}s (timeout)`
          : describeNetworkError(e, url),
        undefined,
        { cause: e },
      );
    arm();
    try {
      state.requests++;
      let res: FetchResponseLike;
      try {
        res = await fetchImpl(url, { headers, signal: controller.signal });
      } catch (e) {
        throw failNetwork(e);
      }
      // Listen to the body at once, before any other await (see body-pump.ts).
      const pump = res.body ? startPump(res.body, controller.signal) : undefined;
      const status = res.status;
      let total: number | undefined;
      let mode: 'a' | 'w';
      const length = res.headers.get('content-length');
      if (status === 206 && offset > 0) {
        const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
        if (!m || Number(m[1]) !== offset) {
          onEvent({
            type: 'info',
            task: 'download',
            message: `${item}: unexpected Content-Range; restarting from the beginning`,
          });
          await removePartial(archivePath);
          return 'restart';
        }
        total = m[3] !== '*' ? Number(m[3]) : length !== null ? offset + Number(length) : undefined;
        mode = 'a';
        state.resumedFrom = offset;
        onEvent({ type: 'info', task: 'download', message: `${item}: resuming at byte ${offset}` });
      } else if (status === 200) {
        if (offset > 0) {
          const changed = validatorOf(res.headers) !== meta?.validator;
          onEvent({
            type: 'info',
            task: 'download',
            message: `${item}: ${changed ? 'the file changed on the server' : 'the server does not support resuming'}; restarting from the beginning`,
          });
        }
        offset = 0;
        total = length !== null ? Number(length) : undefined;
        mode = 'w';
      } else if (status === 416) {
        await removePartial(archivePath);
        return 'restart';
      } else {
        const text = `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''}`;
        if (status >= 500 || status === 408 || status === 429) throw new RetryableFailure(text, status);
        throw new PdsegError('DOWNLOAD_HTTP', `download of ${url} failed: ${text}; ${httpHint(status)}`);
      }
      const newMeta: PartMeta = { url, validator: validatorOf(res.headers) ?? meta?.validator, total };
      await writeFileAtomic(metaPath, JSON.stringify(newMeta), { fsync: false });
      if (!pump) throw new RetryableFailure(`empty response body from ${new URL(url).host}`);

      const fh = await open(part, mode);
      const started = Date.now();
      let received = 0;
      let lastEvent = 0;
      const progress = (force: boolean) => {
        const now = Date.now();
        if (!force && now - lastEvent < interval) return;
        lastEvent = now;
        const seconds = (now - started) / 1000;
        const rate = seconds > 0 ? received / seconds : undefined;
        const doneBytes = offset + received;
        const eta = rate && total !== undefined ? Math.max(0, (total - doneBytes) / rate) : undefined;
        onEvent({
          type: 'progress',
          task: 'download',
          item,
          done: doneBytes,
          total,
          unit: 'bytes',
          rate,
          etaSeconds: eta,
        });
      };
      try {
        try {
          await pump.run(async (chunk) => {
            arm();
            try {
              await fh.write(chunk);
            } catch (e) {
              throw new PdsegError(
                'IO',
                `could not write '${part}': ${messageOf(e)}; check free disk space`,
                {
                  cause: e,
                },
              );
            }
            received += chunk.byteLength;
            progress(false);
          });
        } catch (e) {
          if (e instanceof PdsegError) throw e;
          throw failNetwork(e);
        }
      } finally {
        await fh.close();
      }
      const size = offset + received;
      if (total !== undefined && size !== total) {
        throw new RetryableFailure(`connection closed after ${size} of ${total} bytes`);
      }
      progress(true);
      return size;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }
}
