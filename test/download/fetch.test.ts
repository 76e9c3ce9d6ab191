import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { downloadFile, type FetchLike, undiciFetchLike } from '../../src/download/fetch.js';
import { PdsegError } from '../../src/errors.js';
import { tempDir } from '../helpers.js';
import { pseudoRandomBytes } from './fixtures.js';

let work: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  work = await tempDir('pdseg-fetch-');
});
afterEach(() => work.cleanup());

/** An HTTP/1.0-style server (like `python -m http.server`): whole body, then FIN. */
async function closingServer(body: Buffer): Promise<{ origin: string; server: Server }> {
  const server = createServer((sock) => {
    sock.once('data', () => {
      sock.write(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
      sock.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { origin: `http://127.0.0.1:${address.port}`, server };
}

describe('downloadFile', () => {
  it('survives a server that closes the connection while the reader is slow (undici#5360)', async () => {
    const body = pseudoRandomBytes(4 * 1024 * 1024, 7);
    const { origin, server } = await closingServer(body);
    try {
      const archivePath = join(work.dir, 'a.tgz');
      let slowCalls = 0;
      const result = await downloadFile({
        url: `${origin}/a.tgz`,
        archivePath,
        item: 'a',
        progressIntervalMs: 0,
        retryDelaysMs: [],
        onEvent: (e) => {
          if (e.type !== 'progress' || slowCalls++ > 20) return;
          const until = Date.now() + 20;
          while (Date.now() < until) {
            // a slow reader (a busy terminal), so that the socket's FIN arrives first
          }
        },
      });
      expect(result.size).toBe(body.length);
      expect(readFileSync(`${archivePath}.part`).equals(body)).toBe(true);
    } finally {
      server.close();
    }
  });

  it('survives a FIN that arrives while the body is not being read (undici#5360)', async () => {
    for (const size of [16 * 1024, 64 * 1024, 65 * 1024, 128 * 1024]) {
      const body = pseudoRandomBytes(size, size);
      const { origin, server } = await closingServer(body);
      try {
        // Hand the response over only after the whole body and the FIN have arrived.
        const lateFetch: FetchLike = async (url, init) => {
          const res = await undiciFetchLike(url, init);
          await new Promise((resolve) => setTimeout(resolve, 200));
          return res;
        };
        const archivePath = join(work.dir, `b${size}.tgz`);
        const result = await downloadFile({
          url: `${origin}/b`,
          archivePath,
          item: 'b',
          fetchImpl: lateFetch,
          retryDelaysMs: [],
          onEvent: () => {},
        });
        expect(result.size).toBe(size);
        expect(readFileSync(`${archivePath}.part`).equals(body)).toBe(true);
      } finally {
        server.close();
      }
    }
  });

  it('fails (does not hang) when the body broke before it was read', async () => {
    const fetchImpl: FetchLike = async () => {
      const body = new Readable({ read() {} });
      body.push(Buffer.from('partial'));
      // The transport saw the error (as undici does) before the caller got the body: the
      // stream is destroyed and errored when downloadFile first looks at it. Without this
      // listener the fake itself would raise an uncaught 'error' event.
      body.on('error', () => {});
      body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const headers = new Map([
        ['content-length', '100'],
        ['etag', '"e"'],
      ]);
      return { status: 200, statusText: 'OK', headers: { get: (n: string) => headers.get(n) ?? null }, body };
    };
    let caught: unknown;
    try {
      await downloadFile({
        url: 'http://127.0.0.1:9/a.tgz',
        archivePath: join(work.dir, 'a.tgz'),
        item: 'a',
        fetchImpl,
        retryDelaysMs: [],
        timeoutMs: 60_000,
        onEvent: () => {},
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PdsegError);
    expect((caught as PdsegError).code).toBe('DOWNLOAD_NETWORK');
    expect((caught as PdsegError).message).toContain('connection to 127.0.0.1:9 lost (ECONNRESET)');
  });
});
