// Benchmark of sharded predict and of --server, side by side in one run:
//   one      `pdseg predict` over the whole list in one process with every core's threads
//   sharded  N processes `--shard i/N --threads cores/N` at once over the same list
//            (target: throughput ≥ 0.9 × one: sharding must cost nothing)
//   server   `pdseg predict --server` against a loopback KServe v2 server (onnxruntime in
//            that process, the unfolded label model) vs local predict of the same graph
//            (`--no-fold`): per-image overhead of the protocol
// Model: the quickstart's synthetic PSPNet checkpoint (×0.25, 512×512, 19 classes);
// images: seeded 640×480 JPEGs.
//
// Run: npm run build && node bench/shard.mjs [--images 32] [--shards 2,4]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { startKserve } from '../test/scale/kserve-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'pdseg');
const { values: args } = parseArgs({
  options: { images: { type: 'string', default: '32' }, shards: { type: 'string', default: '2,4' } },
});
const IMAGES = Number(args.images);
const CORES = cpus().length;

function run(argv, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`pdseg ${argv.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

async function timed(f) {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

const work = mkdtempSync(join(tmpdir(), 'pdseg-bench-shard-'));
try {
  const d = (p) => new URL(`../dist/${p}`, import.meta.url).href;
  const { loadConfig } = await import(d('config/index.js'));
  const { exportModel } = await import(d('export/export-model.js'));
  const { writeSyntheticCheckpoint } = await import(d('quickstart/synthetic-checkpoint.js'));
  const cfg = await loadConfig({
    cfgFile: join(ROOT, 'configs', 'pspnet_optic.yaml'),
    overrides: [
      'DATASET.NUM_CLASSES',
      '19',
      'MODEL.PSPNET.DEPTH_MULTIPLIER',
      '0.25',
      'TEST.TEST_MODEL',
      join(work, 'ckpt'),
      'FREEZE.SAVE_DIR',
      join(work, 'model'),
    ],
  });
  await writeSyntheticCheckpoint(cfg, join(work, 'ckpt'));
  await exportModel(cfg);
  mkdirSync(join(work, 'data'));
  const names = [];
  for (let i = 0; i < IMAGES; i++) {
    const w = 640;
    const h = 480;
    const px = Buffer.alloc(w * h * 3);
    for (let k = 0; k < px.length; k++) px[k] = (k * 2654435761 + i * 97) >>> 24;
    const name = `img${String(i).padStart(4, '0')}.jpg`;
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(join(work, 'data', name));
    names.push(name);
  }
  writeFileSync(join(work, 'list.txt'), `${names.join('\n')}\n`);
  const base = ['predict', '--model', 'model', '--list', 'list.txt', '--data-dir', 'data'];
  // Warm the page cache and the binary once.
  await run([...base, '--output', 'warm', '--threads', String(CORES)], work);
  const tOne = await timed(() => run([...base, '--output', 'one', '--threads', String(CORES)], work));
  const rows = [['one process', 1, CORES, tOne]];
  for (const n of args.shards.split(',').map(Number)) {
    const threads = Math.max(1, Math.floor(CORES / n));
    const t = await timed(() =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          run([...base, '--output', `s${n}`, '--shard', `${i}/${n}`, '--threads', String(threads)], work),
        ),
      ),
    );
    rows.push([`${n} shards`, n, threads, t]);
  }
  console.log(
    `${IMAGES} images 640×480, PSPNet ×0.25 at 512×512, ${CORES} cores; wall time of the whole list\n`,
  );
  console.log('| run | processes | threads each | s | img/s | ÷ one process |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, n, th, t] of rows) {
    console.log(
      `| ${name} | ${n} | ${th} | ${t.toFixed(2)} | ${(IMAGES / t).toFixed(2)} | ${(tOne / t).toFixed(2)}×${n > 1 ? ' (target ≥ 0.9)' : ''} |`,
    );
  }

  // --server: a Triton repository entry with the label head, served on loopback.
  const { readFile } = await import('node:fs/promises');
  const { writeTritonRepository } = await import(d('scale/triton.js'));
  await writeTritonRepository(await readFile(join(work, 'model', 'model.onnx')), {
    dir: join(work, 'repo'),
    name: 'psp',
    head: 'argmax',
  });
  const server = await startKserve(join(work, 'repo'), 'psp');
  try {
    const tLocal = await timed(() =>
      run([...base, '--output', 'local', '--threads', String(CORES), '--no-fold'], work),
    );
    const tServer = await timed(() =>
      run([...base, '--output', 'remote', '--server', server.url, '--server-model', 'psp'], work),
    );
    console.log('\n| predict | s | per image ms | overhead per image ms |');
    console.log('|---|---|---|---|');
    console.log(
      `| local (onnxruntime here) | ${tLocal.toFixed(2)} | ${((1000 * tLocal) / IMAGES).toFixed(1)} | — |`,
    );
    console.log(
      `| --server (loopback KServe v2, binary tensors) | ${tServer.toFixed(2)} | ${((1000 * tServer) / IMAGES).toFixed(1)} | ${((1000 * (tServer - tLocal)) / IMAGES).toFixed(1)} |`,
    );
  } finally {
    await server.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
