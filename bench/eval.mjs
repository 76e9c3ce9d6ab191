// Benchmark of eval's metric accumulation (issue 5: ≥ 200 M pixels/s): ConfusionMatrix.update
// over 512×512 label/prediction maps with 19 classes and ~5% IGNORE_INDEX pixels, measured
// side by side with the floor of any accumulation — one pass that only reads both arrays
// and sums them — in the same process.
//
// Run: npx tsc -p tsconfig.json && node bench/eval.mjs [--images 200]
import { parseArgs } from 'node:util';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const { ConfusionMatrix } = await import(dist('eval/confusion-matrix.js'));
const { computeMetrics } = await import(dist('eval/metrics.js'));
const { values: args } = parseArgs({ options: { images: { type: 'string', default: '200' } } });
const IMAGES = Number(args.images);
const K = 19;
const N = 512 * 512;

const label = new Uint8Array(N);
const pred = new Uint8Array(N);
let s = 1;
for (let i = 0; i < N; i++) {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  label[i] = s % 100 < 5 ? 255 : (s >>> 8) % K;
  pred[i] = (s >>> 16) % 100 < 70 ? label[i] % K : (s >>> 20) % K;
}

function floor() {
  let acc = 0;
  for (let i = 0; i < N; i++) acc += label[i] + pred[i];
  return acc;
}

function timeIt(fn) {
  for (let i = 0; i < 5; i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < IMAGES; i++) fn();
  return (performance.now() - t0) / 1000;
}

const cm = new ConfusionMatrix(K);
const tCm = timeIt(() => cm.update(label, pred, 255, 'bench'));
let sink = 0;
const tFloor = timeIt(() => {
  sink += floor();
});
const m = computeMetrics(cm);
const mp = (t) => (IMAGES * N) / t / 1e6;
console.log(`${IMAGES} maps of 512×512, ${K} classes (mIoU ${m.miou.toFixed(4)}, checksum ${sink % 1000})`);
console.log(`${'ConfusionMatrix.update'.padEnd(34)} ${mp(tCm).toFixed(0).padStart(8)} M pixels/s`);
console.log(`${'read-and-sum floor'.padEnd(34)} ${mp(tFloor).toFixed(0).padStart(8)} M pixels/s`);
console.log(`ratio accumulation ÷ floor: ${(tFloor / tCm).toFixed(3)}`);
console.log(
  `accumulation ${mp(tCm).toFixed(0)} M pixels/s (target ≥ 200) ${mp(tCm) >= 200 ? 'MET' : 'NOT MET'}`,
);
