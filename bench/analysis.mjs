// Viewer analysis bench (issue 7): times each analysis pass on generated residual networks —
// the 10,000-node flat one the issue names (Paddle2ONNX-style names, no scopes), the same
// network with nested scopes, and a 100,000-node flat one — and prints a table with each pass
// as a multiple of the plain adjacency build measured in the same run.
// Run: npx tsc -p tsconfig.json && node bench/analysis.mjs
import {
  analyzeGraph,
  autoGroup,
  buildNodeGraph,
  computeDominance,
  diffGraphs,
  findRegions,
  findRepeatedBlocks,
  inferShapes,
} from '../dist/viewer/analysis/index.js';

/** A stem then bottleneck blocks (10 or 12 nodes each) until `target` nodes; stage of 8 blocks. */
function residualNetwork(target, scoped) {
  const nodes = [];
  const tensors = {};
  let counter = 0;
  const tensor = (name) => (tensors[name] ??= { name, consumers: [] });
  const init = (name, dims) => {
    tensor(name).initializer = { dims, dtype: 'float32', byteLength: 4 * dims.reduce((a, b) => a * b, 1) };
    tensor(name).shape = dims;
    return name;
  };
  const node = (opType, inputs, attributes, scope) => {
    const id = nodes.length;
    const local = `${opType.toLowerCase()}_${counter++}`;
    const name = scoped ? [...scope, local].join('/') : local;
    const out = `${local}.tmp_0`;
    nodes.push({ id, name, opType, scope: scoped ? scope : [], attributes, inputs, outputs: [out] });
    for (const i of inputs) tensor(i).consumers.push(id);
    tensor(out).producer = id;
    return out;
  };
  const convBn = (x, c, k, scope) => {
    const w = init(`w${counter}`, [c, c, k, k]);
    const y = node('Conv', [x, w], { kernel_shape: [k, k], pads: Array(4).fill((k - 1) / 2) }, scope);
    const bn = ['s', 'b', 'm', 'v'].map((p) => init(`bn${counter}_${p}`, [c]));
    return node('BatchNormalization', [y, ...bn], { epsilon: 1e-5 }, scope);
  };
  tensor('image').shape = ['N', 16, 64, 64];
  tensor('image').dtype = 'float32';
  let x = node('Relu', [convBn('image', 16, 3, ['stem'])], {}, ['stem']);
  let block = 0;
  while (nodes.length < target - 12) {
    const scope = ['backbone', `stage${Math.floor(block / 8)}`, `block${block}`];
    let y = node('Relu', [convBn(x, 16, 1, scope)], {}, scope);
    y = node('Relu', [convBn(y, 16, 3, scope)], {}, scope);
    y = convBn(y, 16, 1, scope);
    const short = block % 8 === 0 ? convBn(x, 16, 1, scope) : x;
    x = node('Relu', [node('Add', [short, y], {}, scope)], {}, scope);
    block++;
  }
  const graph = {
    format: 'onnx',
    name: 'bench',
    nodes,
    tensors,
    inputs: ['image'],
    outputs: [x],
    metadata: {},
  };
  return { graph, blocks: block };
}

function time(fn, repeats) {
  fn(); // warm-up
  const samples = [];
  let result;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    result = fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)], result };
}

const cases = [
  ['10k flat', residualNetwork(10_000, false), 5],
  ['10k nested', residualNetwork(10_000, true), 5],
  ['100k flat', residualNetwork(100_000, false), 1],
];
const rows = [];
for (const [label, { graph, blocks }, repeats] of cases) {
  let base;
  const passes = [
    ['adjacency (baseline)', () => buildNodeGraph(graph)],
    ['dominators', () => computeDominance(graph)],
    ['regions', () => findRegions(graph)],
    ['auto-group', () => autoGroup(graph)],
    ['shape inference', () => inferShapes(graph)],
  ];
  if (label.includes('nested')) passes.push(['repeated blocks', () => findRepeatedBlocks(graph)]);
  if (label === '10k flat') {
    passes.push(['diff (self)', () => diffGraphs(graph, graph)]);
    passes.push(['analyzeGraph (all passes)', () => analyzeGraph(graph)]);
  }
  for (const [name, fn] of passes) {
    const { ms, result } = time(fn, repeats);
    base ??= ms;
    let note = '';
    if (name === 'auto-group') {
      const blockGroups = result.groups.filter((g) => g.kind === 'block').length;
      const top = new Set(result.scopes.map((s, i) => (s.length > 0 ? `g:${s[0]}` : `n:${i}`))).size;
      const widest = Math.max(top, ...result.groups.map((g) => g.childCount));
      note = `${blockGroups} blocks found of ${blocks}; widest group ${widest} children`;
      if (label === '10k flat') note += `; target < 2 s ${ms < 2000 ? 'met' : 'MISSED'}`;
    }
    if (name === 'shape inference') note = `${Object.keys(result.shapes).length} tensor shapes inferred`;
    if (name === 'repeated blocks') note = `${result.repeated.length} scopes with runs`;
    rows.push([label, graph.nodes.length, name, ms.toFixed(1), (ms / base).toFixed(1), note]);
  }
}
const header = ['graph', 'nodes', 'pass', 'ms (median)', '× adjacency', 'note'];
const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => String(r[k]).length)));
const line = (cells) => cells.map((c, k) => String(c).padEnd(widths[k])).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
