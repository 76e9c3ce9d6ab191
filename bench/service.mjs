// Load and faults for `pdseg service` (issue 8), loopback only, bounded in time.
// Run: npx tsc -p tsconfig.json && node bench/service.mjs
// The server runs as the real CLI in a child process so its memory is measured alone (/proc VmHWM).
//  1. 50 concurrent uploads of distinct small models against --rate 25/1min: each gets its id
//     (checked against SHA-256) or a 429 with Retry-After; exactly 25 of each.
//  2. 500 concurrent fetches (250 viewer pages, 250 model files): every file's hash matches its id.
//  3. a 95 MB valid model and a 101 MB oversized stream: peak server memory against upload size.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModelChunks } from '../dist/onnx/encode.js';

const BIN = new URL('../bin/pdseg', import.meta.url).pathname;
const sha = (b) => createHash('sha256').update(b).digest('hex').slice(0, 32);

function model(tag, weightBytes = 0) {
  const vi = (name) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } },
  });
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'bench',
    producerVersion: tag,
    domain: '',
    modelVersion: 1,
    docString: '',
    graph: {
      name: tag,
      node: [0, 1, 2].map((i) => ({
        input: [i ? `t${i - 1}` : 'x'],
        output: [i === 2 ? 'y' : `t${i}`],
        name: `${tag}/relu${i}`,
        opType: 'Relu',
        domain: '',
        attribute: [],
        docString: '',
      })),
      initializer: weightBytes
        ? [{ name: 'w', dims: [weightBytes / 4], dataType: 1, rawData: new Uint8Array(weightBytes).fill(9) }]
        : [],
      input: [vi('x')],
      output: [vi('y')],
      valueInfo: [],
      docString: '',
    },
    metadataProps: [],
    functions: [],
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 600 });

function request(base, path, { method = 'GET', body, headers = {} } = {}) {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const u = new URL(base);
    let answered = false;
    const req = http.request({ host: u.hostname, port: u.port, path, method, headers, agent }, (res) => {
      answered = true;
      const hash = createHash('sha256');
      const chunks = [];
      let size = 0;
      res.on('data', (d) => {
        hash.update(d);
        size += d.length;
        if (chunks.length < 64) chunks.push(d);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          id: hash.digest('hex').slice(0, 32),
          size,
          text: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - t0,
        }),
      );
    });
    req.setTimeout(120_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => (answered ? undefined : reject(e)));
    if (!body) req.end();
    else if (body instanceof Uint8Array) req.end(body);
    else
      (async () => {
        for (const c of body) {
          if (answered) break;
          if (!req.write(c)) await new Promise((r) => req.once('drain', r));
        }
        if (!answered) req.end();
      })();
  });
}

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

const peakKb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

