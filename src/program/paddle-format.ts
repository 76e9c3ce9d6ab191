/**
 * A program to and from Paddle's `ProgramDesc` (`__model__`, spec §9.9). Writing gives the
 * file `fluid.io.save_inference_model` writes (spec §5.3): block 0 with the feed/fetch list
 * variables (FEED_MINIBATCH, FETCH_LIST, persistable), every LoDTensor variable with its
 * dims and `persistable`, the ops with typed attributes, and the version. Reading takes
 * block 0 and fills the attributes an older file lacks with the op table's defaults, as
 * Paddle's attribute checker does when it loads the file.
 */
import { PdsegError } from '../errors.js';
import { dtypeCode, dtypeFromCode } from '../paddle/dtype.js';
import {
  type AttrValue,
  type OpDesc,
  type ProgramDesc,
  type VarDesc,
  VarTypeId,
} from '../paddle/program-desc-types.js';
import { defaultAttrs, type PaddleOpDef } from './op-def.js';
import { PADDLE_OPS } from './ops/index.js';
import type { Program, ProgramOp, ProgramVar } from './program.js';

function varDesc(v: ProgramVar): VarDesc {
  if (v.kind === 'feed') return { name: v.name, type: { type: VarTypeId.FEED_MINIBATCH }, persistable: true };
  if (v.kind === 'fetch') return { name: v.name, type: { type: VarTypeId.FETCH_LIST }, persistable: true };
  return {
    name: v.name,
    type: {
      type: VarTypeId.LOD_TENSOR,
      lodTensor: { tensor: { dataType: dtypeCode(v.dtype), dims: [...v.shape] }, lodLevel: 0 },
    },
    persistable: v.persistable,
    ...(v.needCheckFeed ? { needCheckFeed: true } : {}),
  };
}

function opDesc(op: ProgramOp): OpDesc {
  const slots = (s: Readonly<Record<string, readonly string[]>>) =>
    Object.entries(s).map(([parameter, args]) => ({ parameter, arguments: [...args] }));
  return {
    type: op.type,
    inputs: slots(op.inputs),
    outputs: slots(op.outputs),
    attrs: [...op.attrs].map(([name, a]) => ({ name, ...a }) as OpDesc['attrs'][number]),
  };
}

/** The `ProgramDesc` of `program` (one block). */
export function toProgramDesc(program: Program): ProgramDesc {
  const vars = [...program.vars.values()];
  return {
    blocks: [{ idx: 0, parentIdx: -1, vars: vars.map(varDesc), ops: program.ops.map(opDesc) }],
    ...(program.version !== undefined ? { version: program.version } : {}),
  };
}

function toProgramVar(v: VarDesc, source: string): ProgramVar | undefined {
  const t = v.type.type;
  if (t === VarTypeId.FEED_MINIBATCH)
    return { name: v.name, kind: 'feed', dtype: 'float32', shape: [], persistable: true };
  if (t === VarTypeId.FETCH_LIST)
    return { name: v.name, kind: 'fetch', dtype: 'float32', shape: [], persistable: true };
  if (t !== VarTypeId.LOD_TENSOR || !v.type.lodTensor) return undefined;
  const desc = v.type.lodTensor.tensor;
  const dtype = dtypeFromCode(desc.dataType);
  if (!dtype) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `variable "${v.name}" in "${source}" has an unknown data type ${desc.dataType}`,
    );
  }
  return {
    name: v.name,
    kind: 'tensor',
    dtype,
    shape: [...desc.dims],
    persistable: v.persistable === true,
    ...(v.needCheckFeed ? { needCheckFeed: true } : {}),
  };
}

/**
 * The program of a decoded `__model__` (block 0). Ops of types the table knows get every
 * attribute the table lists, defaulted where the file has none; other ops keep theirs, so
 * the lowering can report them all together.
 */
export function fromProgramDesc(
  desc: ProgramDesc,
  source: string,
  table: ReadonlyMap<string, PaddleOpDef> = PADDLE_OPS,
): Program {
  const block = desc.blocks[0];
  if (!block) throw new PdsegError('MODEL_FORMAT', `"${source}" has no block: it is not a Paddle program`);
  const vars = new Map<string, ProgramVar>();
  for (const v of block.vars) {
    const pv = toProgramVar(v, source);
    if (pv) vars.set(pv.name, pv);
  }
  const ops = block.ops.map((op): ProgramOp => {
    const def = table.get(op.type);
    const attrs = def ? defaultAttrs(def) : new Map<string, AttrValue>();
    for (const a of op.attrs) {
      const { name, unknown: _unknown, ...value } = a;
      attrs.set(name, value as AttrValue);
    }
    const slots = (list: OpDesc['inputs']) =>
      Object.fromEntries(list.map((s) => [s.parameter, [...s.arguments]]));
    return { type: op.type, inputs: slots(op.inputs), outputs: slots(op.outputs), attrs };
  });
  const version = desc.version === undefined ? undefined : Number(desc.version);
  return { vars, ops, ...(version !== undefined ? { version } : {}) };
}
