import { mkdtemp, readdir, rm } from 'node:fs/promises';
import httpModule from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import { startService } from '../../src/service/server.js';
import { expectedId, httpRequest, testService, tinyOnnx } from './fixtures.js';

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function serve(options: Parameters<typeof testService>[0] = {}) {
  const t = await testService(options);
  stops.push(t.stop);
  return t;
}

const octet = { 'Content-Type': 'application/octet-stream' };

async function* repeat(chunk: Uint8Array, times: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < times; i++) yield chunk;
}

describe('pdseg service over real HTTP on loopback', () => {
  it('stores an upload and answers its id, link, size and format', async () => {
    const { service, log } = await serve();
    const bytes = tinyOnnx('upload', 5);
    const id = expectedId(bytes);
    const up = await httpRequest(service.url, '/api/models?name=model.onnx', {
      method: 'POST',
      headers: octet,
      body: bytes,
    });
    expect(up.status).toBe(201);
    expect(up.json()).toEqual({ id, url: `${service.url}/app?id=${id}`, size: bytes.length, format: 'onnx' });

    const file = await httpRequest(service.url, `/api/models/${id}`);
    expect(file.status).toBe(200);
    expect(Buffer.compare(file.body, Buffer.from(bytes))).toBe(0);
    expect(file.headers['content-type']).toBe('application/octet-stream');

    const meta = (await httpRequest(service.url, `/api/models/${id}/meta`)).json();
    expect(meta).toMatchObject({
      id,
      format: 'onnx',
      size: bytes.length,
      originalName: 'model.onnx',
      nodeCount: 5,
    });
    expect(Number.isNaN(Date.parse(meta.uploadedAt))).toBe(false);

    const post = log.find((e) => e.method === 'POST')!;
    expect(post).toMatchObject({ path: '/api/models?name=model.onnx', status: 201, bytesIn: bytes.length });
    expect(log.map((e) => e.status)).toEqual([201, 200, 200]);
    expect(log[1]).toMatchObject({
      method: 'GET',
      path: `/api/models/${id}`,
      bytesIn: 0,
      bytesOut: bytes.length,
    });
    expect(log[0]!.bytesOut).toBe(Buffer.byteLength(up.body));
  });

  it('returns the same id for the same bytes and keeps one copy', async () => {
    const { service, dataDir } = await serve();
    const bytes = tinyOnnx('dup');
    const send = () =>
      httpRequest(service.url, '/api/models', { method: 'POST', headers: octet, body: bytes });
    const replies = await Promise.all([send(), send(), send()]);
    expect(replies.map((r) => r.json().id)).toEqual(Array(3).fill(expectedId(bytes)));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect((await send()).status).toBe(200);
    expect(await readdir(join(dataDir, 'models'))).toHaveLength(2);
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
  });

  it('accepts multipart uploads with a model field and its file name', async () => {
    const { service } = await serve();
    const bytes = tinyOnnx('multipart');
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('model', new Blob([bytes]), 'freeze_model/model.onnx');
    const res = await fetch(`${service.url}/api/models`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(id).toBe(expectedId(bytes));
    const meta = (await httpRequest(service.url, `/api/models/${id}/meta`)).json();
    expect(meta.originalName).toBe('model.onnx');

    const empty = new FormData();
    empty.append('other', 'x');
    const bad = await fetch(`${service.url}/api/models`, { method: 'POST', body: empty });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain("no 'model' field");
  });

  it('refuses a body that is not a model with 415 and the reason, leaving nothing on disk', async () => {
    const { service, dataDir } = await serve();
    const res = await httpRequest(service.url, '/api/models?name=notes.txt', {
      method: 'POST',
      headers: octet,
      body: Buffer.from('just some text, certainly not a protobuf'),
    });
    expect(res.status).toBe(415);
    expect(res.json().error).toMatch(/'notes\.txt' \(\d+ bytes\) is not a model pdseg can show/);
    expect(await readdir(join(dataDir, 'models'))).toEqual([]);
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    const empty = await httpRequest(service.url, '/api/models', {
      method: 'POST',
      headers: octet,
      body: new Uint8Array(),
    });
    expect(empty.status).toBe(400);
  });

  it('answers 400 for anything that is not 32 lowercase hex and 404 for unknown ids', async () => {
    const { service } = await serve();
    const hex31 = 'a'.repeat(31);
    for (const path of [
      '/api/models/../x',
      `/api/models/${hex31}`,
      `/api/models/${'A'.repeat(32)}`,
      `/api/models/${hex31}/meta`,
      '/api/models/%2e%2e%2fetc%2fpasswd',
      '/app?id=../x',
      `/app?id=${'B'.repeat(32)}`,
      '/app',
    ]) {
      const res = await httpRequest(service.url, path);
      expect(res.status, path).toBe(400);
      expect(res.json().error, path).toContain('is not a model id');
    }
    const unknown = 'f'.repeat(32);
    for (const path of [`/api/models/${unknown}`, `/api/models/${unknown}/meta`, `/app?id=${unknown}`]) {
      expect((await httpRequest(service.url, path)).status, path).toBe(404);
    }
  });

  it('supports HEAD and lists nothing', async () => {
    const { service } = await serve();
    const bytes = tinyOnnx('head');
    const id = expectedId(bytes);
    await httpRequest(service.url, '/api/models', { method: 'POST', headers: octet, body: bytes });
    const head = await httpRequest(service.url, `/api/models/${id}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(bytes.length));
    expect(head.body.length).toBe(0);
    const metaHead = await httpRequest(service.url, `/api/models/${id}/meta`, { method: 'HEAD' });
    expect(metaHead.status).toBe(200);
    expect(metaHead.body.length).toBe(0);
    expect((await httpRequest(service.url, `/app?id=${id}`, { method: 'HEAD' })).status).toBe(200);
    expect((await httpRequest(service.url, `/api/models/${'0'.repeat(32)}`, { method: 'HEAD' })).status).toBe(
      404,
    );
    const list = await httpRequest(service.url, '/api/models');
    expect(list.status).toBe(405);
    expect(list.body.toString()).not.toContain(id);
    expect((await httpRequest(service.url, '/models/')).status).toBe(404);
  });

  it('serves the viewer page under a strict CSP with the model strings as text', async () => {
    const { service } = await serve();
    const bytes = tinyOnnx('page');
    const id = expectedId(bytes);
    const name = encodeURIComponent('<img src=x onerror=alert(1)>.onnx');
    await httpRequest(service.url, `/api/models?name=${name}`, {
      method: 'POST',
      headers: octet,
      body: bytes,
    });
    const page = await httpRequest(service.url, `/app?id=${id}`);
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      "connect-src 'self'",
      "worker-src 'self' blob:",
    ]) {
      expect(csp).toContain(directive);
    }
    const html = page.body.toString();
    expect(html).toContain(`data-model-url="/api/models/${id}"`);
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;.onnx');
    expect(html).not.toMatch(/<script>[^<]/);
  });

  it('cuts an oversized stream with 413 as soon as the limit is passed and keeps nothing', async () => {
    const { service, dataDir, log } = await serve({ maxSize: 1_000_000 });
    const chunk = new Uint8Array(64 * 1024);
    // 3 MB sent chunked (no Content-Length): the server must count while streaming.
    const res = await httpRequest(service.url, '/api/models', {
      method: 'POST',
      headers: octet,
      body: repeat(chunk, 48),
    });
    expect(res.status).toBe(413);
    expect(res.json().error).toContain('larger than this server');
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dataDir, 'models'))).toEqual([]);
    const entry = log.find((e) => e.status === 413)!;
    expect(entry.bytesIn).toBeGreaterThan(1_000_000);
    expect(entry.bytesIn).toBeLessThanOrEqual(1_000_000 + chunk.length);

    // A declared Content-Length over the limit is refused before any byte is read.
    const declared = await httpRequest(service.url, '/api/models', {
      method: 'POST',
      headers: { ...octet, 'Content-Length': '5000000' },
      body: repeat(chunk, 1),
    });
    expect(declared.status).toBe(413);
  });

  it('deletes the partial file when a client goes away mid-upload', async () => {
    const { service, dataDir } = await serve();
    const chunk = new Uint8Array(128 * 1024);
    const req = httpModule.request(`${service.url}/api/models`, { method: 'POST', headers: octet });
    req.on('error', () => {});
    for (let i = 0; i < 8; i++) req.write(chunk);
    let seen = 0;
    for (let i = 0; i < 100 && seen === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      seen = (await readdir(join(dataDir, 'tmp'))).length;
    }
    expect(seen).toBe(1);
    req.destroy();
    let left = 1;
    for (let i = 0; i < 100 && left > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      left = (await readdir(join(dataDir, 'tmp'))).length;
    }
    expect(left).toBe(0);
    expect((await httpRequest(service.url, '/api/limits')).status).toBe(200);
  });

  it('limits uploads per client address with 429 and Retry-After', async () => {
    let now = 1_000_000;
    const { service } = await serve({ rate: { count: 1, windowMs: 300_000 }, now: () => now });
    const post = (tag: string) =>
      httpRequest(service.url, '/api/models', { method: 'POST', headers: octet, body: tinyOnnx(tag) });
    expect((await post('r1')).status).toBe(201);
    now += 60_000;
    const refused = await post('r2');
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('240');
    expect(refused.json().error).toContain('try again in 240 s');
    now += 240_000;
    expect((await post('r3')).status).toBe(201);
  });

  it('requires the bearer token for uploads when one is set, not for viewing', async () => {
    const { service } = await serve({ token: 'team-secret-123' });
    const bytes = tinyOnnx('token');
    const post = (headers: Record<string, string>) =>
      httpRequest(service.url, '/api/models', {
        method: 'POST',
        headers: { ...octet, ...headers },
        body: bytes,
      });
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect(none.json().error).toContain('requires a token');
    const wrong = await post({ Authorization: 'Bearer team-secret-124' });
    expect(wrong.status).toBe(401);
    expect(wrong.json().error).toContain('token is wrong');
    expect((await post({ Authorization: 'Bearer team-secret-123' })).status).toBe(201);
    expect((await httpRequest(service.url, `/api/models/${expectedId(bytes)}`)).status).toBe(200);
  });

  it('refuses to start on a non-loopback address without a token, before creating anything', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pdseg-refuse-'));
    stops.push(() => rm(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'data');
    const err = await startService({ host: '0.0.0.0', port: 0, dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PdsegError);
    expect((err as PdsegError).code).toBe('USAGE');
    expect((err as PdsegError).message).toContain('without a token');
    expect(await readdir(parent)).toEqual([]);
  });

  it('keeps every model across a restart', async () => {
    const first = await serve();
    const models = [tinyOnnx('keep1'), tinyOnnx('keep2', 7)];
    for (const m of models) {
      await httpRequest(first.service.url, '/api/models', { method: 'POST', headers: octet, body: m });
    }
    await first.service.close();
    const second = await startService({ port: 0, dataDir: first.dataDir, rate: undefined });
    stops.unshift(() => second.close());
    expect(second.report).toMatchObject({ models: 2, removedTemporary: 0, removedIncomplete: 0 });
    for (const m of models) {
      const id = expectedId(m);
      const file = await httpRequest(second.url, `/api/models/${id}`);
      expect(Buffer.compare(file.body, Buffer.from(m)), id).toBe(0);
      expect((await httpRequest(second.url, `/api/models/${id}/meta`)).json().size).toBe(m.length);
    }
  });
});