const data = mkdtempSync(join(tmpdir(), 'pdseg-bench-service-'));
const child = spawn(
  process.execPath,
  [BIN, 'service', 'serve', '--port', '0', '--data', data, '--rate', '25/1min'],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CI: '1' },
  },
);
let out = '';
child.stdout.on('data', (d) => {
  out += d;
});
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('server did not start')), 20_000);
  child.stdout.on('data', () => {
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
});
const failures = [];
const rows = [];
try {
  // 1. Uploads.
  const models = Array.from({ length: 50 }, (_, i) => Buffer.concat(encodeModelChunks(model(`m${i}`))));
  let t0 = performance.now();
  const ups = await Promise.all(
    models.map((b) =>
      request(base, '/api/models', {
        method: 'POST',
        body: b,
        headers: { 'Content-Type': 'application/octet-stream' },
      }),
    ),
  );
  let wall = performance.now() - t0;
  const ids = [];
  for (const [i, r] of ups.entries()) {
    if (r.status === 201) {
      const got = JSON.parse(r.text).id;
      if (got !== sha(models[i])) failures.push(`upload ${i}: id ${got} != ${sha(models[i])}`);
      ids.push(got);
    } else if (r.status === 429) {
      if (!(Number(r.headers['retry-after']) > 0)) failures.push(`upload ${i}: 429 without Retry-After`);
    } else failures.push(`upload ${i}: status ${r.status} ${r.text}`);
  }
  const n201 = ups.filter((r) => r.status === 201).length;
  if (n201 !== 25) failures.push(`expected exactly 25 uploads accepted under --rate 25/1min, got ${n201}`);
  rows.push([
    '50 concurrent uploads',
    ups.length,
    (ups.length / wall) * 1000,
    pct(
      ups.map((r) => r.ms),
      50,
    ),
    pct(
      ups.map((r) => r.ms),
      99,
    ),
  ]);

  // 2. Fetches.
  const jobs = Array.from({ length: 500 }, (_, i) => ({
    kind: i % 2 ? 'model' : 'page',
    id: ids[i % ids.length],
  }));
  t0 = performance.now();
  const got = await Promise.all(
    jobs.map((j) =>
      request(base, j.kind === 'model' ? `/api/models/${j.id}` : `/app?id=${j.id}`).then((r) => ({
        ...r,
        j,
      })),
    ),
  );
  wall = performance.now() - t0;
  for (const r of got) {
    if (r.status !== 200) failures.push(`${r.j.kind} ${r.j.id}: status ${r.status}`);
    else if (r.j.kind === 'model' && r.id !== r.j.id) failures.push(`model ${r.j.id}: content hash ${r.id}`);
  }
  for (const kind of ['page', 'model']) {
    const ms = got.filter((r) => r.j.kind === kind).map((r) => r.ms);
    rows.push([`  ${kind} fetches (of 500 concurrent)`, ms.length, NaN, pct(ms, 50), pct(ms, 99)]);
  }
  rows.push([
    '500 concurrent fetches',
    got.length,
    (got.length / wall) * 1000,
    pct(
      got.map((r) => r.ms),
      50,
    ),
    pct(
      got.map((r) => r.ms),
      99,
    ),
  ]);

  // 3. Memory: a 95 MB model and a 101 MB oversized stream (rate allows: new window not needed, we wait).
  const before = peakKb(child.pid);
  const bigChunks = encodeModelChunks(model('big', 95_000_000));
  const bigId = (() => {
    const h = createHash('sha256');
    for (const c of bigChunks) h.update(c);
    return h.digest('hex').slice(0, 32);
  })();
  const bigSize = bigChunks.reduce((n, c) => n + c.length, 0);
  // The rate window (1 min) is full from phase 1: wait for it rather than disable the limit.
  const wait = await request(base, '/api/models', { method: 'POST', body: new Uint8Array(1) });
  if (wait.status === 429)
    await new Promise((r) => setTimeout(r, Number(wait.headers['retry-after']) * 1000 + 500));
  t0 = performance.now();
  const big = await request(base, '/api/models', {
    method: 'POST',
    body: bigChunks,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bigSize) },
  });
  const bigMs = performance.now() - t0;
  if (big.status !== 201 || JSON.parse(big.text).id !== bigId)
    failures.push(`95 MB upload: ${big.status} ${big.text}`);
  const mb = new Uint8Array(1 << 20);
  const over = await request(base, '/api/models', { method: 'POST', body: Array(101).fill(mb) });
  if (over.status !== 413) failures.push(`101 MB stream: expected 413, got ${over.status}`);
  const after = peakKb(child.pid);
  const fetched = await request(base, `/api/models/${bigId}`);
  if (fetched.id !== bigId) failures.push('95 MB model fetched back with a different hash');
  rows.push(['95 MB upload (validated, stored)', 1, 1000 / bigMs, bigMs, bigMs]);

  console.log('\npdseg service load (loopback, server = real CLI child process)\n');
  console.log(
    `${'case'.padEnd(36)} ${'n'.padStart(5)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(9)} ${'p99 ms'.padStart(9)}`,
  );
  for (const [name, n, rps, p50, p99] of rows) {
    const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-').padStart(9);
    console.log(`${name.padEnd(36)} ${String(n).padStart(5)} ${f(rps)} ${f(p50)} ${f(p99)}`);
  }
  const growth = (after - before) / 1024;
  console.log(`\nuploads accepted / refused with 429: ${n201} / ${ups.length - n201}`);
  console.log(
    `server peak RSS: ${(before / 1024).toFixed(1)} MiB before the 95 MB + 101 MB uploads, ${(after / 1024).toFixed(1)} MiB after`,
  );
  console.log(
    `peak growth / largest upload: ${growth.toFixed(1)} MiB / ${(bigSize / 2 ** 20).toFixed(1)} MiB = ${(growth / (bigSize / 2 ** 20)).toFixed(3)}`,
  );
  console.log(`p99 page fetch / p99 model fetch: ${(rows[1][4] / rows[2][4]).toFixed(2)}`);
  if (growth > 40)
    failures.push(`server peak memory grew by ${growth.toFixed(1)} MiB during the large uploads`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  agent.destroy();
  rmSync(data, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`\nFAILED (${failures.length}):\n  ${failures.slice(0, 20).join('\n  ')}`);
  process.exitCode = 1;
} else console.log('\nall checks passed');
