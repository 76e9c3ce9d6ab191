/**
 * The in-memory graph edit predict runs (spec §4.4, §10): PaddleSeg's VISUAL/EVAL phases take
 * the argmax of the RAW logits, while the exported PREDICT model ends in
 * transpose → softmax → transpose (→ scale/identity). This replaces that tail with
 * `ArgMax(axis=1, keepdims=1, select_last_index=0)` (first maximum on ties, as numpy) on the
 * logits, followed by a `Cast` to uint8 when the class count fits, so only a label map
 * crosses into JavaScript and the softmax is never computed. The file on disk is untouched.
 */
import { PdsegError } from '../errors.js';
import { intAttribute as intAttr, intsAttribute as intsAttr, makeNode } from '../onnx/nodes.js';
import { type ModelProto, type NodeProto, TensorDataType, type ValueInfoProto } from '../onnx/types.js';

/** Name of the label output the edited graph produces. */
export const LABEL_OUTPUT = 'pdseg_label_map';

/** Ops allowed between the softmax and the graph output (Paddle's `scale` 1.0 and layout moves). */
const PASS_THROUGH = new Set(['Identity', 'Transpose']);

/** Result of {@link toArgmaxModel}. */
export interface ArgmaxEdit {
  /** The edited model (shares initializers with the input; nothing is copied). */
  model: ModelProto;
  /** ONNX element type of the label output: UINT8 or INT64. */
  labelType: number;
  /** Name of the logits tensor the ArgMax reads. */
  logits: string;
}

/**
 * Returns a copy of `model` whose single output is the `[N,1,H,W]` class-id map of the raw
 * logits. Throws MODEL_FORMAT when the graph does not end in a softmax over the class axis.
 */
export function toArgmaxModel(model: ModelProto, numClasses: number): ArgmaxEdit {
  const g = model.graph;
  if (g?.output.length !== 1) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `the model must have exactly one output (PaddleSeg's softmax), found ${g?.output.length ?? 0}; re-export it with pdseg export`,
    );
  }
  const producer = new Map<string, NodeProto>();
  for (const n of g.node) for (const o of n.output) producer.set(o, n);
  // Walk back from the output through pass-through ops to the Softmax.
  const removed = new Set<NodeProto>();
  let name = (g.output[0] as ValueInfoProto).name;
  let node = producer.get(name);
  let softmax: NodeProto | undefined;
  const transposesAfter: number[][] = [];
  while (node) {
    removed.add(node);
    if (node.opType === 'Softmax') {
      softmax = node;
      break;
    }
    if (!PASS_THROUGH.has(node.opType)) break;
    if (node.opType === 'Transpose') transposesAfter.push(intsAttr(node, 'perm') ?? []);
    name = node.input[0] as string;
    node = producer.get(name);
  }
  if (
    !softmax &&
    node?.opType === 'Concat' &&
    node.input.some((i) => producer.get(i)?.opType === 'Sigmoid')
  ) {
    // PaddleSeg's one-channel head (`sigmoid_to_softmax`): the output already holds
    // [1 − p, p]; the labels are the ArgMax of that output, the graph is kept whole.
    return withArgmax(model, (g.output[0] as ValueInfoProto).name, g.node, new Set(), numClasses);
  }
  if (!softmax) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `the model output "${(g.output[0] as ValueInfoProto).name}" is not computed by a Softmax (found ${node?.opType ?? 'a graph input'}); predict expects a PaddleSeg PREDICT export`,
    );
  }
  // Class axis as the softmax sees it, and the logits in NCHW.
  const rank = 4;
  let axis = intAttr(softmax, 'axis') ?? -1;
  if (axis < 0) axis += rank;
  let logits = softmax.input[0] as string;
  const before = producer.get(logits);
  if (axis === 3 && before?.opType === 'Transpose' && sameList(intsAttr(before, 'perm'), [0, 2, 3, 1])) {
    removed.add(before);
    logits = before.input[0] as string;
  } else if (axis !== 1) {
    throw new PdsegError(
      'MODEL_FORMAT',
      `the softmax runs over axis ${axis}, not the class axis of NCHW logits; predict expects a PaddleSeg PREDICT export`,
    );
  }
  return withArgmax(model, logits, g.node, removed, numClasses);
}

/** `model` with its output replaced by the ArgMax of `logits` (`removed` nodes dropped unless still read). */
function withArgmax(
  model: ModelProto,
  logits: string,
  nodes: readonly NodeProto[],
  removed: ReadonlySet<NodeProto>,
  numClasses: number,
): ArgmaxEdit {
  const g = model.graph!;
  // Keep removed nodes only if something else still reads their outputs.
  const stillRead = new Set<string>();
  for (const n of nodes) if (!removed.has(n)) for (const i of n.input) stillRead.add(i);
  const kept = nodes.filter((n) => !removed.has(n) || n.output.some((o) => stillRead.has(o)));
  const labelType = numClasses <= 256 ? TensorDataType.UINT8 : TensorDataType.INT64;
  const argmaxOut = labelType === TensorDataType.UINT8 ? `${LABEL_OUTPUT}.int64` : LABEL_OUTPUT;
  const added: NodeProto[] = [
    makeNode({
      name: 'pdseg/argmax',
      opType: 'ArgMax',
      inputs: [logits],
      outputs: [argmaxOut],
      attrs: { axis: 1, keepdims: 1, select_last_index: 0 },
      docString: 'src/predict/argmax-graph.ts toArgmaxModel (vis.py argmax of raw logits, spec §4.4)',
    }),
  ];
  if (labelType === TensorDataType.UINT8) {
    added.push(
      makeNode({
        name: 'pdseg/cast',
        opType: 'Cast',
        inputs: [argmaxOut],
        outputs: [LABEL_OUTPUT],
        attrs: { to: TensorDataType.UINT8 },
        docString: 'src/predict/argmax-graph.ts toArgmaxModel',
      }),
    );
  }
  const inShape = g.input[0]?.type?.tensorType?.shape?.dim ?? [];
  const output: ValueInfoProto = {
    name: LABEL_OUTPUT,
    type: {
      tensorType: {
        elemType: labelType,
        shape: { dim: [inShape[0] ?? { dimParam: 'N' }, { dimValue: 1 }, ...inShape.slice(2)] },
      },
    },
  };
  const removedOutputs = new Set<string>();
  for (const n of g.node) if (!kept.includes(n)) for (const o of n.output) removedOutputs.add(o);
  return {
    model: {
      ...model,
      graph: {
        ...g,
        node: [...kept, ...added],
        output: [output],
        valueInfo: g.valueInfo.filter((v) => !removedOutputs.has(v.name)),
      },
    },
    labelType,
    logits,
  };
}

function sameList(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}
