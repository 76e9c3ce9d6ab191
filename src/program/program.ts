/**
 * A Paddle program in memory: block 0 of a `ProgramDesc` (spec §9.9) in the shape the model
 * code records and the writers and the lowering read. Variables carry name, element type,
 * dims (`-1` for the batch), persistability; ops carry the Paddle op type, input/output
 * slots bound to variable names and attributes under Paddle's names and attribute types
 * (`op_namescope`, `op_callstack` included). Built models and programs read from
 * `__model__` files are the same type.
 */
import type { PaddleDType } from '../paddle/dtype.js';
import type { AttrValue } from '../paddle/program-desc-types.js';

/** How a parameter is initialised when a checkpoint does not provide it (`--skip-mismatch`). */
export type ParamInit = 'weights' | 'zeros' | 'ones';

/** What kind of variable: a LoDTensor, or the `feed`/`fetch` lists of an inference model. */
export type VarKind = 'tensor' | 'feed' | 'fetch';

/** One variable of the program. */
export interface ProgramVar {
  readonly name: string;
  readonly kind: VarKind;
  /** Element type (tensors only). */
  readonly dtype: PaddleDType;
  /** Dimensions, `-1` where unknown (the batch). */
  readonly shape: readonly number[];
  readonly persistable: boolean;
  /** `need_check_feed`, set by `fluid.data` on feed targets. */
  readonly needCheckFeed?: boolean;
  /** For parameters the model code declared: their initial value without a checkpoint. */
  readonly init?: ParamInit;
}

/** One op: type, slots (in Paddle's slot names) and attributes. */
export interface ProgramOp {
  readonly type: string;
  readonly inputs: Readonly<Record<string, readonly string[]>>;
  readonly outputs: Readonly<Record<string, readonly string[]>>;
  readonly attrs: ReadonlyMap<string, AttrValue>;
}

/** A program: its variables by name (in creation order) and its ops in execution order. */
export interface Program {
  readonly vars: ReadonlyMap<string, ProgramVar>;
  readonly ops: readonly ProgramOp[];
  /** `ProgramDesc.version` (major·1e6 + minor·1e3 + patch), when known. */
  readonly version?: number;
}

/** Paddle 1.8.0's `ProgramDesc.version` (spec §9.9: 1008000 in a real 1.8.0 export). */
export const PADDLE_1_8_VERSION = 1_008_000;

/** The persistable LoDTensor variables: what `__params__` holds (spec §9.8). */
export function parameters(program: Program): ProgramVar[] {
  return [...program.vars.values()].filter((v) => v.persistable && v.kind === 'tensor');
}

/** The feed ops' output variables in `col` order (the model inputs). */
export function feedTargets(program: Program): string[] {
  return slotsOf(program, 'feed', 'Out');
}

/** The fetch ops' input variables in `col` order (the model outputs). */
export function fetchTargets(program: Program): string[] {
  return slotsOf(program, 'fetch', 'X');
}

function slotsOf(program: Program, type: string, slot: string): string[] {
  return program.ops
    .filter((op) => op.type === type)
    .map((op) => ({
      col: Number(op.attrs.get('col')?.value ?? 0),
      name: op.inputs[slot]?.[0] ?? op.outputs[slot]?.[0],
    }))
    .sort((a, b) => a.col - b.col)
    .map((x) => x.name ?? '');
}

/** Source frames of an op's `op_callstack` (innermost first). */
export interface CallFrame {
  readonly file: string;
  readonly line: number;
  readonly fn: string;
}

/** One `op_callstack` entry as Paddle writes it: `  File "f", line N, in fn`. */
export function formatFrame(f: CallFrame): string {
  return `  File "${f.file}", line ${f.line}, in ${f.fn}`;
}

/** Parses `op_callstack` entries (Python traceback lines) into frames, innermost first. */
export function parseCallstack(lines: readonly string[]): CallFrame[] {
  const out: CallFrame[] = [];
  for (const text of lines) {
    for (const m of text.matchAll(/File "([^"]+)", line (\d+), in ([^\s\n]+)/g)) {
      out.push({ file: m[1]!, line: Number(m[2]), fn: m[3]! });
    }
  }
  return out;
}

/**
 * The source location an ONNX node's `doc_string` names for an op (`file:LINE fn`): the
 * innermost frame of the model's own code, past the framework's frames (Paddle's
 * `site-packages`, pdseg's `src/models/libs/` helpers).
 */
export function sourceLocation(op: ProgramOp): string {
  const stack = op.attrs.get('op_callstack');
  if (stack?.type !== 'STRINGS') return '';
  const frames = parseCallstack(stack.value);
  const own = frames.find((f) => !isFrameworkFile(f.file)) ?? frames[0];
  return own ? `${own.file}:${own.line} ${own.fn}` : '';
}

function isFrameworkFile(file: string): boolean {
  return (
    file.includes('site-packages') ||
    file.includes('/paddle/fluid/') ||
    file.startsWith('src/models/libs/') ||
    file.startsWith('src/program/')
  );
}

/** Splits an `op_namescope` (`/resnet/res2a/`) into its segments. */
export function namescopeSegments(ns: string): string[] {
  return ns.split('/').filter((s) => s !== '');
}

/** The scope path of an op (`op_namescope` `/resnet/res2a/` → `resnet/res2a`). */
export function namescope(op: ProgramOp): string {
  const ns = op.attrs.get('op_namescope');
  return ns && ns.type === 'STRING' ? namescopeSegments(ns.value).join('/') : '';
}

/** A parameter the network needs from a checkpoint: Paddle name, dims, initial value kind. */
export interface ParamSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly init: ParamInit;
}

/** The parameters of a built program in declaration order (what the checkpoint must hold). */
export function paramSpecs(program: Program): ParamSpec[] {
  return parameters(program).map((v) => ({ name: v.name, dims: v.shape, init: v.init ?? 'weights' }));
}
