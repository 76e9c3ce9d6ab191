// Benchmark of `pdseg predict` on a full-size PSPNet-ResNet50 at 512×512 (19 classes, the
// synthetic weights of bench/full-pspnet.mjs, exported by the real exporter), all measured
// in one process, side by side:
//   A.  raw session.run of the exported PREDICT model (softmax output), median of runs
//   B.  session.run of the literal graph with only the softmax replaced by ArgMax (spec §4.4;
//       what `pdseg predict --no-fold` runs)
//   B'. session.run of what predict runs by default: B plus the PSP fold
//       (src/predict/fold-upsampled-concat.ts)
//   C.  end-to-end predictImages over the shared test images (decode, preprocess, run,
//       postprocess, PNG write), images/s — default, and C0 with --no-fold
//   D.  one 3×3 256→256 convolution on 1×256×128×128 (the GFLOP/s yardstick)
// Targets (issue 5): C img/s ≥ 1.05 × 1/A;  GFLOP/s of B ≥ 0.85 × GFLOP/s of D.
// Also printed: C ÷ (1/B') (how much of the pipeline is hidden behind inference), C0's ratio,
// and whether the default and --no-fold runs wrote identical label PNGs.
//
// Run: npx tsc -p tsconfig.json && node bench/predict.mjs [--runs 3] [--threads N] [--profile]
// --profile also has onnxruntime profile A, B and B' and prints where each run's time goes,
// per op type (profiling itself costs a little: compare ratios from runs without it).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFullPspnetCheckpoint } from './full-pspnet.mjs';
import { convModel, graphFlops } from './yardstick.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    threads: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);

const threads = args.threads ? Number(args.threads) : undefined;

const { exportModel } = await import(dist('export/export-model.js'));
const { SegSession } = await import(dist('predict/session.js'));
const { loadLabelModel } = await import(dist('predict/load-model.js'));
const { collectInputs } = await import(dist('predict/inputs.js'));
const { predictImages } = await import(dist('predict/pipeline.js'));
const { decodeModel } = await import(dist('onnx/decode.js'));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** Milliseconds per run spent in each op type, from an onnxruntime chrome-trace profile. */
function opTimes(events) {
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length || 1;
  const byOp = new Map();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + e.dur / 1000 / runs);
  }
  return [...byOp].sort((a, b) => b[1] - a[1]);
}

