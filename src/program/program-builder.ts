/**
 * Records a Paddle program as fluid 1.8 would for the same model code: variables named by
 * Paddle's unique-name rules (`conv2d_0`, `<helper>.tmp_<k>`, one counter per key, fresh per
 * build as under `fluid.unique_name.guard()`), ops with every attribute of their table entry
 * (defaults filled, then the caller's values), output shapes from the op's shape rule, and
 * the framework attributes: `op_namescope` from the builder's scopes and `op_callstack` from
 * the model code that asked for the op (`  File "src/models/…ts", line N, in fn`).
 *
 * Two scopes, as in PaddleSeg: {@link ProgramBuilder.scope} is `model_libs.scope` (it
 * prefixes parameter names: `psp1/weights`) and also opens an op name scope;
 * {@link ProgramBuilder.nameScope} is `fluid.name_scope` (ops only). PaddleSeg itself records
 * `op_namescope` "/" for every op; pdseg records its scopes there so the graph reads by block.
 */
import { PdsegError } from '../errors.js';
import type { SourceLocator } from '../onnx/source-location.js';
import type { PaddleDType } from '../paddle/dtype.js';
import type { AttrValue } from '../paddle/program-desc-types.js';
import { defaultAttrs, type InferContext } from './op-def.js';
import { PADDLE_OPS } from './ops/index.js';
import {
  formatFrame,
  PADDLE_1_8_VERSION,
  type ParamInit,
  type Program,
  type ProgramOp,
  type ProgramVar,
} from './program.js';

/** A variable handle the model code passes around: name, dims (`-1` = batch), dtype. */
export interface Var {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: PaddleDType;
}

/** A caller's attribute value: Paddle's type comes from the op table. */
export type AttrInput = number | boolean | string | readonly number[] | readonly string[];

/** Files whose frames are the framework, not model code (like Paddle's own `layers/nn.py`… frames, which Paddle does keep). */
function isModelCode(file: string): boolean {
  return file.startsWith('src/models/');
}

/** Options of {@link ProgramBuilder}. */
export interface ProgramBuilderOptions {
  /** Resolves model-code frames for `op_callstack`; omit to record none. */
  locator?: SourceLocator;
}

/** Builds one program; all naming state lives on the instance. */
export class ProgramBuilder {
  private readonly vars = new Map<string, ProgramVar>();
  private readonly ops: ProgramOp[] = [];
  private readonly counters = new Map<string, number>();
  private readonly paramScopes: string[] = [];
  private readonly nameScopes: string[] = [];

  constructor(private readonly options: ProgramBuilderOptions = {}) {}

  /** `model_libs.scope(name)`: parameter names get `name/`, ops a name scope `name`. */
  scope<T>(name: string, fn: () => T): T {
    this.paramScopes.push(`${name}/`);
    try {
      return this.nameScope(name, fn);
    } finally {
      this.paramScopes.pop();
    }
  }

  /** `fluid.name_scope(name)`: only the ops' `op_namescope`. */
  nameScope<T>(name: string, fn: () => T): T {
    this.nameScopes.push(name);
    try {
      return fn();
    } finally {
      this.nameScopes.pop();
    }
  }

  /** PaddleSeg's `name_scope + name` (spec §4.1): `psp1/BatchNorm/gamma`. */
  scopedName(name: string): string {
    return this.paramScopes.join('') + name;
  }

  /** `unique_name.generate(key)`: `key_0`, `key_1`, … */
  uniqueName(key: string): string {
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return `${key}_${n}`;
  }

  /** `create_variable_for_type_inference` of a layer helper called `helper`: `helper.tmp_<k>`. */
  tmpName(helper: string): string {
    return this.uniqueName(`${helper}.tmp`);
  }

  /** The variable called `name`. */
  variable(name: string): ProgramVar {
    const v = this.vars.get(name);
    if (!v) throw new RangeError(`no variable "${name}" in the program`);
    return v;
  }

  private addVar(v: ProgramVar): Var {
    if (this.vars.has(v.name)) {
      throw new PdsegError('MODEL_FORMAT', `variable "${v.name}" is created twice by the network`);
    }
    this.vars.set(v.name, v);
    return v;
  }

  /** `fluid.data(name, shape, dtype)`: a feed target (`need_check_feed`). */
  data(name: string, shape: readonly number[], dtype: PaddleDType = 'float32'): Var {
    return this.addVar({
      name,
      kind: 'tensor',
      dtype,
      shape: [...shape],
      persistable: false,
      needCheckFeed: true,
    });
  }

  /** A float32 parameter named exactly `name` (the contract with the weight files). */
  param(name: string, shape: readonly number[], init: ParamInit): Var {
    if (this.vars.has(name)) {
      throw new PdsegError('MODEL_FORMAT', `parameter "${name}" is declared twice by the network`);
    }
    return this.addVar({
      name,
      kind: 'tensor',
      dtype: 'float32',
      shape: [...shape],
      persistable: true,
      init,
    });
  }

