// Benchmark of every architecture pdseg builds, each at its config's crop size with the
// seeded synthetic checkpoint of `pdseg quickstart --offline` (the zoo's per-file layout),
// measured in one process, side by side:
//   export    `exportModel` time against reading the checkpoint files and writing their
//             bytes to one file (the I/O floor of any export): target ≤ 2×
//   run       onnxruntime session.run of the exported PREDICT model, median of runs:
//             images/s and network GFLOP/s (Conv/ConvTranspose/MatMul FLOPs ÷ time)
//   predict   the same model as `pdseg predict` runs it (ArgMax head instead of the softmax
//             tail, PSPNet's pyramid folded — the edits of src/predict/load-model.ts): images/s
//             and GFLOP/s of that graph; the conv ratios are taken on this path
//   yardstick one 3×3 256→256 conv on 1×256×128×128, and one depthwise 3×3 on
//             1×384×64×64, timed in the same run; conv-dominated nets are compared with the
//             first (target ≥ 0.8×), depthwise-heavy ones (MobileNetV2) with the second
//
// Run: npx tsc -p tsconfig.json && node bench/models.mjs [--runs 3] [--only NAME]
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convModel, graphFlops } from './yardstick.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, only: { type: 'string' } },
});
const RUNS = Number(args.runs);

const { loadConfig } = await import(dist('config/index.js'));
const { exportModel } = await import(dist('export/export-model.js'));
const { writeSyntheticCheckpoint } = await import(dist('quickstart/synthetic-checkpoint.js'));
const { SegSession } = await import(dist('predict/session.js'));
const { decodeModel } = await import(dist('onnx/decode.js'));
const { encodeModel } = await import(dist('onnx/encode.js'));
const { toArgmaxModel } = await import(dist('predict/argmax-graph.js'));
const { foldUpsampledConcat } = await import(dist('predict/fold-upsampled-concat.js'));

/** name, config, extra overrides, which yardstick it is held to. */
const MODELS = [
  ['PSPNet-ResNet50', 'pspnet_optic.yaml', ['DATASET.NUM_CLASSES', '19'], 'conv'],
  ['UNet', 'unet_optic.yaml', [], 'conv'],
  ['HRNet-W18', 'hrnet_optic.yaml', [], 'conv'],
  ['DeepLabv3+ Xception65', 'deeplabv3p_xception65_optic.yaml', [], 'conv'],
  ['DeepLabv3+ MobileNetV2 ×1.0', 'deeplabv3p_mobilenet-1-0_pet.yaml', [], 'depthwise'],
  ['DeepLabv3+ MobileNetV3-large', 'deeplabv3p_mobilenetv3_large_cityscapes.yaml', [], 'depthwise'],
  ['DeepLabv3+ ResNet50_vd', 'deeplabv3p_resnet50_vd_cityscapes.yaml', [], 'conv'],
  ['OCRNet-W18', 'ocrnet_w18_bn_cityscapes.yaml', [], 'conv'],
  ['ICNet ×0.5', 'icnet_optic.yaml', [], 'conv'],
  ['Fast-SCNN', 'cityscape_fast_scnn.yaml', [], 'depthwise'],
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function files(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out.sort();
}

async function copyTime(dir, target) {
  const t0 = performance.now();
  const fh = await open(target, 'w');
  for (const f of files(dir)) await fh.write(await readFile(f));
  await fh.sync();
  await fh.close();
  return (performance.now() - t0) / 1000;
}

async function timeRuns(bytes, dims) {
  const session = await SegSession.create(bytes, {});
  const input = new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i) * 0.5);
  await session.run(input, dims);
  const times = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await session.run(input, dims);
    times.push((performance.now() - t0) / 1000);
  }
  await session.release();
  return median(times);
}

const work = mkdtempSync(join(tmpdir(), 'pdseg-bench-models-'));
try {
  const conv = convModel();
  const dw = convModel({ channels: 384, size: 64, depthwise: true });
  const yard = {
    conv: conv.flops / (await timeRuns(conv.bytes, conv.dims)) / 1e9,
    depthwise: dw.flops / (await timeRuns(dw.bytes, dw.dims)) / 1e9,
  };
  const rows = [];
  for (const [name, file, extra, kind] of MODELS) {
    if (args.only && !name.toLowerCase().includes(args.only.toLowerCase())) continue;
    const dir = join(work, name.replace(/[^a-z0-9]+/gi, '-'));
    const cfg = await loadConfig({
      cfgFile: join(ROOT, 'configs', file),
      overrides: [
        ...extra,
        'TEST.TEST_MODEL',
        join(dir, 'checkpoint'),
        'FREEZE.SAVE_DIR',
        join(dir, 'freeze_model'),
      ],
    });
    const written = await writeSyntheticCheckpoint(cfg, join(dir, 'checkpoint'));
    process.stderr.write(`${name}: ${(written.bytes / 1e6).toFixed(1)} MB checkpoint…\n`);
    const tCopy = await copyTime(join(dir, 'checkpoint'), join(dir, 'copy.bin'));
    rmSync(join(dir, 'copy.bin'));
    const t0 = performance.now();
    const { modelPath } = await exportModel(cfg);
    const tExport = (performance.now() - t0) / 1000;
    const bytes = await readFile(modelPath);
    const flops = graphFlops(decodeModel(bytes));
    const [w, h] = cfg.EVAL_CROP_SIZE;
    const tRun = await timeRuns(bytes, [1, cfg.DATASET.DATA_DIM, h, w]);
    const gflops = flops / tRun / 1e9;
    const predictModel = toArgmaxModel(
      foldUpsampledConcat(decodeModel(bytes)).model,
      cfg.DATASET.NUM_CLASSES,
    ).model;
    const predictFlops = graphFlops(predictModel);
    const tPredict = await timeRuns(encodeModel(predictModel), [1, cfg.DATASET.DATA_DIM, h, w]);
    const predictGflops = predictFlops / tPredict / 1e9;
    rows.push({
      name,
      crop: `${w}×${h}`,
      mb: statSync(modelPath).size / 1e6,
      gflop: flops / 1e9,
      tRun,
      tPredict,
      gflops,
      predictGflops,
      kind,
      exportRatio: tExport / tCopy,
      tExport,
      tCopy,
    });
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `yardsticks in this run: 3×3 conv ${yard.conv.toFixed(1)} GFLOP/s, depthwise 3×3 ${yard.depthwise.toFixed(1)} GFLOP/s; median of ${RUNS} runs\n`,
  );
  console.log(
    '| model | crop | model.onnx MB | GFLOP/img | model.onnx img/s | GFLOP/s | predict img/s | predict GFLOP/s | ÷ 3×3 conv | ÷ depthwise | export s | read+write s | export ÷ I/O |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.crop} | ${r.mb.toFixed(1)} | ${r.gflop.toFixed(1)} | ${(1 / r.tRun).toFixed(2)} | ${r.gflops.toFixed(1)} | ${(1 / r.tPredict).toFixed(2)} | ${r.predictGflops.toFixed(1)} | ${(r.predictGflops / yard.conv).toFixed(2)}×${r.kind === 'conv' ? ' (target ≥ 0.8)' : ''} | ${(r.predictGflops / yard.depthwise).toFixed(1)}×${r.kind === 'depthwise' ? ' (held to this)' : ''} | ${r.tExport.toFixed(2)} | ${r.tCopy.toFixed(2)} | ${r.exportRatio.toFixed(2)}× |`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