const work = mkdtempSync(join(tmpdir(), 'pdseg-bench-predict-'));
try {
  process.stderr.write(
    'exporting a full-size PSPNet-ResNet50 (19 classes, 512×512) with generated weights…\n',
  );
  const { cfg } = await writeFullPspnetCheckpoint(work);
  const { modelPath } = await exportModel(cfg, { cwd: work });
  const bytes = await readFile(modelPath);
  const model = decodeModel(bytes);
  const flops = graphFlops(model);
  const input = new Float32Array(3 * 512 * 512).map((_, i) => Math.sin(i) * 0.5);

  // One session at a time: onnxruntime's intra-op threads spin after each run, so a second
  // live session steals the cores of the one being timed (an earlier interleaved version of
  // this bench measured the raw model 2× slower than predict's own runs for that reason).
  // A is measured first and again last, so a change of load shows in its spread.
  const convFlops = 2 * 256 * 256 * 9 * 128 * 128;
  const convIn = new Float32Array(256 * 128 * 128).fill(0.25);
  const dims = [1, 3, 512, 512];
  /** One warm-up, then RUNS timed session.run; `release` ends the session afterwards. */
  const timeRuns = async (session, data, d, label, release = true) => {
    await session.run(data, d);
    const times = [];
    for (let r = 0; r < RUNS; r++) {
      process.stderr.write(`${label} run ${r + 1}/${RUNS}…\n`);
      const t0 = performance.now();
      await session.run(data, d);
      times.push((performance.now() - t0) / 1000);
    }
    if (release) await session.release();
    return times;
  };
  const profile = (tag) => (args.profile ? { profilePrefix: join(work, `profile-${tag}`) } : {});
  const aTimes = await timeRuns(
    await SegSession.create(bytes, { threads, ...profile('A') }),
    input,
    dims,
    'A',
  );
  const dTimes = await timeRuns(
    await SegSession.create(convModel().bytes, { threads }),
    convIn,
    [1, 256, 128, 128],
    'D',
  );
  const items = await collectInputs({
    inputs: [join(ROOT, '..', 'shared', 'testdata', 'images')],
    outputDir: join(work, 'visual'),
  });
  const itemsNoFold = items.map((it) => ({
    ...it,
    output: join(work, 'visual-no-fold', basename(it.output)),
  }));
  /** Times `runs` session.run of a label model, then predict over `list` with it. */
  const labelModel = async (fold, label, list) => {
    const lm = await loadLabelModel(modelPath, { threads, fold, ...profile(fold ? 'Bfold' : 'B') });
    const times = await timeRuns(lm.session, input, dims, label, false);
    process.stderr.write(`${label}: end-to-end predict over the shared images…\n`);
    const summary = await predictImages({ items: list, runner: lm.session, settings: lm.settings });
    if (summary.failures.length) throw new Error(JSON.stringify(summary.failures));
    await lm.session.release();
    return { times, summary, folded: lm.folded };
  };
  const literal = await labelModel(false, 'B (--no-fold)', itemsNoFold);
  const folded = await labelModel(true, "B' (default)", items);
  aTimes.push(...(await timeRuns(await SegSession.create(bytes, { threads }), input, dims, 'A again')));
  const bTimes = literal.times;
  const summary = folded.summary;
  let same = 0;
  for (let i = 0; i < items.length; i++) {
    const [x, y] = await Promise.all([readFile(items[i].output), readFile(itemsNoFold[i].output)]);
    if (Buffer.compare(x, y) === 0) same++;
  }
  const tRaw = median(aTimes);
  const tArg = median(bTimes);
  const tFold = median(folded.times);
  const tConv = median(dTimes);

  const gf = (f, t) => f / t / 1e9;
  const rows = [
    [
      'A raw PREDICT session.run (softmax)',
      `${tRaw.toFixed(3)} s`,
      `${gf(flops, tRaw).toFixed(1)} GFLOP/s`,
      aTimes,
    ],
    [
      'B ArgMax, literal graph (--no-fold)',
      `${tArg.toFixed(3)} s`,
      `${gf(flops, tArg).toFixed(1)} GFLOP/s`,
      bTimes,
    ],
    [
      "B' ArgMax + PSP fold (predict's default)",
      `${tFold.toFixed(3)} s`,
      `${gf(flops, tFold).toFixed(1)} GFLOP/s*`,
      folded.times,
    ],
    [
      `C end-to-end predict, ${summary.images} images`,
      `${(summary.seconds / summary.images).toFixed(3)} s/img`,
      `${summary.imagesPerSecond.toFixed(3)} img/s`,
    ],
    [
      `C0 end-to-end predict --no-fold`,
      `${(literal.summary.seconds / literal.summary.images).toFixed(3)} s/img`,
      `${literal.summary.imagesPerSecond.toFixed(3)} img/s`,
    ],
    [
      'D conv 3×3 256→256 @128×128',
      `${tConv.toFixed(3)} s`,
      `${gf(convFlops, tConv).toFixed(1)} GFLOP/s`,
      dTimes,
    ],
  ];
  console.log(
    `PSPNet-ResNet50 512×512: ${(flops / 1e9).toFixed(1)} GFLOP per image; threads ${threads ?? 'all cores'}; median of ${RUNS} runs (A: ${2 * RUNS}, first and last) [min–max]`,
  );
  // The spread of the timed runs beside each median (A's include the runs at the very end).
  const spread = (xs) => (xs ? `  [${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)}]` : '');
  for (const r of rows)
    console.log(`${r[0].padEnd(44)} ${r[1].padStart(14)} ${r[2].padStart(17)}${spread(r[3])}`);
  console.log(
    `* the literal graph's GFLOP over B' time; the fold removes ${folded.folded.join(', ')}'s work on the upsampled pyramid`,
  );
  const e2eRatio = summary.imagesPerSecond * tRaw;
  const gfRatio = gf(flops, tArg) / gf(convFlops, tConv);
  console.log(
    `ratio end-to-end img/s ÷ (1 / raw PREDICT run): ${e2eRatio.toFixed(3)} (target ≥ 1.05) ${e2eRatio >= 1.05 ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `ratio network GFLOP/s (B) ÷ single-conv GFLOP/s: ${gfRatio.toFixed(3)} (target ≥ 0.85) ${gfRatio >= 0.85 ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `  pipeline hidden behind inference: C img/s ÷ (1 / B') = ${(summary.imagesPerSecond * tFold).toFixed(3)}`,
  );
  console.log(
    `  without the fold: C0 img/s ÷ (1 / A) = ${(literal.summary.imagesPerSecond * tRaw).toFixed(3)}; C0 ÷ (1 / B) = ${(literal.summary.imagesPerSecond * tArg).toFixed(3)}`,
  );
  console.log(
    `  softmax saved: B ÷ A = ${(tArg / tRaw).toFixed(3)}; fold: B' ÷ B = ${(tFold / tArg).toFixed(3)}`,
  );
  console.log(`  label PNGs identical with and without the fold: ${same}/${items.length}`);
  if (args.profile) {
    for (const [tag, label] of [
      ['A', 'A raw PREDICT'],
      ['B', 'B ArgMax, literal'],
      ['Bfold', "B' ArgMax + fold"],
    ]) {
      const file = readdirSync(work).find((f) => f.startsWith(`profile-${tag}_`));
      if (!file) throw new Error(`onnxruntime wrote no profile for ${tag}`);
      console.log(`onnxruntime profile, ${label}: ms per run by op type (top 8)`);
      for (const [op, ms] of opTimes(JSON.parse(readFileSync(join(work, file), 'utf8'))).slice(0, 8))
        console.log(`  ${op.padEnd(22)} ${ms.toFixed(1).padStart(8)} ms`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
