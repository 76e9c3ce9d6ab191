// Benchmark of `pdseg export` on a full-size PSPNet-ResNet50 (19 classes, ~187 MB of
// synthetic weights in the model zoo's one-file-per-variable layout, bench/full-pspnet.mjs), measured side by
// side with simply reading those files and writing their bytes to one file (the I/O floor
// of any export). Each run is a fresh child process, alternating, so the numbers compare
// like with like; peak memory is the child's max RSS. Targets (issue 4): export time
// ≤ 2× the read+write time, peak RSS < 2.5× the weight size.
//
// Run: npx tsc -p tsconfig.json && node bench/export.mjs [--reps 3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fullPspnetConfig, writeFullPspnetCheckpoint } from './full-pspnet.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

function files(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out.sort();
}

async function child(mode, work) {
  const t0 = performance.now();
  if (mode === 'copy') {
    // Read every checkpoint file and write all their bytes to one file (fsync, like the export).
    const fh = await open(join(work, 'copy.bin'), 'w');
    for (const f of files(join(work, 'checkpoint'))) await fh.write(await readFile(f));
    await fh.sync();
    await fh.close();
  } else {
    const { exportModel } = await import(dist('export/export-model.js'));
    const cfg = await fullPspnetConfig(work);
    await exportModel(cfg, { cwd: work });
  }
  const seconds = (performance.now() - t0) / 1000;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ seconds, maxRssBytes }));
}

function run(mode, work) {
  // Each run starts with no output of its own and with the previous run's dirty pages
  // flushed, so none pays for freeing or writing back another's 187 MB (bench/convert.mjs).
  rmSync(join(work, 'copy.bin'), { force: true });
  rmSync(join(work, 'freeze_model'), { recursive: true, force: true });
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
  const work = mkdtempSync(join(tmpdir(), 'pdseg-bench-export-'));
  try {
    const g = await writeFullPspnetCheckpoint(work);
    console.log(
      `checkpoint: ${g.params} parameters, ${g.files} files, ${(g.bytes / 1e6).toFixed(1)} MB on disk, ` +
        `${(g.weightBytes / 1e6).toFixed(1)} MB of weights (${relative(ROOT, work) || work})`,
    );
    const rows = { copy: [], export: [] };
    for (let i = 0; i < reps; i++) {
      rows.copy.push(run('copy', work));
      rows.export.push(run('export', work));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const model = statSync(join(work, 'freeze_model', 'model.onnx')).size;
    console.log('\n| run | read+write s | export s | read+write peak RSS MB | export peak RSS MB |');
    console.log('|---|---|---|---|---|');
    rows.copy.forEach((c, i) => {
      const e = rows.export[i];
      console.log(
        `| ${i + 1} | ${c.seconds.toFixed(2)} | ${e.seconds.toFixed(2)} | ${(c.maxRssBytes / 1e6).toFixed(0)} | ${(e.maxRssBytes / 1e6).toFixed(0)} |`,
      );
    });
    const tCopy = median(rows.copy.map((r) => r.seconds));
    const tExport = median(rows.export.map((r) => r.seconds));
    const rss = Math.max(...rows.export.map((r) => r.maxRssBytes));
    console.log(`\nmodel.onnx: ${(model / 1e6).toFixed(1)} MB`);
    console.log(
      `time ratio (median export / median read+write): ${(tExport / tCopy).toFixed(2)}×  (target ≤ 2×)`,
    );
    console.log(
      `memory ratio (peak export RSS / weight bytes): ${(rss / g.weightBytes).toFixed(2)}×  (target < 2.5×)`,
    );
    writeFileSync(join(work, 'done'), '');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
