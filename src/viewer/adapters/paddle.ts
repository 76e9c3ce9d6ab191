/**
 * Paddle ProgramDesc (`__model__`, `*.pdmodel`, spec §9.9) → {@link ViewGraph} (issue 6).
 * Block 0 is the graph; ops carrying a `BLOCK`/`BLOCKS` attribute (`while`,
 * `conditional_block`) get those blocks as subgraphs. `feed`/`fetch` ops become the graph's
 * inputs/outputs, `op_namescope` the scope, `op_callstack` the source frames. Persistable
 * variables are weights: shape and dtype here; their values are attached on the Node side
 * (`src/viewer/paddle-weights.ts`). Browser-safe.
 */
import { dtypeFromCode } from '../../paddle/dtype.js';
import { decodeProgramDesc } from '../../paddle/program-desc.js';
import { type BlockDesc, type OpAttr, type ProgramDesc, VarTypeId } from '../../paddle/program-desc-types.js';
import { namescopeSegments, parseCallstack } from '../../program/program.js';
import {
  emptyViewGraph,
  type SourceRef,
  type ViewAttrValue,
  type ViewGraph,
  type ViewNode,
  viewTensor,
} from '../model.js';

/** Attributes shown elsewhere (scope, source) or that only matter to training. */
const HIDDEN_ATTRS = new Set([
  'op_namescope',
  'op_callstack',
  'op_role',
  'op_role_var',
  'op_device',
  'with_quant_attr',
]);

/** Output slots that hold an op's main result, in order of preference. */
const MAIN_OUTPUTS = ['Out', 'Output', 'Y'];

/** Decodes ProgramDesc bytes into a view graph. */
export function decodePaddleView(bytes: Uint8Array, source?: string): ViewGraph {
  return programToView(decodeProgramDesc(bytes, source));
}

/** `ProgramDesc.version` (1006003) as `1.6.3`. */
export function paddleVersionText(v: number | bigint | undefined): string | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (n === 0) return '0 (develop)';
  return `${Math.floor(n / 1e6)}.${Math.floor(n / 1e3) % 1000}.${n % 1000}`;
}

/** Splits `op_namescope` (`/resnet/res2a/`) into its segments. */
export const scopeOfNamescope = namescopeSegments;

/**
 * Parses Python traceback lines from `op_callstack` (`  File "x.py", line 12, in f`), innermost
 * frame first, as Paddle stores them.
 */
export function sourceOfCallstack(lines: readonly string[]): SourceRef[] | undefined {
  const refs = parseCallstack(lines).map((f): SourceRef => ({ file: f.file, line: f.line, func: f.fn }));
  return refs.length > 0 ? refs : undefined;
}

function attrToView(a: OpAttr, program: ProgramDesc, subgraphs: ViewGraph[]): ViewAttrValue {
  const block = (idx: number) => {
    const b = program.blocks[idx];
    if (!b) return `block ${idx} (missing)`;
    subgraphs.push(blockToView(program, b));
    return subgraphs.length - 1;
  };
  switch (a.type) {
    case 'LONG':
      return Number(a.value);
    case 'LONGS':
      return a.value.map(Number);
    case 'BOOLEANS':
      return a.value.map(String);
    case 'BLOCK': {
      const g = block(a.value);
      return typeof g === 'number' ? { graph: g } : g;
    }
    case 'BLOCKS':
      return a.value.map((i) => `graph #${block(i)}`);
    case 'SCALAR':
      return `scalar (${a.value.length} bytes)`;
    case 'SCALARS':
      return `${a.value.length} scalars`;
    default:
      return a.value;
  }
}

