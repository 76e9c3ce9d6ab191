/**
 * Lowers a Paddle program to an ONNX graph with the op table (`ops/`), one op at a time in
 * program order: each feed target becomes a graph input (batch `-1` → symbolic `N`), each
 * fetch target a graph output, each parameter an initializer under its Paddle name (filled
 * later by the weight loader, so lowering never touches weight bytes). Node names are the
 * op's scope path plus a label; `doc_string` is the op's model-code location. Before any
 * node is made, every op type outside the table is reported at once.
 */
import { PdsegError } from '../errors.js';
import { type Dim, GraphBuilder, type Value } from '../onnx/builder.js';
import { TensorDataType, type TensorProto } from '../onnx/types.js';
import type { PaddleDType } from '../paddle/dtype.js';
import { defaultAttrs, type LowerContext, type PaddleOpDef, staticDims } from './op-def.js';
import { PADDLE_OPS } from './ops/index.js';
import {
  feedTargets,
  fetchTargets,
  namescope,
  type Program,
  type ProgramOp,
  sourceLocation,
} from './program.js';

/** ONNX element type of a Paddle dtype. */
const ONNX_TYPE: Readonly<Partial<Record<PaddleDType, number>>> = {
  float32: TensorDataType.FLOAT,
  float64: TensorDataType.DOUBLE,
  float16: TensorDataType.FLOAT16,
  int64: TensorDataType.INT64,
  int32: TensorDataType.INT32,
  int16: TensorDataType.INT16,
  int8: TensorDataType.INT8,
  uint8: TensorDataType.UINT8,
  bool: TensorDataType.BOOL,
};

/** The result of {@link lowerToOnnx}. */
export interface LoweredGraph {
  readonly builder: GraphBuilder;
  /** The initializer of every parameter an op reads, by Paddle name, to be filled. */
  readonly parameters: ReadonlyMap<string, TensorProto>;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
}

/** One op type outside the table: how often, and the first variable it writes. */
export interface UnsupportedOp {
  readonly type: string;
  readonly count: number;
  readonly firstOutput: string;
}

/** The op types of `program` the table cannot lower. */
export function unsupportedOps(
  program: Program,
  table: ReadonlyMap<string, PaddleOpDef> = PADDLE_OPS,
): UnsupportedOp[] {
  const found = new Map<string, { count: number; firstOutput: string }>();
  for (const op of program.ops) {
    if (table.has(op.type)) continue;
    const seen = found.get(op.type);
    if (seen) seen.count++;
    else found.set(op.type, { count: 1, firstOutput: firstOutput(op) });
  }
  return [...found].map(([type, v]) => ({ type, ...v }));
}

/** The first variable an op writes that it does not also read (batch_norm's MeanOut is its Mean). */
function firstOutput(op: ProgramOp): string {
  const read = new Set(Object.values(op.inputs).flat());
  const written = Object.values(op.outputs).flat();
  return written.find((n) => !read.has(n)) ?? written[0] ?? '(no output)';
}

