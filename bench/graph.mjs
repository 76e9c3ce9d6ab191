// Benchmark of `pdseg graph` (issue 6, "Performance"): one run in headless Debian Chromium.
// Generates four models (the PSPNet-ResNet50 graph from the real network builder; 10k nodes
// of nested residual blocks; the same 10k nodes with flat names; 100k flat nodes), writes each
// as the self-contained `--html` page, and measures navigation → first drawn view, group
// expand times (p95, max), the longest main-thread stall (longtask) and peak renderer memory.
// Side by side, it times ONE flat dagre layout of the same graphs in Node (what a viewer
// without hierarchy/sections does) next to the viewer's per-group layouts.
// Issue 7: each model is measured twice in the same run, as the plain decoded graph and as
// `pdseg graph` sends it (after `prepareForView`: inferred shapes, repeated-block stages and
// folds), so the cost of the analysis on the first view reads side by side; on flat graphs it
// also times the page's "auto-group" toggle (worker analysis + new hierarchy + first draw).
// Run: npx tsc -p tsconfig.json && node scripts/build-web.mjs && node bench/graph.mjs

import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dagre from '@dagrejs/dagre';
import { chromium } from 'playwright-core';
import { buildPredictProgram } from '../dist/models/model-builder.js';
import { encodeModel } from '../dist/onnx/encode.js';
import { lowerToOnnx } from '../dist/program/lower-onnx.js';
import { decodeOnnxView } from '../dist/viewer/adapters/onnx.js';
import { viewerStandaloneHtml } from '../dist/viewer/page.js';
import { prepareForView } from '../dist/viewer/prepare.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-precise-memory-info',
];

const vi = (name, dims) => ({
  name,
  type: {
    tensorType: {
      elemType: 1,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});
const node = (opType, name, input, output) => ({
  opType,
  name,
  input,
  output,
  attribute: [],
  domain: '',
  docString: '',
});
const model = (nodes, inits, input, output) => ({
  irVersion: 8,
  opsetImport: [{ domain: '', version: 17 }],
  producerName: 'bench',
  producerVersion: '1',
  domain: '',
  modelVersion: 1,
  docString: '',
  graph: { name: 'bench', node: nodes, initializer: inits, input, output, valueInfo: [], docString: '' },
  metadataProps: [],
  functions: [],
});

/** Residual blocks of 5 ops (conv, relu, conv, add, relu); `nested` names them net/stageS/blockB/…, else Conv_12 style. */
function residualModel(total, nested) {
  const nodes = [];
  const inits = [];
  let prev = 'x';
  const perStage = 100;
  for (let b = 0; nodes.length < total; b++) {
    const s = Math.floor(b / perStage);
    const scope = `net/stage${s}/block${b % perStage}`;
    const name = (op, j) =>
      nested ? `${scope}/${j < 3 ? 'branch/' : ''}${op}${j}` : `${op}_${nodes.length}`;
    const entry = prev;
    const ops = ['Conv', 'Relu', 'Conv', 'Add', 'Relu'];
    for (const [j, op] of ops.entries()) {
      if (nodes.length >= total) break;
      const out = `t${nodes.length}`;
      const inputs = op === 'Add' ? [prev, entry] : [prev];
      if (op === 'Conv') {
        inits.push({ name: `w${nodes.length}`, dims: [8, 8, 3, 3], dataType: 1 });
        inputs.push(`w${nodes.length}`);
      }
      nodes.push(node(op, name(op, j), inputs, [out]));
      prev = out;
    }
  }
  return model(nodes, inits, [vi('x', ['N', 8, 64, 64])], [vi(prev, ['N', 8, 64, 64])]);
}

function pspnetModel() {
  const program = buildPredictProgram({
    EVAL_CROP_SIZE: [512, 512],
    DATASET: { NUM_CLASSES: 19, DATA_DIM: 3 },
    MODEL: {
      MODEL_NAME: 'pspnet',
      DEFAULT_NORM_TYPE: 'bn',
      DEFAULT_EPSILON: 1e-5,
      PSPNET: { LAYERS: 50, DEPTH_MULTIPLIER: 1 },
    },
  });
  return lowerToOnnx(program, { name: 'pspnet' }).builder.toModel({ producerVersion: 'bench', metadata: [] });
}

/** One flat dagre layout of the whole graph in Node (the no-hierarchy baseline). */
function flatDagre(graph) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 22, ranksep: 34 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) g.setNode(String(n.id), { width: 120, height: 36 });
  for (const t of Object.values(graph.tensors)) {
    if (t.producer === undefined) continue;
    for (const c of t.consumers) g.setEdge(String(t.producer), String(c));
  }
  const t0 = performance.now();
  try {
    dagre.layout(g);
    return `${((performance.now() - t0) / 1000).toFixed(2)} s`;
  } catch (e) {
    return `failed after ${((performance.now() - t0) / 1000).toFixed(1)} s (${e instanceof RangeError ? 'stack overflow' : e.message})`;
  }
}

