/**
 * ONNX → {@link ViewGraph} (issue 6, "Formats"): any IR version and opset; `If`/`Loop`/`Scan`
 * bodies become subgraphs of their node; initializers are summarised whether stored in
 * `raw_data`, typed fields or `Constant` nodes. Scope comes from `/` in node names, source
 * frames from `doc_string` (`src/models/backbone/resnet.ts:120 bottleneckBlock`).
 * Browser-safe: the page decodes dropped files with it.
 */
import { decodeModel, elementCount, tensorValues } from '../../onnx/decode.js';
import {
  type AttributeProto,
  AttributeType,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  TENSOR_DATA_TYPE_NAMES,
  TENSOR_DATA_TYPE_SIZES,
  TensorDataType,
  type TensorProto,
  type TypeProto,
} from '../../onnx/types.js';
import { parsePythonFrames, parseTorchNameScopes } from '../analysis/source-frames.js';
import {
  emptyViewGraph,
  parseSourceRef,
  type SourceRef,
  type ViewAttrValue,
  type ViewGraph,
  type ViewNode,
  type ViewTensorSummary,
  viewTensor,
} from '../model.js';
import { float16Values, HEAD_LENGTH, summarizeValues } from './tensor-summary.js';

/** Options of {@link onnxToView}. */
export interface OnnxViewOptions {
  /** Leading values kept per initializer (default {@link HEAD_LENGTH}). */
  headLength?: number;
}

/** True when the bytes start like a ModelProto (field 1 `ir_version` as a varint, or a graph). */
export function looksLikeOnnx(bytes: Uint8Array): boolean {
  return bytes.length > 2 && (bytes[0] === 0x08 || bytes[0] === 0x3a || bytes[0] === 0x12);
}

/** Decodes ONNX bytes into a view graph; throws `ONNX_DECODE` for bytes that are not ONNX. */
export function decodeOnnxView(bytes: Uint8Array, options: OnnxViewOptions = {}): ViewGraph {
  return onnxToView(decodeModel(bytes), options);
}

/** Summarises one TensorProto (statistics when its values are stored in the file). */
export function summarizeTensor(t: TensorProto, headLength = HEAD_LENGTH): ViewTensorSummary {
  const dtype = TENSOR_DATA_TYPE_NAMES[t.dataType] ?? `type${t.dataType}`;
  const count = elementCount(t.dims);
  const byteLength = t.rawData?.byteLength ?? count * (TENSOR_DATA_TYPE_SIZES[t.dataType] ?? 0);
  let values: ArrayLike<number> | undefined;
  try {
    if (t.dataType === TensorDataType.FLOAT16 && t.rawData) values = float16Values(t.rawData);
    else if (t.dataType !== TensorDataType.STRING && (t.dataLocation ?? 0) === 0) values = tensorValues(t);
  } catch {
    // Types without a numeric reading (strings, sub-byte types) keep shape/dtype/size only.
    values = undefined;
  }
  return summarizeValues(t.dims.slice(), dtype, byteLength, values, headLength);
}

