/**
 * `pdseg service` against hostile clients (issue: hostile input): hundreds of slow
 * connections (slowloris: headers trickled a byte at a time) do not starve a normal request,
 * and every kind of response — page, model bytes, JSON, and each error — carries the
 * security headers.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedId, httpRequest, testService, tinyOnnx } from './fixtures.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

const octet = { 'Content-Type': 'application/octet-stream' };

describe('pdseg service under hostile clients', () => {
  it('300 slowloris connections do not starve a normal upload and download', async () => {
    const t = await testService();
    stops.push(t.stop);
    const { port } = new URL(t.service.url);
    const slow: Socket[] = [];
    for (let i = 0; i < 300; i++) {
      const s = connect(Number(port), '127.0.0.1');
      s.on('error', () => {});
      s.write('POST /api/models HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      slow.push(s);
    }
    // Keep them alive with one header byte at a time while the normal client works.
    const drip = setInterval(() => {
      for (const s of slow) if (!s.destroyed) s.write('X');
    }, 100);
    try {
      const bytes = tinyOnnx('busy', 4);
      const t0 = performance.now();
      const up = await httpRequest(t.service.url, '/api/models', {
        method: 'POST',
        headers: octet,
        body: bytes,
      });
      const down = await httpRequest(t.service.url, `/api/models/${expectedId(bytes)}`);
      const elapsed = performance.now() - t0;
      expect(up.status).toBe(201);
      expect(Buffer.compare(down.body, Buffer.from(bytes))).toBe(0);
      expect(elapsed).toBeLessThan(2000);
      expect(slow.filter((s) => !s.destroyed).length).toBeGreaterThan(250);
    } finally {
      clearInterval(drip);
      for (const s of slow) s.destroy();
    }
  }, 30_000);

  it('every response kind carries CSP, X-Content-Type-Options and Referrer-Policy', async () => {
    const t = await testService({ maxSize: 4096 });
    stops.push(t.stop);
    const bytes = tinyOnnx('headers', 3);
    const up = await httpRequest(t.service.url, '/api/models', {
      method: 'POST',
      headers: octet,
      body: bytes,
    });
    const id = expectedId(bytes);
    const replies = {
      upload: up,
      page: await httpRequest(t.service.url, `/app?id=${id}`),
      bytes: await httpRequest(t.service.url, `/api/models/${id}`),
      meta: await httpRequest(t.service.url, `/api/models/${id}/meta`),
      badId: await httpRequest(t.service.url, '/api/models/not-an-id'),
      unknown: await httpRequest(t.service.url, `/api/models/${'0'.repeat(32)}`),
      method: await httpRequest(t.service.url, '/api/models', { method: 'PUT' }),
      junk: await httpRequest(t.service.url, '/api/models', {
        method: 'POST',
        headers: octet,
        body: new TextEncoder().encode('<html>not a model</html>'),
      }),
      oversize: await httpRequest(t.service.url, '/api/models', {
        method: 'POST',
        headers: octet,
        body: new Uint8Array(8192),
      }),
    };
    const statuses = Object.fromEntries(Object.entries(replies).map(([k, r]) => [k, r.status]));
    expect(statuses).toMatchObject({
      upload: 201,
      page: 200,
      bytes: 200,
      meta: 200,
      badId: 400,
      unknown: 404,
    });
    expect(statuses.method).toBeGreaterThanOrEqual(400);
    expect([415, 413]).toContain(statuses.junk);
    expect(statuses.oversize).toBe(413);
    for (const [kind, r] of Object.entries(replies)) {
      expect(r.headers['content-security-policy'], kind).toMatch(/default-src 'none'/);
      expect(r.headers['x-content-type-options'], kind).toBe('nosniff');
      expect(r.headers['referrer-policy'], kind).toBe('no-referrer');
    }
  });
});
