/** The real `pdseg service` binary: serve as a child process, upload, crash, restart. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/onnx/decode.js';
import { encodeModelChunks } from '../../src/onnx/encode.js';
import { TensorDataType } from '../../src/onnx/types.js';
import { BIN, runCli, tempDir } from '../helpers.js';
import { expectedId, httpRequest, tinyOnnx } from './fixtures.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function folder(): Promise<string> {
  const { dir, cleanup } = await tempDir('pdseg-svc-cli-');
  cleanups.push(cleanup);
  return dir;
}

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
}

/** Starts `pdseg service serve` on a random port and waits for its "listening" line. */
async function serveCli(dataDir: string, extra: string[] = []): Promise<Served> {
  const child = spawn(
    process.execPath,
    [BIN, 'service', 'serve', '--port', '0', '--data', dataDir, ...extra],
    {
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    err += d;
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  return { child, url, stdout: () => out };
}

/** Peak resident memory of a process, from /proc (kB). */
async function peakRssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
}

const octet = { 'Content-Type': 'application/octet-stream' };

describe('pdseg service (built CLI)', () => {
  it('refuses to serve on 0.0.0.0 without a token', async () => {
    const dir = await folder();
    const r = await runCli([
      'service',
      'serve',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--data',
      join(dir, 'd'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("refusing to serve on '0.0.0.0' without a token");
    expect(await readdir(dir)).toEqual([]);
  });

  it('serve + upload print the link, the request log, and explain a rate limit in one line', async () => {
    const data = await folder();
    const server = await serveCli(data, ['--rate', '1/5min']);
    const dir = await folder();
    const model = join(dir, 'model.onnx');
    const bytes = tinyOnnx('cli');
    await writeFile(model, bytes);
    const home = await folder();
    const env = { HOME: home, PDSEG_SERVICE_URL: server.url };
    const r = await runCli(['service', 'upload', '--model', model], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`upload model.onnx: ${bytes.length} B / ${bytes.length} B (100.0%)`);
    const id = expectedId(bytes);
    expect(r.stdout).toContain(`View your model at: ${server.url}/app?id=${id}`);
    const page = await httpRequest(server.url, `/app?id=${id}`);
    expect(page.status).toBe(200);
    expect(server.stdout()).toMatch(
      / 127\.0\.0\.1 POST \/api\/models\?name=model\.onnx 201 in=\d+ out=\d+ \d+ms/,
    );

    await writeFile(model, tinyOnnx('cli-2'));
    const limited = await runCli(['service', 'upload', '--model', model], { env });
    expect(limited.code).toBe(1);
    const lines = limited.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      /^pdseg: error \[SERVICE\]: .* limits uploads per address: try again in \d+ min/,
    );
    expect(lines.filter((l) => l.startsWith('pdseg: error'))).toHaveLength(1);
  });

  it('cuts a 101 MB stream at 100 MB with 413, keeps nothing and never holds it in memory', async () => {
    const data = await folder();
    const server = await serveCli(data, ['--rate', '0']);
    const small = tinyOnnx('baseline');
    expect(
      (await httpRequest(server.url, '/api/models', { method: 'POST', headers: octet, body: small })).status,
    ).toBe(201);
    const before = await peakRssKb(server.child.pid!);
    const chunk = new Uint8Array(1024 * 1024).fill(7);
    let sent = 0;
    async function* stream() {
      for (let i = 0; i < 101; i++) {
        sent += chunk.length;
        yield chunk;
      }
    }
    const res = await httpRequest(server.url, '/api/models', {
      method: 'POST',
      headers: octet,
      body: stream(),
    });
    expect(res.status).toBe(413);
    expect(res.json().error).toContain('larger than this server');
    const after = await peakRssKb(server.child.pid!);
    // Holding the body would raise the peak by ~100 MB; streaming keeps it near the baseline.
    expect(after - before).toBeLessThan(40 * 1024);
    expect(sent).toBeGreaterThan(100_000_000);
    expect(await readdir(join(data, 'tmp'))).toEqual([]);
    expect((await readdir(join(data, 'models'))).sort()).toEqual([
      `${expectedId(small)}.json`,
      `${expectedId(small)}.model`,
    ]);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.stdout()).toMatch(/POST \/api\/models 413 in=100\d{6} /);
  });

  it('accepts an 80 MB ONNX model without reading it whole (peak memory stays near the baseline)', async () => {
    const data = await folder();
    const server = await serveCli(data, ['--rate', '0']);
    await httpRequest(server.url, '/api/models', { method: 'POST', headers: octet, body: tinyOnnx('warm') });
    const m = decodeModel(tinyOnnx('big', 2));
    m.graph.initializer = [
      {
        name: 'w',
        dims: [20, 1024, 1024],
        dataType: TensorDataType.FLOAT,
        rawData: new Uint8Array(80 << 20).fill(5),
      },
    ];
    const path = join(await folder(), 'big.onnx');
    const hash = createHash('sha256');
    await writeFile(
      path,
      (function* () {
        for (const c of encodeModelChunks(m)) {
          hash.update(c);
          yield c;
        }
      })(),
    );
    m.graph.initializer = [];
    const before = await peakRssKb(server.child.pid!);
    const res = await httpRequest(server.url, '/api/models?name=big.onnx', {
      method: 'POST',
      headers: octet,
      body: createReadStream(path, { highWaterMark: 1 << 20 }),
    });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({
      id: hash.digest('hex').slice(0, 32),
      format: 'onnx',
      size: (await stat(path)).size,
    });
    const after = await peakRssKb(server.child.pid!);
    expect(after - before).toBeLessThan(40 * 1024);
    expect((await httpRequest(server.url, `/api/models/${res.json().id}/meta`)).json().nodeCount).toBe(2);
  });

  it('restarts clean after being killed with SIGKILL in the middle of an upload', async () => {
    const data = await folder();
    const first = await serveCli(data, ['--rate', '0']);
    const kept = tinyOnnx('kept');
    await httpRequest(first.url, '/api/models', { method: 'POST', headers: octet, body: kept });

    const chunk = new Uint8Array(256 * 1024).fill(1);
    let stop = false;
    async function* slow() {
      while (!stop) {
        yield chunk;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    const pending = httpRequest(first.url, '/api/models', {
      method: 'POST',
      headers: octet,
      body: slow(),
    }).catch((e: unknown) => e);
    // Wait until part of the upload has reached the temporary file.
    let tmpBytes = 0;
    for (let i = 0; i < 200 && tmpBytes < 1024 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const names = await readdir(join(data, 'tmp'));
      tmpBytes = names.length ? (await stat(join(data, 'tmp', names[0]!))).size : 0;
    }
    expect(tmpBytes).toBeGreaterThanOrEqual(1024 * 1024);
    // While it runs, a second server may not take (and clean) the same folder.
    const rival = await runCli(['service', 'serve', '--port', '0', '--data', data]);
    expect(rival.code).toBe(1);
    expect(rival.stderr).toContain(`is in use by another pdseg service (pid ${first.child.pid})`);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    stop = true;
    expect(await pending).toBeInstanceOf(Error);
    expect(await readdir(join(data, 'tmp'))).toHaveLength(1);

    const second = await serveCli(data, ['--rate', '0']);
    expect(second.stdout()).toContain('1 models');
    expect(second.stdout()).toContain('cleaned 1 temporary');
    expect(await readdir(join(data, 'tmp'))).toEqual([]);
    expect(await readdir(join(data, 'models'))).toHaveLength(2);
    const file = await httpRequest(second.url, `/api/models/${expectedId(kept)}`);
    expect(Buffer.compare(file.body, Buffer.from(kept))).toBe(0);
  });
});