function shapeOf(type: TypeProto | undefined): { shape?: Array<number | string | null>; dtype?: string } {
  const tt = type?.tensorType ?? type?.sparseTensorType;
  if (!tt) {
    if (type?.sequenceType) return { dtype: 'sequence' };
    if (type?.mapType) return { dtype: 'map' };
    if (type?.optionalType) return { dtype: 'optional' };
    return {};
  }
  const out: { shape?: Array<number | string | null>; dtype?: string } = {
    dtype: TENSOR_DATA_TYPE_NAMES[tt.elemType] ?? `type${tt.elemType}`,
  };
  if (tt.shape) out.shape = tt.shape.dim.map((d) => d.dimValue ?? (d.dimParam ? d.dimParam : null));
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

function attrValue(a: AttributeProto, subgraphs: ViewGraph[], headLength: number): ViewAttrValue {
  const sub = (g: GraphProto) => {
    subgraphs.push(graphToView(g, 'onnx', headLength));
    return subgraphs.length - 1;
  };
  switch (a.type) {
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.INT:
      return a.i ?? 0;
    case AttributeType.STRING:
      return utf8.decode(a.s ?? new Uint8Array());
    case AttributeType.TENSOR:
      return a.t ? { tensor: summarizeTensor(a.t, headLength) } : '';
    case AttributeType.GRAPH:
      return a.g ? { graph: sub(a.g) } : '';
    case AttributeType.FLOATS:
      return a.floats ?? [];
    case AttributeType.INTS:
      return a.ints ?? [];
    case AttributeType.STRINGS:
      return (a.strings ?? []).map((s) => utf8.decode(s));
    case AttributeType.TENSORS:
      return (a.tensors ?? []).map((t) => `tensor [${t.dims.join(', ')}]`);
    case AttributeType.GRAPHS:
      return (a.graphs ?? []).map((g) => `graph #${sub(g)}`);
    default:
      return a.refAttrName ? `@${a.refAttrName}` : `(attribute type ${a.type})`;
  }
}

/** Splits a scoped node name (`resnet/res2a/branch2a/conv2d`, `/layer1/0/conv1/Conv`). */
export function scopeOfName(name: string): string[] {
  const parts = name.split('/').filter((p) => p !== '');
  return parts.slice(0, -1);
}

/** Parses a doc_string holding one frame per line; lines that are not frames are dropped. */
export function sourceOfDoc(doc: string): SourceRef[] | undefined {
  if (!doc) return undefined;
  const refs = doc
    .split('\n')
    .map(parseSourceRef)
    .filter((r): r is SourceRef => r !== undefined && /\.[cm]?[jt]sx?$|\.py$/.test(r.file));
  return refs.length > 0 ? refs : undefined;
}

/** Python frames of PyTorch's `pkg.torch.onnx.stack_trace` node metadata (IR ≥ 10), innermost first. */
export function torchFrames(props: NodeProto['metadataProps']): SourceRef[] | undefined {
  const trace = props?.find((p) => p.key === 'pkg.torch.onnx.stack_trace')?.value;
  if (!trace) return undefined;
  const frames = parsePythonFrames(trace);
  return frames.length > 0 ? frames : undefined;
}

/** Module scope of PyTorch's `pkg.torch.onnx.name_scopes` node metadata (`['', 'layer1', 'layer1.0', …]`). */
export function torchScopes(props: NodeProto['metadataProps']): string[] | undefined {
  const text = props?.find((p) => p.key === 'pkg.torch.onnx.name_scopes')?.value;
  if (!text) return undefined;
  const scope = parseTorchNameScopes(text);
  return scope.length > 0 ? scope : undefined;
}

/** Converts one GraphProto (and, through attributes, its subgraphs). */
export function graphToView(g: GraphProto, format: string, headLength: number): ViewGraph {
  const view = emptyViewGraph(format, g.name);
  const tensor = (name: string) => viewTensor(view, name);
  const initNames = new Set<string>();
  for (const init of g.initializer) {
    initNames.add(init.name);
    const t = tensor(init.name);
    t.initializer = summarizeTensor(init, headLength);
    t.shape = init.dims.slice();
    t.dtype = t.initializer.dtype;
  }
  for (const vi of [...g.input, ...g.valueInfo, ...g.output])
    Object.assign(tensor(vi.name), shapeOf(vi.type));
  view.inputs = g.input.map((i) => i.name).filter((n) => !initNames.has(n));
  view.outputs = g.output.map((o) => o.name);
  g.node.forEach((n, id) => {
    const subgraphs: ViewGraph[] = [];
    const attributes: Record<string, ViewAttrValue> = {};
    for (const a of n.attribute) attributes[a.name] = attrValue(a, subgraphs, headLength);
    const node: ViewNode = {
      id,
      name: n.name || `${n.opType}_${id}`,
      opType: n.opType,
      scope: scopeOfName(n.name),
      attributes,
      inputs: n.input.slice(),
      outputs: n.output.slice(),
    };
    if (n.domain && n.domain !== 'ai.onnx') node.domain = n.domain;
    const source = sourceOfDoc(n.docString) ?? torchFrames(n.metadataProps);
    if (source) node.source = source;
    if (n.docString && !sourceOfDoc(n.docString)) node.doc = n.docString;
    const torchScope = torchScopes(n.metadataProps);
    if (torchScope) node.scope = torchScope;
    if (subgraphs.length > 0) node.subgraphs = subgraphs;
    view.nodes.push(node);
    for (const name of n.input) if (name !== '') tensor(name).consumers.push(id);
    for (const name of n.output) if (name !== '') tensor(name).producer = id;
    const value = attributes.value;
    if (
      n.opType === 'Constant' &&
      n.output[0] &&
      typeof value === 'object' &&
      value !== null &&
      'tensor' in value
    ) {
      const t = tensor(n.output[0]);
      t.initializer = value.tensor;
      t.shape ??= value.tensor.dims.slice();
      t.dtype ??= value.tensor.dtype;
    }
  });
  return view;
}

/** Converts a decoded model, carrying producer, opsets and metadata into `metadata`. */
export function onnxToView(model: ModelProto, options: OnnxViewOptions = {}): ViewGraph {
  const view = graphToView(model.graph, 'onnx', options.headLength ?? HEAD_LENGTH);
  view.formatVersion = `IR ${model.irVersion}`;
  const md = view.metadata;
  if (model.producerName) md.producer = `${model.producerName} ${model.producerVersion}`.trim();
  md.ir_version = String(model.irVersion);
  md.opset = model.opsetImport.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  if (model.domain) md.domain = model.domain;
  if (model.modelVersion) md.model_version = String(model.modelVersion);
  if (model.docString) md.doc = model.docString;
  for (const p of model.metadataProps) md[p.key] = p.value;
  return view;
}