  /**
   * Appends an op of `type` (an entry of the op table) reading `inputs` and writing new
   * variables named `outputs` (or existing ones, for in-place slots such as batch_norm's
   * `MeanOut`), whose shapes the op's rule computes. Returns the output variables by slot.
   */
  appendOp(
    type: string,
    inputs: Readonly<Record<string, readonly Var[]>>,
    outputs: Readonly<Record<string, readonly string[]>>,
    attrs: Readonly<Record<string, AttrInput>> = {},
    outputTypes: Readonly<Record<string, PaddleDType>> = {},
  ): Record<string, Var[]> {
    const def = PADDLE_OPS.get(type);
    if (!def) throw new RangeError(`Paddle op "${type}" is not in the op table`);
    const values = defaultAttrs(def);
    for (const [name, value] of Object.entries(attrs)) {
      const spec = values.get(name);
      if (!spec) throw new RangeError(`Paddle op "${type}" has no attribute "${name}"`);
      values.set(name, { type: spec.type, value: Array.isArray(value) ? [...value] : value } as AttrValue);
    }
    values.set('op_namescope', { type: 'STRING', value: this.namescope() });
    values.set('op_callstack', { type: 'STRINGS', value: this.callstack() });
    const ctx: InferContext = {
      attr: <T>(name: string) => values.get(name)?.value as T,
      shape: (slot, i = 0) => {
        const v = inputs[slot]?.[i];
        if (!v) throw new RangeError(`${type}: input ${slot}[${i}] is not bound`);
        return v.shape;
      },
      count: (slot) => inputs[slot]?.length ?? 0,
    };
    const shapes = def.infer?.(ctx) ?? {};
    const out: Record<string, Var[]> = {};
    for (const [slot, names] of Object.entries(outputs)) {
      out[slot] = names.map((name, i) => {
        const existing = this.vars.get(name);
        if (existing) return existing;
        const shape = shapes[slot]?.[i];
        if (!shape) throw new RangeError(`${type}: no shape for output ${slot}[${i}]`);
        const dtype = outputTypes[slot] ?? inputs.X?.[0]?.dtype ?? inputs.Input?.[0]?.dtype ?? 'float32';
        return this.addVar({ name, kind: 'tensor', dtype, shape: [...shape], persistable: false });
      });
    }
    const slotNames = (
      s: Readonly<Record<string, readonly { name: string }[] | readonly string[]>>,
      slots: readonly string[],
    ) =>
      Object.fromEntries(
        slots.map((slot) => [slot, (s[slot] ?? []).map((v) => (typeof v === 'string' ? v : v.name))]),
      );
    this.ops.push({
      type,
      inputs: slotNames(inputs, def.inputs),
      outputs: slotNames(outputs, def.outputs),
      attrs: values,
    });
    return out;
  }

  private namescope(): string {
    return this.nameScopes.length === 0 ? '/' : `/${this.nameScopes.join('/')}/`;
  }

  private callstack(): string[] {
    const locator = this.options.locator;
    if (!locator) return [];
    return locator.repositoryFrames(new Error().stack ?? '', isModelCode).map(formatFrame);
  }

  /**
   * What `fluid.io.save_inference_model` makes of the program (spec §5.3): each target
   * wrapped by `scale(1.0, name="save_infer_model/scale_<i>")`, one `feed` op per feed (first,
   * `col` i) and one `fetch` op per target (last), the `feed`/`fetch` list variables, and
   * `ProgramDesc.version` 1.8.0. Returns the finished program.
   */
  inferenceProgram(feeds: readonly Var[], targets: readonly Var[]): Program {
    const fetched = this.nameScope('save_infer_model', () =>
      targets.map((t, i) => {
        const helper = `save_infer_model/scale_${i}`;
        return this.appendOp('scale', { X: [t] }, { Out: [this.tmpName(helper)] }, { scale: 1, bias: 0 })
          .Out![0]!;
      }),
    );
    const list = (name: string, kind: 'feed' | 'fetch'): ProgramVar => ({
      name,
      kind,
      dtype: 'float32',
      shape: [],
      persistable: true,
    });
    const feedOps: ProgramOp[] = feeds.map((f, i) =>
      this.ioOp('feed', { X: ['feed'] }, { Out: [f.name] }, i),
    );
    const fetchOps: ProgramOp[] = fetched.map((f, i) =>
      this.ioOp('fetch', { X: [f.name] }, { Out: ['fetch'] }, i),
    );
    const vars = new Map<string, ProgramVar>([
      ['feed', list('feed', 'feed')],
      ['fetch', list('fetch', 'fetch')],
    ]);
    for (const [k, v] of this.vars) vars.set(k, v);
    return { vars, ops: [...feedOps, ...this.ops, ...fetchOps], version: PADDLE_1_8_VERSION };
  }

  private ioOp(
    type: 'feed' | 'fetch',
    inputs: Record<string, string[]>,
    outputs: Record<string, string[]>,
    col: number,
  ): ProgramOp {
    const attrs = defaultAttrs(PADDLE_OPS.get(type)!);
    attrs.set('col', { type: 'INT', value: col });
    return { type, inputs, outputs, attrs };
  }
}
