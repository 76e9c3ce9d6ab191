import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DownloadSummary, downloadItems, type FetchLike } from '../../src/download/index.js';
import { PdsegError } from '../../src/errors.js';
import type { PdsegEvent } from '../../src/events.js';
import { modelTgz, paddleParameterFiles, pseudoRandomBytes, readTree } from './fixtures.js';
import { useDownloadSandbox } from './server.js';

const sandbox = useDownloadSandbox('pdseg-dlnet-');

const NAME = 'pspnet50_bn_cityscapes';
const PATH = '/models/pspnet50_cityscapes.tgz';
const root = () => sandbox.root();
const parent = () => join(root(), 'pretrained_model');
const target = () => join(parent(), NAME);

function run(
  options: {
    retryDelaysMs?: number[];
    events?: PdsegEvent[];
    fetchImpl?: FetchLike;
    timeoutMs?: number;
  } = {},
) {
  return downloadItems([NAME], {
    root: root(),
    mirror: sandbox.server.origin,
    retryDelaysMs: options.retryDelaysMs ?? [0, 0],
    onEvent: options.events ? (e) => options.events?.push(e) : undefined,
    fetchImpl: options.fetchImpl,
    timeoutMs: options.timeoutMs,
  });
}

/** The one failure of a summary: class, code and a phrase of its message. */
function expectFailed(summary: DownloadSummary, code: string, phrase: string | RegExp): void {
  expect(summary.failed).toBe(1);
  const error = summary.items[0].error;
  expect(error).toBeInstanceOf(PdsegError);
  expect(error?.code).toBe(code);
  expect(error?.message).toMatch(phrase);
}

/** Nothing under the target's name, and no temporary folder beside it. */
function expectNoTarget(): void {
  expect(existsSync(target())).toBe(false);
  const beside = existsSync(parent()) ? readdirSync(parent()) : [];
  expect(beside.filter((n) => !n.endsWith('.part') && !n.endsWith('.part.json'))).toEqual([]);
}

function expectInstalled(files = paddleParameterFiles()): void {
  const tree = readTree(target());
  for (const [rel, data] of files) expect(tree.get(rel)?.equals(data), rel).toBe(true);
  expect(readdirSync(parent())).toEqual([NAME]);
}