/** Converts one block; block 0's `feed`/`fetch` ops become inputs/outputs. */
export function blockToView(program: ProgramDesc, block: BlockDesc): ViewGraph {
  const view = emptyViewGraph('paddle', block.idx === 0 ? 'main' : `block ${block.idx}`);
  const tensor = (name: string) => viewTensor(view, name);
  // Variables of this block and its ancestors (sub-blocks read their parents' vars).
  const chain: BlockDesc[] = [];
  for (
    let b: BlockDesc | undefined = block;
    b;
    b = b.parentIdx >= 0 ? program.blocks[b.parentIdx] : undefined
  ) {
    chain.push(b);
    if (chain.length > program.blocks.length) break;
  }
  const varInfo = new Map(chain.flatMap((b) => b.vars.map((v) => [v.name, v] as const)).reverse());
  const describe = (name: string) => {
    const v = varInfo.get(name);
    const t = tensor(name);
    const desc = v?.type.lodTensor?.tensor ?? v?.type.selectedRows ?? v?.type.tensorArray?.tensor;
    if (desc && t.dtype === undefined) {
      t.dtype = dtypeFromCode(desc.dataType) ?? `type${desc.dataType}`;
      t.shape = desc.dims.map((d) => (d < 0 ? null : d));
      const isWeight = v?.persistable && v.type.type === VarTypeId.LOD_TENSOR;
      if (isWeight && desc.dims.every((d) => d >= 0)) {
        const n = desc.dims.reduce((a, d) => a * d, 1);
        const size = {
          float32: 4,
          float64: 8,
          int64: 8,
          int32: 4,
          float16: 2,
          bfloat16: 2,
          int16: 2,
        } as Record<string, number>;
        t.initializer = { dims: desc.dims.slice(), dtype: t.dtype, byteLength: n * (size[t.dtype] ?? 1) };
      }
    }
    return t;
  };
  for (const op of block.ops) {
    if (op.type === 'feed') {
      for (const o of op.outputs) for (const a of o.arguments) view.inputs.push(describe(a).name);
      continue;
    }
    if (op.type === 'fetch') {
      for (const i of op.inputs) for (const a of i.arguments) view.outputs.push(describe(a).name);
      continue;
    }
    const id = view.nodes.length;
    const subgraphs: ViewGraph[] = [];
    const attributes: Record<string, ViewAttrValue> = {};
    let scope: string[] = [];
    let source: SourceRef[] | undefined;
    for (const a of op.attrs) {
      if (a.name === 'op_namescope' && a.type === 'STRING') scope = scopeOfNamescope(a.value);
      else if (a.name === 'op_callstack' && a.type === 'STRINGS') source = sourceOfCallstack(a.value);
      if (!HIDDEN_ATTRS.has(a.name)) attributes[a.name] = attrToView(a, program, subgraphs);
    }
    const inputs = op.inputs.flatMap((s) => s.arguments);
    const outputs = op.outputs.flatMap((s) => s.arguments);
    // Name the op after its main result (batch_norm lists MeanOut… before Y).
    const main = op.outputs.find((o) => MAIN_OUTPUTS.includes(o.parameter) && o.arguments.length > 0);
    const first = main?.arguments[0] ?? outputs[0] ?? `${op.type}_${id}`;
    const node: ViewNode = {
      id,
      name: scope.length > 0 ? `${scope.join('/')}/${first}` : first,
      opType: op.type,
      scope,
      attributes,
      inputs,
      outputs,
      doc: [
        ...op.inputs.map((s) => `in ${s.parameter}: ${s.arguments.join(', ')}`),
        ...op.outputs.map((s) => `out ${s.parameter}: ${s.arguments.join(', ')}`),
      ].join('\n'),
    };
    if (source) node.source = source;
    if (subgraphs.length > 0) node.subgraphs = subgraphs;
    view.nodes.push(node);
    for (const name of inputs) describe(name).consumers.push(id);
    for (const name of outputs) describe(name).producer = id;
  }
  return view;
}

/** Converts a whole program (block 0 as the graph). */
export function programToView(program: ProgramDesc): ViewGraph {
  const main = program.blocks[0];
  if (!main) {
    return { format: 'paddle', name: 'main', nodes: [], tensors: {}, inputs: [], outputs: [], metadata: {} };
  }
  const view = blockToView(program, main);
  const version = paddleVersionText(program.version);
  if (version) {
    view.formatVersion = `Paddle ${version}`;
    view.metadata.paddle_version = version;
  }
  view.metadata.blocks = String(program.blocks.length);
  return view;
}
