// Benchmark of `pdseg convert` on a full-size PSPNet-ResNet50 inference model (19 classes,
// ~187 MB of synthetic weights, written by `pdseg export --format paddle` from the shared
// bench checkpoint, bench/full-pspnet.mjs), side by side with reading `__model__` +
// `__params__` and writing their bytes to one file (the I/O floor of any conversion). Each
// run is a fresh child process, alternating, so the numbers compare like with like; peak
// memory is the child's max RSS. Before each child the outputs are removed and `sync` runs,
// so no run pays for another's writeback. Targets (Paddle program layer issue): conversion time
// ≤ 2× the read+write time, peak RSS ≤ 1.5× the weight bytes.
//
// Run: npx tsc -p tsconfig.json && node bench/convert.mjs [--reps 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fullPspnetConfig, writeFullPspnetCheckpoint } from './full-pspnet.mjs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

async function child(mode, work) {
  const t0 = performance.now();
  const model = join(work, 'paddle');
  if (mode === 'copy') {
    // Read both files and write their bytes to one file (fsync, like the conversion's writes).
    const fh = await open(join(work, 'copy.bin'), 'w');
    for (const f of ['__model__', '__params__']) await fh.write(await readFile(join(model, f)));
    await fh.sync();
    await fh.close();
  } else {
    const { convertModel } = await import(dist('convert/convert-model.js'));
    await convertModel(model, { output: join(work, 'converted') });
  }
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ seconds, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
}

function run(mode, work) {
  // Each run starts with no output of its own and with the previous run's dirty pages
  // flushed, so none pays for freeing or writing back another's 187 MB.
  rmSync(join(work, 'copy.bin'), { force: true });
  rmSync(join(work, 'converted'), { recursive: true, force: true });
  execFileSync('sync');
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, work], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out);
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2]);
  const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
  const work = mkdtempSync(join(tmpdir(), 'pdseg-bench-convert-'));
  try {
    const g = await writeFullPspnetCheckpoint(work);
    const { exportModel } = await import(dist('export/export-model.js'));
    const cfg = await fullPspnetConfig(work);
    await exportModel(
      { ...cfg, FREEZE: { ...cfg.FREEZE, SAVE_DIR: 'paddle' } },
      { cwd: work, format: 'paddle' },
    );
    const params = statSync(join(work, 'paddle', '__params__')).size;
    const program = statSync(join(work, 'paddle', '__model__')).size;
    console.log(
      `inference model: __model__ ${(program / 1e3).toFixed(0)} kB, __params__ ${(params / 1e6).toFixed(1)} MB ` +
        `(${g.params} parameters, ${(g.weightBytes / 1e6).toFixed(1)} MB of weights)`,
    );
    const rows = { copy: [], convert: [] };
    for (let i = 0; i < reps; i++) {
      rows.copy.push(run('copy', work));
      rows.convert.push(run('convert', work));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log('\n| run | read+write s | convert s | read+write peak RSS MB | convert peak RSS MB |');
    console.log('|---|---|---|---|---|');
    rows.copy.forEach((c, i) => {
      const e = rows.convert[i];
      console.log(
        `| ${i + 1} | ${c.seconds.toFixed(2)} | ${e.seconds.toFixed(2)} | ${(c.maxRssBytes / 1e6).toFixed(0)} | ${(e.maxRssBytes / 1e6).toFixed(0)} |`,
      );
    });
    const tCopy = median(rows.copy.map((r) => r.seconds));
    const tConvert = median(rows.convert.map((r) => r.seconds));
    const rss = Math.max(...rows.convert.map((r) => r.maxRssBytes));
    const onnx = statSync(join(work, 'converted', 'model.onnx')).size;
    console.log(`\nmodel.onnx: ${(onnx / 1e6).toFixed(1)} MB`);
    console.log(
      `time ratio (median convert / median read+write): ${(tConvert / tCopy).toFixed(2)}×  (target ≤ 2×)`,
    );
    console.log(
      `memory ratio (peak convert RSS / weight bytes): ${(rss / g.weightBytes).toFixed(2)}×  (target ≤ 1.5×)`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