describe('download network faults', () => {
  it('resumes with a Range request after the connection drops half-way', async () => {
    const tgz = modelTgz(sandbox.dir, 'pspnet50_cityscapes');
    const half = Math.floor(tgz.length / 2);
    sandbox.server.routes.set(PATH, { body: tgz, dropAfterBytes: half });
    const events: PdsegEvent[] = [];
    const summary = await run({ events });
    expect(summary.downloaded).toBe(1);
    expect(sandbox.server.requests.map((r) => r.status)).toEqual([200, 206]);
    const range = /^bytes=(\d+)-$/.exec(sandbox.server.requests[1].range ?? '');
    expect(Number(range?.[1])).toBeGreaterThan(0);
    expect(Number(range?.[1])).toBeLessThanOrEqual(half);
    expect(sandbox.server.requests[1].ifRange).toBe('"v1"');
    expect(summary.items[0].manifest?.size).toBe(tgz.length);
    expect(events.some((e) => e.type === 'warn' && e.message.includes('retrying'))).toBe(true);
    expectInstalled();
  });

  it('keeps the .part after a failed run and resumes from it on the next run', async () => {
    const tgz = modelTgz(sandbox.dir, 'pspnet50_cityscapes');
    sandbox.server.routes.set(PATH, { body: tgz, dropAfterBytes: Math.floor(tgz.length / 3) });
    const first = await run({ retryDelaysMs: [] });
    expectFailed(first, 'DOWNLOAD_NETWORK', /resumes from there/);
    expect(first.items[0].error?.message).toContain(`${sandbox.server.origin}${PATH}`);
    expectNoTarget();
    expect(existsSync(join(parent(), 'pspnet50_cityscapes.tgz.part'))).toBe(true);
    const second = await run({ retryDelaysMs: [] });
    expect(second.downloaded).toBe(1);
    expect(sandbox.server.requests[1].range).toMatch(/^bytes=[1-9]\d*-$/);
    expect(sandbox.server.requests[1].status).toBe(206);
    expect(second.items[0].manifest?.size).toBe(tgz.length);
    expectInstalled();
  });

  it('restarts cleanly when the server ignores Range', async () => {
    const tgz = modelTgz(sandbox.dir, 'pspnet50_cityscapes');
    sandbox.server.routes.set(PATH, { body: tgz, dropAfterBytes: Math.floor(tgz.length / 2), range: false });
    const events: PdsegEvent[] = [];
    const summary = await run({ events });
    expect(summary.downloaded).toBe(1);
    expect(sandbox.server.requests[1].range).toMatch(/^bytes=/);
    expect(sandbox.server.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(events.some((e) => e.type === 'info' && e.message.includes('does not support resuming'))).toBe(
      true,
    );
    expect(summary.items[0].manifest?.size).toBe(tgz.length);
    expectInstalled();
  });

  it('restarts when the ETag changed between attempts (If-Range)', async () => {
    const v1 = modelTgz(sandbox.dir, 'pspnet50_cityscapes');
    sandbox.server.routes.set(PATH, { body: v1, etag: '"v1"', dropAfterBytes: Math.floor(v1.length / 2) });
    expectFailed(await run({ retryDelaysMs: [] }), 'DOWNLOAD_NETWORK', /failed after 1 attempt/);
    const files2 = paddleParameterFiles();
    files2.set('logit/weights', pseudoRandomBytes(777, 99));
    mkdirSync(join(sandbox.dir, 'v2'));
    const v2 = modelTgz(join(sandbox.dir, 'v2'), 'pspnet50_cityscapes', files2);
    sandbox.server.routes.set(PATH, { body: v2, etag: '"v2"' });
    const events: PdsegEvent[] = [];
    const summary = await run({ events });
    expect(summary.downloaded).toBe(1);
    expect(sandbox.server.requests[1].ifRange).toBe('"v1"');
    expect(sandbox.server.requests[1].status).toBe(200);
    expect(events.some((e) => e.type === 'info' && e.message.includes('file changed on the server'))).toBe(
      true,
    );
    expect(summary.items[0].manifest?.size).toBe(v2.length);
    expectInstalled(files2);
  });

  it('fails at once on 404, naming the URL and the status', async () => {
    const summary = await run();
    expectFailed(summary, 'DOWNLOAD_HTTP', /HTTP 404/);
    expect(summary.items[0].error?.message).toContain(`${sandbox.server.origin}${PATH}`);
    expect(summary.items[0].error?.exitCode).toBe(1);
    expect(sandbox.server.requests).toHaveLength(1);
    expectNoTarget();
    expect(readdirSync(parent())).toEqual([]);
  });

  it('fails at once on 403 with a hint', async () => {
    sandbox.server.routes.set(PATH, { body: Buffer.from('x'), failFirst: [403] });
    expectFailed(await run(), 'DOWNLOAD_HTTP', /HTTP 403.*access denied/);
    expect(sandbox.server.requests).toHaveLength(1);
    expectNoTarget();
  });

  it('retries a 500 and succeeds', async () => {
    sandbox.server.routes.set(PATH, { body: modelTgz(sandbox.dir, 'pspnet50_cityscapes'), failFirst: [500] });
    const events: PdsegEvent[] = [];
    const summary = await run({ events });
    expect(summary.downloaded).toBe(1);
    expect(sandbox.server.requests.map((r) => r.status)).toEqual([500, 200]);
    expect(events.some((e) => e.type === 'warn' && /HTTP 500.*retrying/.test(e.message))).toBe(true);
    expectInstalled();
  });

  it('gives up after the last retry of a persistent 503', async () => {
    sandbox.server.routes.set(PATH, { body: Buffer.from('x'), failFirst: [503, 503, 503] });
    expectFailed(await run(), 'DOWNLOAD_HTTP', /after 3 attempts: HTTP 503/);
    expect(sandbox.server.requests).toHaveLength(3);
    expectNoTarget();
  });

  it('names a DNS failure', async () => {
    const fetchImpl: FetchLike = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
      });
    };
    const summary = await run({ fetchImpl, retryDelaysMs: [0] });
    expectFailed(summary, 'DOWNLOAD_NETWORK', /could not resolve host '127\.0\.0\.1:\d+' \(DNS failure/);
    expectNoTarget();
  });

  it('times out a stalled response', async () => {
    const tgz = modelTgz(sandbox.dir, 'pspnet50_cityscapes');
    sandbox.server.routes.set(PATH, { body: tgz, dropAfterBytes: 1000, hang: true, dropTimes: 5 });
    expectFailed(await run({ timeoutMs: 300, retryDelaysMs: [] }), 'DOWNLOAD_NETWORK', /\(timeout\)/);
    expectNoTarget();
  });
});
