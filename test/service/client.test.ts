import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PdsegError } from '../../src/errors.js';
import type { PdsegEvent, ProgressEvent } from '../../src/events.js';
import { uploadModel } from '../../src/service/client.js';
import { resolveClientTarget } from '../../src/service/client-config.js';
import { tempDir } from '../helpers.js';
import { expectedId, testService, tinyOnnx } from './fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function folder(): Promise<string> {
  const { dir, cleanup } = await tempDir('pdseg-client-');
  cleanups.push(cleanup);
  return dir;
}

async function modelFile(tag: string, nodes = 3): Promise<{ path: string; bytes: Uint8Array }> {
  const bytes = tinyOnnx(tag, nodes);
  const path = join(await folder(), 'model.onnx');
  await writeFile(path, bytes);
  return { path, bytes };
}

async function serve(options: Parameters<typeof testService>[0] = {}) {
  const t = await testService(options);
  cleanups.push(t.stop);
  return t;
}

async function failure(p: Promise<unknown>): Promise<PdsegError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PdsegError);
  return e as PdsegError;
}

describe('resolveClientTarget', () => {
  it('takes --server, then PDSEG_SERVICE_URL, then ~/.pdseg/config.json, then this machine', async () => {
    const home = await folder();
    await mkdir(join(home, '.pdseg'));
    await writeFile(
      join(home, '.pdseg', 'config.json'),
      '{"server_url": "http://team:8041/", "token": "cfg-tok"}',
    );
    const env = { HOME: home, PDSEG_SERVICE_URL: 'http://env:1' };
    expect(resolveClientTarget({ server: 'http://flag:2' }, env)).toEqual({
      server: 'http://flag:2',
      source: '--server',
      token: 'cfg-tok',
    });
    expect(resolveClientTarget({ token: 'flag-tok' }, env)).toEqual({
      server: 'http://env:1',
      source: 'PDSEG_SERVICE_URL',
      token: 'flag-tok',
    });
    expect(resolveClientTarget({}, { HOME: home })).toEqual({
      server: 'http://team:8041',
      source: 'config',
      token: 'cfg-tok',
    });
    expect(resolveClientTarget({}, { HOME: await folder() })).toEqual({
      server: 'http://127.0.0.1:8041',
      source: 'default',
    });
  });

  it('reports a config file that is not JSON and a URL that is not http', async () => {
    const home = await folder();
    await mkdir(join(home, '.pdseg'));
    await writeFile(join(home, '.pdseg', 'config.json'), 'server_url = x');
    const parse = await failure(Promise.resolve().then(() => resolveClientTarget({}, { HOME: home })));
    expect(parse.code).toBe('CONFIG_PARSE');
    expect(parse.message).toContain('config.json');
    const scheme = await failure(
      Promise.resolve().then(() => resolveClientTarget({ server: 'ftp://x' }, {})),
    );
    expect(scheme.code).toBe('USAGE');
    expect(scheme.message).toContain('must start with http:// or https://');
  });
});

describe('uploadModel', () => {
  it('uploads with progress events and returns the link', async () => {
    const { service } = await serve();
    // Big enough for several read chunks: 20 000 nodes.
    const { path, bytes } = await modelFile('client', 20_000);
    const events: PdsegEvent[] = [];
    const answer = await uploadModel(path, { server: service.url, sink: (e) => events.push(e) });
    const id = expectedId(bytes);
    expect(answer).toEqual({ id, url: `${service.url}/app?id=${id}`, size: bytes.length, format: 'onnx' });
    const progress = events.filter((e): e is ProgressEvent => e.type === 'progress');
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({
      task: 'upload',
      done: bytes.length,
      total: bytes.length,
      unit: 'bytes',
    });
    expect(events.at(-1)).toMatchObject({ type: 'done', task: 'upload' });
  });

  it("checks the size against the server's limit before sending", async () => {
    const { service, log } = await serve({ maxSize: 100 });
    const { path, bytes } = await modelFile('big');
    const e = await failure(uploadModel(path, { server: service.url }));
    expect(e.code).toBe('SERVICE');
    expect(e.message).toContain(
      `is ${bytes.length} bytes; the server at ${service.url} accepts models up to 100 bytes`,
    );
    expect(log.map((x) => `${x.method} ${x.path}`)).toEqual(['GET /api/limits']);
  });

  it('explains 429 with the time to wait, 401 and 415 in one line each', async () => {
    const limited = await serve({ rate: { count: 1, windowMs: 300_000 } });
    await uploadModel((await modelFile('one')).path, { server: limited.service.url });
    const e429 = await failure(uploadModel((await modelFile('two')).path, { server: limited.service.url }));
    expect(e429.message).toMatch(/limits uploads per address: try again in (4 min 5\d s|5 min)/);

    const locked = await serve({ token: 'right-token' });
    const file = (await modelFile('tok')).path;
    const e401 = await failure(uploadModel(file, { server: locked.service.url, token: 'wrong-token' }));
    expect(e401.message).toContain('wants a valid token');
    expect(e401.message).not.toContain('\n');
    await expect(
      uploadModel(file, { server: locked.service.url, token: 'right-token' }),
    ).resolves.toMatchObject({
      format: 'onnx',
    });

    const text = join(await folder(), 'notes.txt');
    await writeFile(text, 'plain text');
    const e415 = await failure(uploadModel(text, { server: locked.service.url, token: 'right-token' }));
    expect(e415.code).toBe('MODEL_FORMAT');
    expect(e415.message).toMatch(/'notes\.txt' \(\d+ bytes\) is not a model pdseg can show/);
  });

  it('explains a 413 from a server that publishes no limit', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/api/limits') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(413, { 'Content-Type': 'application/json', Connection: 'close' });
      res.end('{"error":"the model is larger than this server\'s limit of 10 bytes"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const e = await failure(uploadModel((await modelFile('413')).path, { server: url }));
    expect(e.message).toBe(
      "the server refused the model as too large: the model is larger than this server's limit of 10 bytes",
    );
  });

  it('explains a server that is not there', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const e = await failure(
      uploadModel((await modelFile('gone')).path, { server: `http://127.0.0.1:${port}` }),
    );
    expect(e.code).toBe('SERVICE');
    expect(e.message).toContain('connection refused; is `pdseg service serve` running there?');
  });

  it('refuses a missing file or a folder before any network use', async () => {
    const dir = await folder();
    const missing = await failure(uploadModel(join(dir, 'nope.onnx'), { server: 'http://127.0.0.1:9' }));
    expect(missing.code).toBe('USAGE');
    expect(missing.message).toContain('cannot read the model');
    const folderErr = await failure(uploadModel(dir, { server: 'http://127.0.0.1:9' }));
    expect(folderErr.message).toContain('is not a file');
  });
});
