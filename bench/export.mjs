// Benchmark of `pdseg export` on a full-size PSPNet-ResNet50 (19 classes, ~187 MB of
// generated weights in the model zoo's one-file-per-variable layout), measured side by
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
    const { loadConfig } = await import(dist('config/index.js'));
    const { exportModel } = await import(dist('export/export-model.js'));
    const cfg = await loadConfig({
      cfgFile: join(ROOT, 'configs', 'pspnet_optic.yaml'),
      overrides: [
        'DATASET.NUM_CLASSES',
        '19',
        'TEST.TEST_MODEL',
        './checkpoint',
        'FREEZE.SAVE_DIR',
        './freeze_model',
      ],
      cwd: work,
    });
    await exportModel(cfg, { cwd: work });
  }
  const seconds = (performance.now() - t0) / 1000;
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ seconds, maxRssBytes }));
}

async function generate(work) {
  const { writeCheckpoint } = await import(dist('paddle/checkpoint-writer.js'));
  const { buildPredictGraph } = await import(dist('models/model-builder.js'));
  const { builder } = buildPredictGraph({
    EVAL_CROP_SIZE: [512, 512],
    DATASET: { NUM_CLASSES: 19, DATA_DIM: 3 },
    MODEL: {
      MODEL_NAME: 'pspnet',
      DEFAULT_NORM_TYPE: 'bn',
      DEFAULT_EPSILON: 1e-5,
      PSPNET: { LAYERS: 50, DEPTH_MULTIPLIER: 1 },
    },
  });
  let seed = 12345;
  async function* tensors() {
    for (const p of builder.params) {
      const data = new Float32Array(p.dims.reduce((a, b) => a * b, 1));
      for (let i = 0; i < data.length; i++) {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        data[i] = (seed / 4294967296 - 0.5) * 0.02;
      }
      yield { name: p.name, dims: [...p.dims], dtype: 'float32', data };
    }
  }
  const r = await writeCheckpoint(join(work, 'checkpoint'), tensors(), 'per-file');
  const weightBytes = builder.params.reduce((n, p) => n + 4 * p.dims.reduce((a, b) => a * b, 1), 0);
  return { ...r, weightBytes, params: builder.params.length };
}

function run(mode, work) {
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
    const g = await generate(work);
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