/** Lowers `program`; `name` is the ONNX graph name. */
export function lowerToOnnx(
  program: Program,
  o: { name: string; table?: ReadonlyMap<string, PaddleOpDef> },
): LoweredGraph {
  const table = o.table ?? PADDLE_OPS;
  const missing = unsupportedOps(program, table);
  if (missing.length > 0) {
    const list = missing.map((m) => `${m.type} ×${m.count} (first writes "${m.firstOutput}")`).join('; ');
    throw new PdsegError(
      'MODEL_UNSUPPORTED_OP',
      `the program uses ${missing.length} op type(s) pdseg cannot lower to ONNX: ${list}. ` +
        `Supported: ${[...table.keys()].sort().join(', ')}.`,
    );
  }
  const b = new GraphBuilder(o.name);
  const env = new Map<string, Value>();
  const parameters = new Map<string, TensorProto>();
  const readers = new Map<string, number>();
  for (const op of program.ops)
    for (const name of Object.values(op.inputs).flat()) readers.set(name, (readers.get(name) ?? 0) + 1);

  const typeOf = (name: string): number => {
    const v = program.vars.get(name);
    const t = v && ONNX_TYPE[v.dtype];
    if (t === undefined)
      throw new PdsegError(
        'MODEL_FORMAT',
        `variable "${name}" has dtype ${v?.dtype ?? 'unknown'}, which pdseg cannot lower`,
      );
    return t;
  };
  const inputs = feedTargets(program).map((name) => {
    const v = program.vars.get(name);
    if (!v) throw new PdsegError('MODEL_FORMAT', `the feed target "${name}" has no variable in the program`);
    const shape: Dim[] = v.shape.map((d, i) => (d >= 0 ? d : i === 0 ? 'N' : null));
    if (shape.slice(1).some((d) => d === null)) {
      throw new PdsegError(
        'MODEL_FORMAT',
        `the feed target "${name}" has dims [${v.shape.join(', ')}]: only the batch may be unknown (-1); PaddleSeg exports fix H×W to EVAL_CROP_SIZE`,
      );
    }
    const value = b.input(name, shape, typeOf(name));
    env.set(name, value);
    return value;
  });

  const valueFor = (op: ProgramOp, name: string): Value => {
    const bound = env.get(name);
    if (bound) return bound;
    const v = program.vars.get(name);
    if (v?.persistable && v.kind === 'tensor') {
      const { value, tensor } = b.initializer(name, v.shape, typeOf(name));
      parameters.set(name, tensor);
      env.set(name, value);
      return value;
    }
    throw new PdsegError(
      'MODEL_FORMAT',
      `op ${op.type} (writing "${firstOutput(op)}") reads "${name}", which no earlier op writes`,
    );
  };

  for (const op of program.ops) {
    if (op.type === 'feed' || op.type === 'fetch') continue;
    const def = table.get(op.type)!;
    const defaults = defaultAttrs(def);
    const docString = sourceLocation(op);
    const unsupported = (reason: string) =>
      new PdsegError(
        'MODEL_UNSUPPORTED_OP',
        `op ${op.type} writing "${firstOutput(op)}": ${reason} is not supported by pdseg's lowering`,
      );
    const outName = (slot: string): string => {
      const n = op.outputs[slot]?.[0];
      if (!n) throw unsupported(`no variable in output slot ${slot}`);
      return n;
    };
    const bind = (slot: string, v: Value): void => {
      const name = outName(slot);
      if (v.name === name) {
        env.set(name, v);
        return;
      }
      let result: Value;
      if (b.producer(v) && b.consumers(v).length === 0 && !b.has(name)) {
        result = b.rename(v, name);
        for (const [k, bound] of env) if (bound.name === v.name) env.delete(k);
      } else {
        result = b.node1('Identity', [v], {}, { label: op.type, outputs: [name], docString });
      }
      env.set(name, result);
    };
    const ctx: LowerContext = {
      b,
      op,
      attr: <T>(name: string) => (op.attrs.get(name)?.value ?? defaults.get(name)?.value) as T,
      has: (slot) => (op.inputs[slot]?.length ?? 0) > 0,
      input: (slot, i = 0) => {
        const name = op.inputs[slot]?.[i];
        if (name === undefined) throw unsupported(`a missing input ${slot}[${i}]`);
        return valueFor(op, name);
      },
      inputs: (slot) => (op.inputs[slot] ?? []).map((n) => valueFor(op, n)),
      isParameter: (slot, i = 0) => {
        const v = program.vars.get(op.inputs[slot]?.[i] ?? '');
        return v?.persistable === true && v.kind === 'tensor';
      },
      readers: (slot, i = 0) => readers.get(op.inputs[slot]?.[i] ?? '') ?? 0,
      node: (opType, ins, attrs = {}, opts = {}) => {
        const target = opts.output ? outName(opts.output) : undefined;
        // An in-place op writes a variable that already has a value: the node gets a fresh name.
        const outputs = target ? [b.has(target) ? b.unique(target) : target] : undefined;
        const v = b.node1(opType, ins, attrs, { label: opts.label, floats: opts.floats, outputs, docString });
        if (target) env.set(target, v);
        return v;
      },
      bind,
      staticShape: (v) => {
        const dims = staticDims(v);
        if (!dims) throw unsupported(`a tensor "${v.name}" of unknown shape [${v.shape.join(', ')}]`);
        return dims;
      },
      spatial: (v) => ctx.staticShape({ ...v, shape: v.shape.slice(2) }),
      unsupported,
    };
    const scope = namescope(op);
    try {
      if (scope) b.scope(scope, () => def.lower(ctx));
      else def.lower(ctx);
    } catch (e) {
      if (e instanceof PdsegError) throw e;
      throw new PdsegError(
        'MODEL_FORMAT',
        `op ${op.type} writing "${firstOutput(op)}" could not be lowered: ${(e as Error).message}`,
        { cause: e },
      );
    }
  }
  const outputs = fetchTargets(program).map((name) => {
    const v = env.get(name);
    if (!v) throw new PdsegError('MODEL_FORMAT', `the fetch target "${name}" is not computed by any op`);
    b.output(v);
    return v;
  });
  return { builder: b, parameters, inputs, outputs };
}
