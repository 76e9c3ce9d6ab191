// Benchmark: reading a full-size PSPNet-ResNet50 checkpoint (spec Appendix A shapes, 2
// classes, 187 MB) in each of the three layouts with pdseg's readers, side by side with
// plainly reading the same files with fs.readFile. Each measurement runs in its own Node
// process so its peak RSS is its own (it includes Node's own start-up RSS, printed too).
// 'keep-all' holds every tensor read, as an exporter does. Prints a table and the ratios.
// Run: npx tsc -p tsconfig.json && node bench/paddle-read.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');
const dist = (p) => join(ROOT, 'dist', p);

/** Appendix A rows (name, dims) parsed from the spec; K = 2. */
function appendixA() {
  const spec = readFileSync(join(ROOT, '..', 'shared', 'spec', 'paddleseg-static.md'), 'utf8');
  const part = spec.slice(spec.indexOf('## Appendix A'), spec.indexOf('## Appendix B'));
  const rows = [];
  for (const m of part.matchAll(/^\| \d+ \| `([^`]+)` \| \[([^\]]*)\] \|$/gm)) {
    rows.push({ name: m[1], dims: m[2].split(',').map((d) => (d.trim() === 'K' ? 2 : Number(d))) });
  }
  return rows;
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

async function child(mode, layout, dir) {
  const t0 = performance.now();
  let bytes = 0;
  let check = 0;
  if (mode === 'raw') {
    for (const f of filesUnder(dir)) {
      const b = readFileSync(f);
      bytes += b.length;
      check += b[b.length - 1];
    }
  } else {
    const { openCheckpoint } = await import(dist('paddle/checkpoint.js'));
    const cp = await openCheckpoint(dir, { expectedNames: appendixA().map((r) => r.name) });
    if (cp.layout !== layout) throw new Error(`detected ${cp.layout}, expected ${layout}`);
    const kept = [];
    for (const name of cp.names()) {
      const t = await cp.read(name);
      bytes += t.data.byteLength;
      check += t.data.length > 0 ? Number(t.data[0]) : 0;
      if (mode === 'keep') kept.push(t); // what an exporter does: every weight held until written
    }
    check += kept.length;
    await cp.close();
  }
  const ms = performance.now() - t0;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ms, bytes, maxRssMB, check }));
}

function run(mode, layout, dir) {
  const out = execFileSync(process.execPath, [SELF, '--child', mode, layout, dir], { encoding: 'utf8' });
  return JSON.parse(out);
}

async function main() {
  const { writeCheckpoint } = await import(dist('paddle/checkpoint-writer.js'));
  const rows = appendixA();
  if (rows.length !== 362) throw new Error(`parsed ${rows.length} Appendix A rows, expected 362`);
  const numel = (d) => d.reduce((a, b) => a * b, 1);
  const largest = Math.max(...rows.map((r) => numel(r.dims)));
  const pool = new Float32Array(largest);
  for (let i = 0; i < pool.length; i++) pool[i] = Math.sin(i) * 0.1;
  const tensors = rows.map((r) => ({
    name: r.name,
    dims: r.dims,
    dtype: 'float32',
    data: pool.subarray(0, numel(r.dims)),
  }));
  const weightMB = tensors.reduce((n, t) => n + t.data.byteLength, 0) / 2 ** 20;

  const base = mkdtempSync(join(tmpdir(), 'pdseg-bench-paddle-'));
  const baseline = run('raw', 'none', base); // an empty folder: the cost of starting Node
  const results = [];
  try {
    for (const layout of ['per-file', 'combined', 'pdparams']) {
      const dir = join(base, layout);
      const tw = performance.now();
      const { bytes } = await writeCheckpoint(dir, tensors, layout);
      const writeMs = performance.now() - tw;
      // warm the page cache once so both readers see the same cache state
      run('raw', layout, dir);
      const raw = run('raw', layout, dir);
      const ours = run('read', layout, dir);
      const keep = run('keep', layout, dir);
      const onDisk = filesUnder(dir).reduce((n, f) => n + statSync(f).size, 0);
      results.push({ layout, bytes, onDisk, writeMs, raw, ours, keep });
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }

  console.log(`weights: ${rows.length} FP32 tensors, ${weightMB.toFixed(1)} MiB (Appendix A, K = 2)`);
  console.log(`node start-up peak RSS: ${baseline.maxRssMB.toFixed(0)} MiB\n`);
  console.log(
    'layout    | file MiB | write ms | fs.readFile ms | pdseg read ms | time ratio | peak RSS raw MiB | peak RSS pdseg MiB | pdseg RSS / weights | keep-all RSS MiB | keep-all / weights',
  );
  console.log(
    '----------|----------|----------|----------------|---------------|------------|------------------|--------------------|---------------------|------------------|-------------------',
  );
  for (const r of results) {
    const ratio = r.ours.ms / r.raw.ms;
    console.log(
      [
        r.layout.padEnd(9),
        (r.onDisk / 2 ** 20).toFixed(1).padStart(8),
        r.writeMs.toFixed(0).padStart(8),
        r.raw.ms.toFixed(0).padStart(14),
        r.ours.ms.toFixed(0).padStart(13),
        `${ratio.toFixed(2)}x`.padStart(10),
        r.raw.maxRssMB.toFixed(0).padStart(16),
        r.ours.maxRssMB.toFixed(0).padStart(18),
        `${(r.ours.maxRssMB / weightMB).toFixed(2)}x`.padStart(19),
        r.keep.maxRssMB.toFixed(0).padStart(16),
        `${(r.keep.maxRssMB / weightMB).toFixed(2)}x`.padStart(17),
      ].join(' | '),
    );
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], process.argv[4], process.argv[5]);
} else {
  await main();
}