function rssOf(profile) {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer') || !cmd.includes(profile)) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // the process ended between listing and reading
    }
  }
  return total;
}

const pct = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function measure(context, profile, html, pickGroups, expandLimit, autoGroup) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(profile));
  }, 50);
  await page.goto(`file://${html}`, { timeout: 120_000 });
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, {
    timeout: 120_000,
    polling: 20,
  });
  const first = await page.evaluate(() => Number(document.body.dataset.firstDraw));
  const state = await page.evaluate(() => document.body.dataset.state);
  const groups = await page.evaluate(pickGroups);
  const times = [];
  for (const id of groups.slice(0, expandLimit))
    times.push(await page.evaluate((g) => window.__pdseg.expandGroup(g), id));
  let autoMs = NaN;
  if (autoGroup) {
    const t = Date.now();
    await page.evaluate(() => window.__pdseg.autoGroup());
    autoMs = Date.now() - t;
  }
  const longest = await page.evaluate(() => window.__longest);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  clearInterval(sampler);
  peak = Math.max(peak, rssOf(profile));
  await page.close();
  return { state, first, times, longest, peak, heap, autoMs };
}

const profile = await mkdtemp(join(tmpdir(), 'pdseg-bench-chromium-'));
const work = await mkdtemp(join(tmpdir(), 'pdseg-bench-graph-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: FLAGS,
  viewport: { width: 1440, height: 900 },
});

// Which groups to expand: top-level scopes, then nested ones breadth first (scopes or sections).
const breadthFirst = () => {
  const h = window.__pdseg.viewer.hier;
  const out = [];
  const queue = h.groups[0].children.filter((c) => c.kind === 'group').map((c) => c.index);
  while (queue.length) {
    const g = queue.shift();
    out.push(g);
    for (const c of h.groups[g].children) if (c.kind === 'group') queue.push(c.index);
  }
  return out;
};

const cases = [
  { name: 'PSPNet-ResNet50', make: pspnetModel, target: 'first ≤ 0.4 s, expand ≤ 100 ms', expands: 40 },
  {
    name: '10k nested',
    make: () => residualModel(10_000, true),
    target: 'first ≤ 1 s, expand p95 ≤ 150 ms',
    expands: 40,
  },
  {
    name: '10k flat',
    make: () => residualModel(10_000, false),
    target: 'first ≤ 2.5 s, no stall > 200 ms',
    expands: 5,
  },
  {
    name: '100k flat',
    make: () => residualModel(100_000, false),
    target: 'first ≤ 20 s, < 2 GB',
    expands: 3,
  },
];
const rows = [];
try {
  for (const c of cases) {
    const m = c.make();
    const bytes = encodeModel(m);
    const t0 = performance.now();
    const graph = decodeOnnxView(bytes);
    const decodeMs = performance.now() - t0;
    const html = join(work, `${c.name.replace(/\W+/g, '_')}.html`);
    await writeFile(html, await viewerStandaloneHtml({ graph, fileName: `${c.name}.onnx` }));
    const plain = await measure(context, profile, html, breadthFirst, c.expands, false);
    const t1 = performance.now();
    const prepared = prepareForView(graph);
    const analysisMs = performance.now() - t1;
    await writeFile(html, await viewerStandaloneHtml({ graph: prepared, fileName: `${c.name}.onnx` }));
    const flat = !graph.nodes.some((n) => n.scope.length > 0) && graph.nodes.length <= 10_000;
    const r = await measure(context, profile, html, breadthFirst, c.expands, flat);
    const baseline = graph.nodes.length <= 10_000 ? flatDagre(graph) : 'not run (minutes)';
    rows.push({
      model: c.name,
      ops: graph.nodes.length,
      'html MB': ((await readFile(html)).length / 1e6).toFixed(1),
      'decode (Node) ms': decodeMs.toFixed(0),
      'analysis (Node) ms': analysisMs.toFixed(0),
      'first view s, plain graph': (plain.first / 1000).toFixed(2),
      'first view s': (r.first / 1000).toFixed(2),
      'with/plain': (r.first / plain.first).toFixed(2),
      'auto-group s': Number.isNaN(r.autoMs) ? '—' : (r.autoMs / 1000).toFixed(2),
      'expand p95 ms': pct(r.times, 95).toFixed(0),
      'expand max ms': Math.max(...r.times).toFixed(0),
      expands: r.times.length,
      'longest stall ms': r.longest.toFixed(0),
      'peak renderer RSS MB': (r.peak / 1e6).toFixed(0),
      'JS heap MB': (r.heap / 1e6).toFixed(0),
      'one flat dagre layout (Node)': baseline,
      target: c.target,
      state: r.state,
    });
    console.error(`done ${c.name}`);
  }
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
}
console.table(rows);
console.log(
  'Netron 9.2.1 anchors from issue 6 (same machine): PSPNet 0.7–0.9 s, 10k 7.1–8.1 s, 100k > 120 s and ~8 GB.',
);
